import Foundation
import Testing
@testable import Experiments

/// A stand-in for `descent run`: parses --out/--seed/--set, writes metrics, summary and a
/// `done` status; `--set fail=1` exits 3 without a status, `--set lr=nan` records diverged.
let fakeChild = #"""
#!/bin/sh
out=""; seed=""; fail=""; lr=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    --set) case "$2" in fail=1) fail=1 ;; lr=*) lr="${2#lr=}" ;; esac; shift ;;
  esac
  shift
done
mkdir -p "$out"
echo "args ok seed=$seed threads=$OPENBLAS_NUM_THREADS"
grep SigIgn /proc/self/status >&2
if [ -n "$fail" ]; then echo "boom" >&2; exit 3; fi
if [ "$lr" = "nan" ]; then
  printf '{"status":"diverged","error":"loss is nan","start_time":"2026-01-01T00:00:00.000Z"}\n' > "$out/status.json"
  exit 1
fi
awk -v lr="$lr" -v s="$seed" 'BEGIN { for (i = 1; i <= 3; i++) printf "{\"step\":%d,\"loss\":%g}\n", i, lr * s / i }' > "$out/metrics.jsonl"
awk -v lr="$lr" -v s="$seed" 'BEGIN { printf "{\"loss\":%g}\n", lr * s / 3 }' > "$out/summary.json"
printf '{"status":"done","error":null,"start_time":"2026-01-01T00:00:00.000Z"}\n' > "$out/status.json"
"""#

func makeFakeChild(in dir: URL) throws -> String {
    let url = dir.appendingPathComponent("fake-descent.sh")
    try Data(fakeChild.utf8).write(to: url)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    return url.path
}

@Test func sweepRunsEveryEntryAndKeepsGoingAfterFailures() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let bin = try makeFakeChild(in: dir)
    let out = dir.appendingPathComponent("sweep")
    let spec = try SweepSpec(script: dir.appendingPathComponent("train.lua").path,
                             grid: [SweepAxis(key: "lr", values: ["0.5", "nan", "2"]), SweepAxis(key: "fail", values: ["0", "1"])],
                             seeds: [1, 2])
    let manifest = SweepManifest(spec: spec)
    try manifest.write(to: out)
    let runner = SweepRunner(manifest: manifest, directory: out,
                             options: SweepOptions(jobs: 2, threadsPerJob: 3, binary: bin, live: false, quiet: true))
    let result = try runner.run()
    // fail=1 entries fail (6); lr=nan & fail=0 diverge (2); the other 4 are done.
    #expect(result.done == 4 && result.failed == 8 && result.skipped == 0)
    #expect(result.exitCode == 1)

    let state = SweepState.read(manifest: manifest, in: out)
    #expect(state.count(of: .done) == 4 && state.count(of: .failed) == 6 && state.count(of: .diverged) == 2)
    let first = SweepManifest.runDirectory(manifest.entries[0], in: out)
    #expect(readText(first.appendingPathComponent("stdout.log")) == "args ok seed=1 threads=3\n")
    // Children must not inherit the sweep's ignored SIGINT/SIGTERM (bits 2 and 15).
    let sigIgn = readText(first.appendingPathComponent("stderr.log")).split(separator: "\t").last.map { String($0.prefix(16)) } ?? ""
    let mask = UInt64(sigIgn, radix: 16) ?? 0
    #expect(mask & (1 << 1) == 0 && mask & (1 << 14) == 0, "SigIgn \(sigIgn)")
    let failedRun = SweepManifest.runDirectory(manifest.entries[2], in: out)
    let failedStatus = RunReader.status(in: failedRun)
    #expect(failedStatus?.status == .failed)
    #expect(failedStatus?.error?.contains("exit code 3") == true)
    #expect(readText(failedRun.appendingPathComponent("stderr.log")).hasSuffix("boom\n"))
}

@Test func resumeSkipsDoneAndRetryFailedReruns() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let bin = try makeFakeChild(in: dir)
    let out = dir.appendingPathComponent("sweep")
    let spec = try SweepSpec(script: "/tmp/t.lua", grid: [SweepAxis(key: "fail", values: ["0", "1"])], seeds: [1, 2, 3])
    let manifest = SweepManifest(spec: spec)
    try manifest.write(to: out)
    func run(resume: Bool, retry: Bool, indices: [Int]? = nil) throws -> SweepResult {
        try SweepRunner(manifest: manifest, directory: out,
                        options: SweepOptions(jobs: 3, resume: resume, retryFailed: retry, binary: bin, live: false, quiet: true)).run(indices: indices)
    }
    #expect(try run(resume: false, retry: false) == SweepResult(done: 3, failed: 3))
    // A lost run comes back with --resume; done and failed ones are skipped.
    try FileManager.default.removeItem(at: SweepManifest.runDirectory(manifest.entries[0], in: out))
    #expect(try run(resume: true, retry: false) == SweepResult(done: 1, failed: 0, skipped: 5))
    #expect(try run(resume: true, retry: true) == SweepResult(done: 0, failed: 3, skipped: 3))
    #expect(try run(resume: false, retry: false, indices: [4]) == SweepResult(done: 0, failed: 1))
    #expect(throws: ExperimentError.self) { try run(resume: false, retry: false, indices: [6]) }
}

@Test func missingBinaryFailsEachEntryWithAClearError() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let out = dir.appendingPathComponent("sweep")
    let manifest = SweepManifest(spec: try SweepSpec(script: "/tmp/t.lua", seeds: [1, 2]))
    let result = try SweepRunner(manifest: manifest, directory: out,
                                 options: SweepOptions(binary: dir.appendingPathComponent("nope").path, live: false, quiet: true)).run()
    #expect(result.failed == 2)
    #expect(RunReader.status(in: SweepManifest.runDirectory(manifest.entries[0], in: out))?.error?.contains("cannot start") == true)
}

@Test func childArgumentsFollowTheRunContract() throws {
    let manifest = SweepManifest(spec: try SweepSpec(script: "/s/t.lua", grid: [SweepAxis(key: "lr", values: ["0.1"])],
                                                     sets: [("epochs", "2")], seeds: [5]))
    let runner = SweepRunner(manifest: manifest, directory: URL(fileURLWithPath: "/o"), options: SweepOptions(threadsPerJob: 2, binary: "x"))
    let id = manifest.entries[0].id
    #expect(runner.arguments(for: manifest.entries[0]) == [
        "run", "/s/t.lua", "--set", "lr=0.1", "--set", "epochs=2", "--seed", "5", "--threads", "2",
        "--out", "/o/runs/\(id)", "--quiet",
    ])
}
