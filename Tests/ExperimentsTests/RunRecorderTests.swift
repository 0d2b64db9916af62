import Foundation
import Testing
@testable import Experiments
import FileIO

@Test func recorderWritesTheRunDirectory() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    let dir = root.appendingPathComponent("a/b")
    let rec = try RunRecorder(directory: dir, config: sampleConfig(seed: 7, config: [("lr", 0.1), ("depth", 2)]))
    #expect(RunReader.status(in: dir)?.status == .running)
    try rec.log([("step", 1), ("loss", 0.5)])
    try rec.log([("step", 2), ("loss", 0.25)])
    try rec.summary([("accuracy", 0.9), ("loss", 0.25)])
    try rec.finish(.done, error: nil)
    #expect(!rec.diverged)
    #expect(readText(dir.appendingPathComponent("metrics.jsonl")) == "{\"step\":1,\"loss\":0.5}\n{\"step\":2,\"loss\":0.25}\n")

    let run = RunReader.load(dir)
    #expect(run.isDone)
    #expect(run.config?.seed == 7)
    #expect(run.config?.config.map(\.0) == ["lr", "depth"])
    #expect(run.summary?.map(\.0) == ["accuracy", "loss"])
    #expect(run.metrics().count == 2)
    #expect(run.status?.durationSeconds != nil)
    #expect(throws: ExperimentError.self) { try rec.log([("step", 3)]) }
}

@Test func atomicWritesLeaveNoTempFiles() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let target = dir.appendingPathComponent("x.json")
    for i in 0..<20 { try AtomicFile.write("{\"i\": \(i)}\n", to: target) }
    try writeRun(dir.appendingPathComponent("run"), losses: [1, 2], summary: [("loss", 2)])
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        + FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("run").path)
    #expect(!names.contains(where: { $0.contains(".tmp-") }), "\(names)")
    #expect(readText(target) == "{\"i\": 19}\n")
    #expect(throws: FileError.self) {
        try AtomicFile.write("x", to: dir.appendingPathComponent("missing/dir/x.json"))
    }
}

@Test func nonFiniteMetricMarksTheRunDiverged() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let rec = try RunRecorder(directory: dir, config: sampleConfig())
    try rec.log([("step", 1), ("loss", 0.5)])
    #expect(!rec.diverged)
    try rec.log([("step", 2), ("loss", .number(.nan))])
    #expect(rec.diverged)
    try rec.finish(.done, error: nil)
    let status = RunReader.status(in: dir)
    #expect(status?.status == .diverged)
    #expect(status?.error?.contains("loss") == true)
    #expect(RunReader.metrics(in: dir)[1][1].1.doubleValue?.isNaN == true)
}

@Test func interruptIsRecordedAndNotOverwritten() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let rec = try RunRecorder(directory: dir, config: sampleConfig())
    rec.markInterrupted(signal: SIGINT)
    try rec.finish(.done, error: nil)
    let status = RunReader.status(in: dir)
    #expect(status?.status == .interrupted)
    #expect(status?.error?.contains("SIGINT") == true)
}

@Test func checkpointNamesAreValidated() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let rec = try RunRecorder(directory: dir, config: sampleConfig())
    #expect(try rec.checkpointURL(name: "best").lastPathComponent == "best.ckpt")
    for bad in ["", "../x", ".hidden", "a/b"] {
        #expect(throws: ExperimentError.self) { try rec.checkpointURL(name: bad) }
    }
}

@Test func readerSkipsTruncatedMetricLines() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    try Data("{\"step\":1}\n{\"step\":2,\"lo".utf8).write(to: dir.appendingPathComponent("metrics.jsonl"))
    #expect(RunReader.metrics(in: dir).count == 1)
    #expect(RunReader.load(dir).status == nil)
}
