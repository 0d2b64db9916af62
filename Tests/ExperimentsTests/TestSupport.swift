import Foundation
@testable import Experiments

/// A fresh temporary directory per test, removed by the caller with `cleanup`.
func makeTempDir(_ name: String = #function) throws -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("exp-tests-\(safe)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func cleanup(_ url: URL) { try? FileManager.default.removeItem(at: url) }

func readText(_ url: URL) -> String {
    (FileManager.default.contents(atPath: url.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
}

func sampleConfig(seed: Int = 1, config: [(String, JSONValue)] = [("lr", 0.1)]) -> RunConfig {
    RunConfig(script: "train.lua", config: config, seed: seed, commandLine: ["descent", "run", "train.lua"],
              version: "test", threads: 1)
}

/// Writes a finished run directory the way `descent run` would.
func writeRun(_ dir: URL, losses: [Double], status: RunStatus = .done, summary: [(String, JSONValue)]? = nil) throws {
    let rec = try RunRecorder(directory: dir, config: sampleConfig())
    for (i, loss) in losses.enumerated() { try rec.log([("step", .number(Double(i + 1))), ("loss", .number(loss))]) }
    if let summary { try rec.summary(summary) }
    try rec.finish(status, error: status == .failed ? "boom" : nil)
}
