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

/// The `descent` binary that runs `sweep`/`status` for the Slurm test, the first that has the
/// sweep command among: $DESCENT_SLURM_BIN, the `descent` built next to this test bundle,
/// .build/debug/descent, `descent` on PATH.
private let slurmTestBinary: String? = {
    let env = ProcessInfo.processInfo.environment
    let selfExe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map(URL.init(fileURLWithPath:))
    var candidates = [env["DESCENT_SLURM_BIN"]]
    // The test runner lives in .build/<triple>/debug/ (inside the .xctest bundle on Linux: one level up).
    if let dir = selfExe?.deletingLastPathComponent() {
        candidates += [dir.appendingPathComponent("descent").path, dir.deletingLastPathComponent().appendingPathComponent("descent").path]
    }
    candidates += [packageRoot.appendingPathComponent(".build/debug/descent").path, onPath("descent")]
    return candidates.compactMap { $0 }.first { hasSweepCommand($0) }
}()

private func hasSweepCommand(_ path: String) -> Bool {
    guard FileManager.default.isExecutableFile(atPath: path) else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = ["sweep", "--help"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return process.terminationStatus == 0 && text.contains("--emit")
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
      .enabled(if: slurmTestBinary != nil, "no descent binary with the sweep command: build it, or set DESCENT_SLURM_BIN"))
func slurmArraySweepRunsEndToEnd() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [packageRoot.appendingPathComponent("scripts/slurm/test-slurm.sh").path, slurmTestBinary ?? "descent",
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
