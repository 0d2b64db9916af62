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
    /// SHA-256 (hex) of the script's contents when the run started: part of the run's identity,
    /// so `--resume` can refuse an edited script.
    public var scriptSHA256: String = ""
    /// The `--set key=value` pairs as given (the identity of the config; `config` is what the
    /// script resolved from them).
    public var overrides: [(String, String)] = []
    /// Modules the script `require`d from files: path and SHA-256 of the contents loaded.
    public var modules: [(String, String)] = []
    /// The machine: host, OS, architecture, cores, memory.
    public var machine: [(String, JSONValue)] = []

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
            ("script_sha256", .string(scriptSHA256)),
            ("overrides", .object(overrides.map { ($0.0, .string($0.1)) })),
            ("modules", .array(modules.map { .object([("path", .string($0.0)), ("sha256", .string($0.1))]) })),
            ("machine", .object(machine)),
        ])
    }

    /// SHA-256 (hex) of a file's contents, or nil when it cannot be read.
    public static func fileSHA256(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return SHA256.hex(Array(data))
    }

    /// This machine, for config.json: host name, OS and kernel release, architecture, cores and
    /// physical memory.
    public static func currentMachine() -> [(String, JSONValue)] {
        var name = utsname()
        uname(&name)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        let memory = ProcessInfo.processInfo.physicalMemory
        return [
            ("host", .string(currentHost())),
            ("os", .string(text(name.sysname) + " " + text(name.release))),
            ("arch", .string(text(name.machine))),
            ("cores", .number(Double(ProcessInfo.processInfo.activeProcessorCount))),
            ("memory_bytes", .number(Double(memory))),
        ]
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
        scriptSHA256 = json["script_sha256"]?.stringValue ?? ""
        overrides = (json["overrides"]?.objectValue ?? []).map { ($0.0, $0.1.stringValue ?? $0.1.compactJSON) }
        modules = (json["modules"]?.arrayValue ?? []).compactMap { m in
            guard let path = m["path"]?.stringValue, let sha = m["sha256"]?.stringValue else { return nil }
            return (path, sha)
        }
        machine = json["machine"]?.objectValue ?? []
    }

    /// This machine's host name (empty if the system will not say).
    public static func currentHost() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(cString: buffer)
    }
}
