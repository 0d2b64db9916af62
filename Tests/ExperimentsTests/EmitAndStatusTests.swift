import Foundation
import Testing
@testable import Experiments

@Test func sbatchScriptHasArrayThrottleLogsAndIndex() {
    let out = URL(fileURLWithPath: "/work/sweeps/lr")
    let text = SweepEmitter.sbatch(command: ["/opt/descent", "sweep", "/work/train.lua", "--grid", "lr=0.1,0.01", "--out", out.path],
                                   count: 24, sweepDirectory: out, throttle: 4, cpusPerTask: 2, extra: ["--time=00:10:00"])
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[0] == "#!/bin/bash")
    #expect(lines.contains("#SBATCH --array=0-23%4"))
    #expect(lines.contains("#SBATCH --output=/work/sweeps/lr/logs/%A_%a.out"))
    #expect(lines.contains("#SBATCH --cpus-per-task=2"))
    #expect(lines.contains("#SBATCH --time=00:10:00"))
    #expect(lines.contains("#SBATCH --job-name=descent-lr"))
    #expect(lines.last == "exec /opt/descent sweep /work/train.lua --grid lr=0.1,0.01 --out /work/sweeps/lr --index \"$SLURM_ARRAY_TASK_ID\"")
    // #SBATCH lines must come before the first command.
    let firstCommand = lines.firstIndex(where: { !$0.hasPrefix("#") && !$0.isEmpty }) ?? 0
    #expect(lines.lastIndex(where: { $0.hasPrefix("#SBATCH") }) ?? 99 < firstCommand)
}

@Test func parallelCommandAndShellQuoting() {
    let cmd = SweepEmitter.parallel(command: ["/opt/descent", "sweep", "/my dir/t.lua", "--out", "/o"], count: 3, jobs: 2,
                                    sweepDirectory: URL(fileURLWithPath: "/o"))
    #expect(cmd == "mkdir -p /o/logs && seq 0 2 | parallel -q --jobs 2 --joblog /o/logs/parallel.joblog /opt/descent sweep '/my dir/t.lua' --out /o --index {}")
    #expect(SweepEmitter.shellQuote("it's") == #"'it'\''s'"#)
    #expect(SweepEmitter.shellQuote("") == "''")
    #expect(SweepEmitter.shellQuote("$HOME") == "'$HOME'")
}

@Test func sweepFileParses() throws {
    let json = try JSONValue.parse(#"{"grid": {"lr": [0.1, 0.01], "act": ["relu", "gelu"]}, "zip": {"w": [8, 16], "d": [true, false]}, "set": {"epochs": 3}, "seeds": 2}"#)
    let file = try SweepFile(json: json)
    #expect(file.grid == [SweepAxis(key: "lr", values: ["0.1", "0.01"]), SweepAxis(key: "act", values: ["relu", "gelu"])])
    #expect(file.zip.map(\.values) == [["8", "16"], ["true", "false"]])
    #expect(file.sets.map(\.1) == ["3"] && file.seeds == [1, 2])
    for bad in [#"{"grids": {}}"#, #"{"grid": {"lr": []}}"#, #"{"grid": {"lr": [[1]]}}"#, #"{"seeds": "x"}"#, "[1]"] {
        #expect(throws: ExperimentError.self) { try SweepFile(json: JSONValue.parse(bad)) }
    }
}

@Test func statusReportListsFailuresAndArraySyntax() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    let manifest = SweepManifest(spec: try SweepSpec(script: "/tmp/t.lua", grid: [SweepAxis(key: "lr", values: ["1", "2", "3", "4", "5"])]))
    try manifest.write(to: root)
    try writeRun(SweepManifest.runDirectory(manifest.entries[0], in: root), losses: [1])
    try writeRun(SweepManifest.runDirectory(manifest.entries[1], in: root), losses: [1], status: .failed)
    try writeRun(SweepManifest.runDirectory(manifest.entries[2], in: root), losses: [.infinity])
    _ = try RunRecorder(directory: SweepManifest.runDirectory(manifest.entries[3], in: root), config: sampleConfig())
    let state = SweepState.read(manifest: manifest, in: root)
    #expect(state.countsLine == "5 entries: 1 done, 1 failed, 1 diverged, 0 interrupted, 1 running, 1 missing")
    #expect(state.failedIndices == [1, 2] && state.unfinishedIndices == [1, 2, 3, 4])
    let text = state.statusReport(sweepDirectory: "out")
    #expect(text.contains("failed indices: --array=1-2\n"))
    #expect(text.contains("not done (failed, running or missing): --array=1-4\n"))
    #expect(text.contains("(boom)") && text.contains("log: out/runs/\(manifest.entries[1].id)/stderr.log"))
    let table = state.table(manifest: manifest).split(separator: "\n")
    #expect(table[0] == "index  id            status    lr  seed")
    #expect(table[4].hasSuffix("running   4   1") && table[5].contains("missing"))
}

@Test func signalSafeMarkerWritesAParsableStatus() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let start = Date(timeIntervalSince1970: 1_700_000_000.25)
    let marker = InterruptMarker(directory: dir, startTime: start, host: "node\"1", pid: 42)
    marker.write(signal: SIGTERM)
    let status = try StatusRecord(json: RunReader.readJSON(dir.appendingPathComponent("status.json")))
    #expect(status.status == .interrupted && status.error == "interrupted by signal 15")
    #expect(status.host == "node\"1" && status.pid == 42)
    #expect(abs(status.startTime.timeIntervalSince1970 - 1_700_000_000.25) < 0.001)
    #expect(abs((status.endTime?.timeIntervalSinceNow ?? -99)) < 5)
    let json = try RunReader.readJSON(dir.appendingPathComponent("status.json"))
    #expect((json["duration_seconds"]?.doubleValue ?? 0) > 1000)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["status.json"])
    // A second signal (or a late finish) does not rewrite it.
    try FileManager.default.removeItem(at: dir.appendingPathComponent("status.json"))
    marker.write(signal: SIGINT)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("status.json").path))
}

@Test func isoFormattingMatchesFoundation() {
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
    defer { buffer.deallocate() }
    for millis: Int64 in [0, 951_782_400_123, 1_700_000_000_250, 4_102_444_799_999, 1_709_164_800_000] {
        let n = InterruptMarker.formatISO(millis: millis, into: buffer)
        let ours = String(decoding: UnsafeBufferPointer(start: buffer, count: n), as: UTF8.self)
        #expect(ours == Timestamp.format(Date(timeIntervalSince1970: Double(millis) / 1000)))
    }
}

@Test func progressClockFormat() {
    #expect(SweepProgress.clock(41) == "0:41")
    #expect(SweepProgress.clock(3725) == "1:02:05")
    #expect(SweepProgress.clock(.nan) == "0:00")
}
