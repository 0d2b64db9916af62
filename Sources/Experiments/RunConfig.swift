import Foundation

/// What config.json records about a run: enough to rerun it and to group it in reports.
///
///     let config = RunConfig(script: "train.lua", config: [("lr", 0.01)], seed: 1,
///                            commandLine: CommandLine.arguments, version: "0.1.0", threads: 1)
public struct RunConfig {
    /// The script path as given on the command line.
    public var script: String
    /// The resolved config: the script's defaults with `--set` overrides applied, in the
    /// script's key order.
    public var config: [(String, JSONValue)]
    public var seed: Int
    public var commandLine: [String]
    public var version: String
    public var host: String
    public var threads: Int

    public init(script: String, config: [(String, JSONValue)], seed: Int, commandLine: [String],
                version: String, host: String = RunConfig.currentHost(), threads: Int) {
        self.script = script
        self.config = config
        self.seed = seed
        self.commandLine = commandLine
        self.version = version
        self.host = host
        self.threads = threads
    }

    public var json: JSONValue {
        .object([
            ("script", .string(script)),
            ("config", .object(config)),
            ("seed", .number(Double(seed))),
            ("command_line", .array(commandLine.map(JSONValue.string))),
            ("version", .string(version)),
            ("host", .string(host)),
            ("threads", .number(Double(threads))),
        ])
    }

    public init(json: JSONValue) throws {
        guard let script = json["script"]?.stringValue else {
            throw ExperimentError("config.json: expected a \"script\" string, got \(json["script"]?.compactJSON ?? "nothing")")
        }
        self.script = script
        config = json["config"]?.objectValue ?? []
        seed = json["seed"]?.intValue ?? 0
        commandLine = json["command_line"]?.arrayValue?.compactMap(\.stringValue) ?? []
        version = json["version"]?.stringValue ?? ""
        host = json["host"]?.stringValue ?? ""
        threads = json["threads"]?.intValue ?? 1
    }

    /// This machine's host name (empty if the system will not say).
    public static func currentHost() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(cString: buffer)
    }
}
