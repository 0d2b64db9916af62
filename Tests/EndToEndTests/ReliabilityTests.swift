import Foundation
import Testing

/// Crash-safe training and determinism, through the real binary.
@Suite(.serialized) struct ReliabilityTests {
    static let example = projectRoot.appendingPathComponent("scripts/examples/resumable.lua").path

    func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    @Test func killedRunResumesToBitIdenticalParameters() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = dir.appendingPathComponent("reference"), killed = dir.appendingPathComponent("killed")
        let base = ["run", Self.example, "--quiet", "--threads", "1", "--set", "checkpoint_every=7"]
        let r = try Descent.run(base + ["--out", reference.path])
        #expect(r.status == 0, "\(r.stderr)")

        // Kill the second run with SIGKILL once it has logged a random number of steps.
        var generator = SystemRandomNumberGenerator()
        let killAfter = Int.random(in: 20...200, using: &generator)
        let process = Process()
        process.executableURL = Descent.binary
        process.arguments = base + ["--out", killed.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let metrics = killed.appendingPathComponent("metrics.jsonl")
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline {
            let lines = (try? String(contentsOf: metrics, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= killAfter { kill(process.processIdentifier, SIGKILL); break }
            usleep(1000)
        }
        process.waitUntilExit()
        let status = try String(contentsOf: killed.appendingPathComponent("status.json"), encoding: .utf8)
        if process.terminationReason == .uncaughtSignal {
            #expect(status.contains("\"running\""), "a SIGKILLed run cannot mark itself; status: \(status)")
        }
        let resumed = try Descent.run(base + ["--out", killed.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try bytes(reference.appendingPathComponent("final.safetensors")) == bytes(killed.appendingPathComponent("final.safetensors")),
                "killed after \(killAfter) steps")
        #expect(try bytes(reference.appendingPathComponent("metrics.jsonl")) == bytes(metrics), "metrics differ after resume")
    }

    @Test func sameSeedIsBitIdenticalAcrossRunsAndThreadCounts() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var outputs: [Data] = []
        for (k, threads) in ["1", "2", "1"].enumerated() {
            let out = dir.appendingPathComponent("run\(k)")
            let r = try Descent.run(["run", Self.example, "--quiet", "--seed", "5", "--threads", threads, "--out", out.path,
                                     "--set", "epochs=2"])
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try bytes(out.appendingPathComponent("final.safetensors")) + bytes(out.appendingPathComponent("metrics.jsonl")))
        }
        #expect(outputs[0] == outputs[1], "--threads 1 and 2 differ")
        #expect(outputs[0] == outputs[2], "two runs with the same seed differ")
    }

    @Test func largeKernelsAreIdenticalAcrossThreadCounts() throws {
        let script = """
            local a, b = tensor.randn(300, 700), tensor.randn(700, 500)
            local c = a:matmul(b)
            local x = tensor.randn(2000000)
            local conv = nn.functional.conv2d(tensor.randn(8, 3, 32, 32), tensor.randn(16, 3, 3, 3))
            print(string.format("%.9g %.9g %.9g %.9g", c:sum():item(), c[7][11], x:sum():item(), conv:sum():item()))
            print(string.format("%.9g", tensor.randn(1000, 100):softmax(2):log():mean():item()))
            """
        let one = try Descent.runScript(script, ["--threads", "1", "--seed", "3"])
        let two = try Descent.runScript(script, ["--threads", "2", "--seed", "3"])
        #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
        #expect(one.stdout == two.stdout)
    }

    @Test func interruptedRunIsMarked() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("experiment.log{ step = 1 }\nwhile true do end\n", to: "spin.lua", in: dir)
        let process = Process()
        process.executableURL = Descent.binary
        process.arguments = ["run", "spin.lua", "--out", "run", "--quiet"]
        process.currentDirectoryURL = dir
        try process.run()
        let metrics = dir.appendingPathComponent("run/metrics.jsonl")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, ((try? String(contentsOf: metrics, encoding: .utf8)) ?? "").isEmpty { usleep(2000) }
        process.interrupt()
        let waitUntil = Date().addingTimeInterval(15)
        while process.isRunning && Date() < waitUntil { usleep(5000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let status = try String(contentsOf: dir.appendingPathComponent("run/status.json"), encoding: .utf8)
        #expect(status.contains("\"interrupted\""), "\(status)")
        #expect(try String(contentsOf: metrics, encoding: .utf8) == "{\"step\":1}\n")
    }
}

/// `--detect-anomaly` / `autograd.detect_anomaly`: the first op or backward step that produces
/// NaN/Inf is named, with its script line.
@Suite struct AnomalyTests {
    @Test func forwardAnomalyNamesTheOpAndLine() throws {
        let r = try Descent.runScript("""
            local x = tensor.from{1, 0, 2}:requires_grad(true)
            local y = x * 2
            local z = y:log()
            print("not reached")
            """, ["--detect-anomaly"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:3: log: anomaly detected: the forward pass produced -inf"), "\(r.stderr)")
        #expect(!r.stdout.contains("not reached"))
    }

    @Test func backwardAnomalyNamesTheOpWhereItWasCalled() throws {
        let r = try Descent.runScript("""
            autograd.detect_anomaly(true)
            local x = tensor.from{0, 1, 4}:requires_grad(true)
            local loss = x:sqrt():sum()
            loss:backward()
            """)
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:4: backward: anomaly detected: the backward of sqrt (the op was called at script.lua:3) produced inf"), "\(r.stderr)")
    }

    @Test func withoutDetectionNonFiniteValuesFlowThrough() throws {
        let r = try Descent.runScript("print(tensor.from{0}:log():item())\n")
        #expect(r.status == 0)
        #expect(r.stdout == "-inf\n")
    }
}
