import Experiments
import Foundation

/// The defaults a script passes to `experiment.config`, found by running it with
/// `descent run SCRIPT --probe-config FILE`: the child writes them at its `experiment.config`
/// call and exits there, before the script does any work.
enum ConfigProbe {
    /// nil when the script does not reach `experiment.config` (it has no config, or fails
    /// before: the runs will report that) within `timeout` seconds.
    static func defaults(script: String, timeout: TimeInterval = 60) throws -> [String: JSONValue]? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("descent-probe-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SweepRunner.currentExecutable())
        process.arguments = ["run", script, "--quiet", "--threads", "1", "--probe-config", file.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        guard let data = try? Data(contentsOf: file), let json = try? JSONValue.parse(bytes: Array(data)),
              let object = json.objectValue else { return nil }
        return Dictionary(object, uniquingKeysWith: { first, _ in first })
    }
}
