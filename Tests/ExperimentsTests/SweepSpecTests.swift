import Foundation
import Testing
@testable import Experiments

@Test func gridZipAndSeedsExpandInTheDocumentedOrder() throws {
    let spec = try SweepSpec(
        script: "/tmp/train.lua",
        grid: [try SweepAxis.parse("lr=0.1,0.01", option: "--grid"), try SweepAxis.parse("depth=1,2", option: "--grid")],
        zip: [try SweepAxis.parse("width=8,16,32", option: "--zip"), try SweepAxis.parse("drop=0,0.1,0.2", option: "--zip")],
        sets: [try SweepSpec.parseSet("epochs=3")],
        seeds: [1, 2])
    let entries = spec.expand()
    #expect(entries.count == 2 * 2 * 3 * 2)
    #expect(entries.map(\.index) == Array(0..<24))
    #expect(entries[0].label == "lr=0.1 depth=1 width=8 drop=0 epochs=3 seed=1")
    #expect(entries[1].label == "lr=0.1 depth=1 width=8 drop=0 epochs=3 seed=2")
    #expect(entries[2].label == "lr=0.1 depth=1 width=16 drop=0.1 epochs=3 seed=1")
    #expect(entries[6].label == "lr=0.1 depth=2 width=8 drop=0 epochs=3 seed=1")
    #expect(entries[12].label == "lr=0.01 depth=1 width=8 drop=0 epochs=3 seed=1")
    #expect(Set(entries.map(\.id)).count == 24)
}

@Test func idsAreDeterministicContentHashes() throws {
    let a = try SweepSpec(script: "/tmp/train.lua", grid: [SweepAxis(key: "lr", values: ["0.1"])], sets: [("b", "2")], seeds: [3])
    let b = try SweepSpec(script: "/tmp/x/../train.lua", grid: [SweepAxis(key: "b", values: ["2"])], sets: [("lr", "0.1")], seeds: [3])
    #expect(a.expand()[0].id == b.expand()[0].id)  // key order and path spelling do not matter
    #expect(a.expand()[0].id.count == 12)
    #expect(a.expand()[0].id == SweepEntry.id(script: "/tmp/train.lua", overrides: [("lr", "0.1"), ("b", "2")], seed: 3))
    // Pinned: the canonical JSON is {"overrides":{"b":2,"lr":0.1},"script":"train.lua","seed":3}
    // (numbers as numbers; the file name only: the same sweep in another folder keeps its ids).
    let canonical = #"{"overrides":{"b":2,"lr":0.1},"script":"train.lua","seed":3}"#
    #expect(a.expand()[0].id == SweepEntry.id(script: "/home/elsewhere/train.lua", overrides: [("b", "2"), ("lr", "0.1")], seed: 3))
    #expect(a.expand()[0].id == String(SHA256.hex(Array(canonical.utf8)).prefix(12)))
    let other = try SweepSpec(script: "/tmp/train.lua", grid: [SweepAxis(key: "lr", values: ["0.1"])], sets: [("b", "2")], seeds: [4])
    #expect(other.expand()[0].id != a.expand()[0].id)
}

@Test func seedsParse() throws {
    #expect(try SweepSpec.parseSeeds("5") == [1, 2, 3, 4, 5])
    #expect(try SweepSpec.parseSeeds("1,2,3") == [1, 2, 3])
    #expect(try SweepSpec.parseSeeds("10..12") == [10, 11, 12])
    for bad in ["0", "-1", "a", "1,,2", "3..1", "1..x"] {
        #expect(throws: ExperimentError.self) { try SweepSpec.parseSeeds(bad) }
    }
}

@Test func invalidSweepsAreRejected() throws {
    #expect(throws: ExperimentError.self) { try SweepAxis.parse("lr", option: "--grid") }
    #expect(throws: ExperimentError.self) { try SweepAxis.parse("lr=0.1,,0.2", option: "--grid") }
    #expect(throws: ExperimentError.self) { try SweepAxis.parse("lr=0.1,0.1", option: "--grid") }
    #expect(throws: ExperimentError.self) { try SweepAxis.parse("l r=1", option: "--grid") }
    #expect(throws: ExperimentError.self) {
        try SweepSpec(script: "t.lua", zip: [SweepAxis(key: "a", values: ["1", "2"]), SweepAxis(key: "b", values: ["1"])])
    }
    #expect(throws: ExperimentError.self) {
        try SweepSpec(script: "t.lua", grid: [SweepAxis(key: "a", values: ["1"])], sets: [("a", "2")])
    }
    #expect(throws: ExperimentError.self) { try SweepSpec(script: "t.lua", seeds: [1, 1]) }
}

@Test func manifestRoundTrips() throws {
    let dir = try makeTempDir()
    defer { cleanup(dir) }
    let spec = try SweepSpec(script: "/tmp/train.lua", grid: [SweepAxis(key: "lr", values: ["0.1", "0.01"])],
                             sets: [("epochs", "2")], seeds: [1, 2])
    let manifest = SweepManifest(spec: spec)
    try manifest.write(to: dir)
    let back = try SweepManifest.load(from: dir)
    #expect(back.entries == manifest.entries)
    #expect(back.script == "/tmp/train.lua" && back.sweptKeys == ["lr"] && back.seeds == [1, 2])
    #expect(back.json == manifest.json)
    let json = try RunReader.readJSON(dir.appendingPathComponent("manifest.json"))
    #expect(json["entries"]?.arrayValue?[1]["index"] == 1)
    #expect(json["entries"]?.arrayValue?[1]["dir"] == .string("runs/" + manifest.entries[1].id))
    #expect(throws: ExperimentError.self) { try SweepManifest.load(from: dir.appendingPathComponent("nope")) }
}

@Test func indexRangesFormatAndParse() throws {
    #expect(IndexRanges.format([9, 3, 7, 8]) == "3,7-9")
    #expect(IndexRanges.format([0, 1, 2, 5, 10, 11]) == "0-2,5,10-11")
    #expect(IndexRanges.format([]) == "")
    #expect(try IndexRanges.parse("3,7-9") == [3, 7, 8, 9])
    for bad in ["", "a", "3-", "9-7", "1,,2"] {
        #expect(throws: ExperimentError.self) { try IndexRanges.parse(bad) }
    }
}

@Test func resumeRule() {
    #expect(SweepState.shouldRun(.done, resume: false, retryFailed: false))
    #expect(!SweepState.shouldRun(.done, resume: true, retryFailed: false))
    #expect(!SweepState.shouldRun(.failed, resume: true, retryFailed: false))
    #expect(!SweepState.shouldRun(.diverged, resume: true, retryFailed: false))
    #expect(SweepState.shouldRun(.interrupted, resume: true, retryFailed: false))
    #expect(SweepState.shouldRun(.running, resume: true, retryFailed: false))
    #expect(SweepState.shouldRun(nil, resume: true, retryFailed: false))
    #expect(SweepState.shouldRun(.failed, resume: true, retryFailed: true))
    #expect(SweepState.shouldRun(.diverged, resume: false, retryFailed: true))
    #expect(!SweepState.shouldRun(.done, resume: false, retryFailed: true))
}

@Test func runIdsHashCanonicalValues() throws {
    func id(_ value: String, defaults: [String: JSONValue] = [:]) -> String {
        SweepEntry.id(script: "/w/train.lua", overrides: [("lr", value), ("opt", "adam")], seed: 1, defaults: defaults)
    }
    // A number is a number however it is typed.
    #expect(id("1e-3") == id("0.001") && id("0.001") == id(".001") && id("1") == id("1.0"))
    #expect(id("1e-3") != id("1e-2"))
    // An override equal to the script's default is the same run as no override.
    let defaults: [String: JSONValue] = ["lr": .number(0.001), "opt": .string("adam")]
    #expect(id("1e-3", defaults: defaults) == SweepEntry.id(script: "/w/train.lua", overrides: [], seed: 1, defaults: defaults))
    #expect(id("0.1", defaults: defaults) != id("1e-3", defaults: defaults))
    // Booleans from the command line compare with boolean defaults.
    #expect(SweepEntry.id(script: "t.lua", overrides: [("nesterov", "true")], seed: 1, defaults: ["nesterov": .bool(true)])
        == SweepEntry.id(script: "t.lua", overrides: [], seed: 1))
}

@Test func zipAcceptsRepeatedValuesButNotRepeatedRuns() throws {
    let lr = try SweepAxis.parse("lr=3e-3,3e-3,5e-2", option: "--zip", allowRepeats: true)
    let wd = try SweepAxis.parse("wd=0,0.1,0", option: "--zip", allowRepeats: true)
    let spec = try SweepSpec(script: "/w/t.lua", zip: [lr, wd])
    #expect(spec.expand().count == 3)
    #expect(Set(spec.expand().map(\.id)).count == 3)
    // The same pair twice (0.003 typed two ways) is one run twice: refused.
    let lr2 = try SweepAxis.parse("lr=3e-3,0.003", option: "--zip", allowRepeats: true)
    let wd2 = try SweepAxis.parse("wd=0,0", option: "--zip", allowRepeats: true)
    #expect(throws: ExperimentError.self) { try SweepSpec(script: "/w/t.lua", zip: [lr2, wd2]) }
    // Grid values stay distinct, canonically.
    #expect(throws: ExperimentError.self) { try SweepAxis.parse("lr=0.1,1e-1", option: "--grid") }
}

@Test func slurmPacksEntriesPerTaskWithSetupLines() {
    let text = SweepEmitter.sbatch(command: ["/bin/descent", "sweep", "/w/t.lua", "--out", "/w/o"], count: 10,
                                   sweepDirectory: URL(fileURLWithPath: "/w/o"), throttle: 8, cpusPerTask: 1,
                                   perTask: 4, setup: ["module load swift", "export X=1"])
    #expect(text.contains("#SBATCH --array=0-2%8\n"))
    #expect(text.contains("set -u\n# --setup\nmodule load swift\nexport X=1\nfirst=$((SLURM_ARRAY_TASK_ID * 4))\n"))
    #expect(text.contains("last=$((first + 3 < 9 ? first + 3 : 9))\n"))
    #expect(text.contains("--out /w/o --index \"$first-$last\"\n"))
    // One entry per task stays the plain form.
    let plain = SweepEmitter.sbatch(command: ["/bin/descent"], count: 3, sweepDirectory: URL(fileURLWithPath: "/w/o"),
                                    throttle: 2, cpusPerTask: 1)
    #expect(plain.contains("#SBATCH --array=0-2%2\n") && plain.contains("exec /bin/descent --index \"$SLURM_ARRAY_TASK_ID\""))
}
