import Foundation
import Testing

/// Runs the built `descent` binary, as a user would, and captures what it prints.
struct DescentRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// How the process ended: normal exit, or the signal that killed it.
    var terminatedBySignal: Bool
}

enum Descent {
    /// The binary built beside the test bundle (or DESCENT_BIN).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["DESCENT_BIN"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("descent")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return bundle.appendingPathComponent("descent")
    }()

    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `source` to `name` in `dir` and returns its path.
    @discardableResult
    static func write(_ source: String, to name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Runs `descent arguments...` in `directory` with a time limit; `input`, when given, is
    /// piped to its stdin (otherwise stdin is inherited).
    static func run(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 120,
                    environment: [String: String] = [:], input: String? = nil) throws -> DescentRun {
        try execute(binary, arguments, in: directory, timeout: timeout, environment: environment, input: input)
    }

    /// Runs any program (a shell script of scripts/, say) the same way, with `DESCENT` set to the
    /// built binary so that scripts which honour it use the binary under test.
    static func execute(_ program: URL, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 120,
                        environment: [String: String] = [:], input: String? = nil) throws -> DescentRun {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["DESCENT"] = binary.path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        if input != nil {
            process.standardInput = stdin
            ignoreBrokenPipes  // a child that exits before reading all its input must not kill the tests
        }
        try process.run()
        if let input {
            // Written after launch from another thread: a large input must not block on a full pipe.
            DispatchQueue.global().async {
                stdin.fileHandleForWriting.write(Data(input.utf8))
                try? stdin.fileHandleForWriting.close()
            }
        }
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        group.wait()
        return DescentRun(status: process.terminationStatus,
                          stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self),
                          terminatedBySignal: process.terminationReason == .uncaughtSignal)
    }

    /// Runs a script given as source text: `descent run script.lua extra...`.
    static func runScript(_ source: String, name: String = "script.lua", _ extra: [String] = [],
                          timeout: TimeInterval = 120) throws -> DescentRun {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(source, to: name, in: dir)
        return try run(["run", name] + extra, in: dir, timeout: timeout)
    }
}

/// The project root (for scripts/examples and data/).
let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
