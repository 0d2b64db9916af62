import Foundation
import Testing
@testable import Experiments

/// The package root, found from this file's path (Tests/ExperimentsTests/SlurmTests.swift).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func onPath(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// The `descent` binary that runs `sweep`/`status` for the Slurm test: $DESCENT_SLURM_BIN, a
/// built .build/debug/descent, or `descent` on PATH.
private func slurmTestBinary() -> String? {
    if let bin = ProcessInfo.processInfo.environment["DESCENT_SLURM_BIN"], FileManager.default.isExecutableFile(atPath: bin) { return bin }
    let built = packageRoot.appendingPathComponent(".build/debug/descent").path
    if FileManager.default.isExecutableFile(atPath: built) { return built }
    return onPath("descent")
}

/// True when `sinfo` answers: sbatch on PATH with no controller running would only time out.
private func slurmAnswers() -> Bool {
    guard let sinfo = onPath("sinfo") else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: sinfo)
    process.arguments = ["-h", "-o", "%T"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning, Date() < deadline { usleep(50_000) }
    if process.isRunning { process.terminate(); return false }
    return process.terminationStatus == 0
}

@Test(.enabled(if: onPath("sbatch") != nil, "sbatch is not on PATH: start a local cluster with scripts/slurm/start-local-slurm.sh to run this test"),
      .enabled(if: slurmAnswers(), "sbatch is on PATH but no Slurm controller answers (scripts/slurm/start-local-slurm.sh starts one)"),
      .enabled(if: slurmTestBinary() != nil, "no descent binary: build it, or set DESCENT_SLURM_BIN"))
func slurmArraySweepRunsEndToEnd() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [packageRoot.appendingPathComponent("scripts/slurm/test-slurm.sh").path, slurmTestBinary() ?? "descent",
                         dir.appendingPathComponent("train.lua").path]
    var env = ProcessInfo.processInfo.environment
    env["DESCENT_BIN"] = try makeFakeChild(in: dir)  // the runs themselves are faked
    env["TMPDIR"] = dir.path
    process.environment = env
    try Data("-- placeholder: the fake child never reads it\n".utf8).write(to: dir.appendingPathComponent("train.lua"))
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("test-slurm: ok"), "\(text)")
}
