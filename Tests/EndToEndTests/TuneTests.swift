import Foundation
import Testing

/// `descent tune` through the binary: Sobol trials find the optimum of a cheap objective,
/// successive halving stops trials early, `--resume` runs only what is missing.
@Suite struct TuneTests {
    /// The loss is smallest at lr = 10^-2.5; each "step" appends its run's marker, so a run
    /// executed twice shows two starts.
    static let script = """
        local cfg = experiment.config{ lr = 0.1, steps = 27, pause = 0 }
        local f = assert(io.open(experiment.dir() .. "/attempts.log", "a"))
        f:write("start\\n")
        f:close()
        local target = (math.log(cfg.lr, 10) + 2.5) ^ 2
        for step = 1, cfg.steps do
          local t0 = experiment.clock()
          while experiment.clock() - t0 < cfg.pause do end  -- a training step's time
          experiment.log{ step = step, loss = target + 1 / step }
        end

        """
    static let space = #"{"lr": {"log_uniform": [1e-4, 1]}, "steps": 27}"#

    func setUp() throws -> URL {
        let dir = try Descent.temporaryDirectory()
        try Descent.write(Self.script, to: "t.lua", in: dir)
        try Descent.write(Self.space, to: "space.json", in: dir)
        return dir
    }

    @Test func sobolTrialsFindTheOptimumAndReportReadsThem() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Descent.run(["tune", "t.lua", "--space", "space.json", "--trials", "8", "--metric", "loss", "--mode", "min",
                                 "--out", "tune", "--jobs", "2"], in: dir, timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("tune: 8 done"), "\(r.stdout)")
        let best = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("best: lr=") })
        let lr = try #require(Double(best.dropFirst("best: lr=".count).split(separator: " ")[0]))
        #expect(abs(log10(lr) + 2.5) < 0.5, "best lr \(lr)")  // 8 Sobol points over 4 decades
        let report = try Descent.run(["report", "tune", "--metric", "loss"], in: dir)
        #expect(report.status == 0 && report.stdout.contains("lr"), "\(report.stderr)")
        // The same command again draws the same trials: nothing new to run with --resume.
        let again = try Descent.run(["tune", "t.lua", "--space", "space.json", "--trials", "8", "--metric", "loss", "--mode", "min",
                                     "--out", "tune", "--resume"], in: dir, timeout: 120)
        #expect(again.status == 0 && again.stderr.contains("0 done, 0 failed, 8 skipped"), "\(again.stderr)")
    }

    @Test func successiveHalvingPrunesAndSpendsLess() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 30 ms per step, so the tuner (which looks 5 times a second) meets trials mid-run.
        try Descent.write(#"{"lr": {"log_uniform": [1e-4, 1]}, "steps": 27, "pause": 0.03}"#, to: "slow.json", in: dir)
        let r = try Descent.run(["tune", "t.lua", "--trials", "9", "--metric", "loss", "--mode", "min",
                                 "--out", "asha", "--asha", "--min-resource", "3", "--max-resource", "27", "--space", "slow.json"], in: dir, timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("pruned"), "\(r.stdout)")
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("steps spent: ") })
        let spent = try #require(Double(line.dropFirst("steps spent: ".count).split(separator: " ")[0]))
        #expect(spent < 0.5 * 9 * 27, "\(line)")
        let status = try Descent.run(["status", "asha"], in: dir)
        #expect(status.stdout.contains("pruned"), "\(status.stdout)")
    }

    /// A tune killed with SIGKILL mid-way (trials done, trials running) and resumed at once:
    /// every trial ends up done and none ran twice (the running ones finish on their own and
    /// are not started again).
    @Test func sigkillMidTuneThenResumeRunsNothingTwice() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(#"{"lr": {"log_uniform": [1e-4, 1]}, "steps": 27, "pause": 0.02}"#, to: "slow.json", in: dir)
        let args = ["tune", "t.lua", "--space", "slow.json", "--trials", "8", "--metric", "loss", "--mode", "min",
                    "--out", "tune", "--jobs", "2"]
        let first = Process()
        first.executableURL = Descent.binary
        first.arguments = args
        first.currentDirectoryURL = dir
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        let runs = dir.appendingPathComponent("tune/runs")
        func done() -> Int {
            let ids = (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []
            return ids.filter { id in
                let status = try? String(contentsOf: runs.appendingPathComponent("\(id)/status.json"), encoding: .utf8)
                return status?.contains("\"done\"") == true
            }.count
        }
        let deadline = Date().addingTimeInterval(60)
        while first.isRunning, Date() < deadline, done() < 2 { usleep(10_000) }
        #expect(first.isRunning, "the tune finished before it could be killed")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let doneAtKill = done()
        #expect(doneAtKill >= 2 && doneAtKill < 8, "\(doneAtKill) done at the kill")

        let resumed = try Descent.run(args + ["--resume"], in: dir, timeout: 120)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // Trials of the killed tune that were still running finish by themselves.
        let orphanDeadline = Date().addingTimeInterval(20)
        while done() < 8, Date() < orphanDeadline { usleep(20_000) }
        let ids = try FileManager.default.contentsOfDirectory(atPath: runs.path)
        #expect(ids.count == 8 && done() == 8, "\(done()) of \(ids.count) done")
        for id in ids {
            let log = try String(contentsOf: runs.appendingPathComponent("\(id)/attempts.log"), encoding: .utf8)
            #expect(log == "start\n", "\(id) ran \(log.split(separator: "\n").count) times")
        }
    }

    @Test func resumeRunsOnlyWhatIsMissing() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["tune", "t.lua", "--space", "space.json", "--trials", "6", "--metric", "loss", "--mode", "min", "--out", "tune"]
        let part = try Descent.run(args + ["--index", "0-2"], in: dir, timeout: 120)
        #expect(part.status == 0, "\(part.stderr)")
        let rest = try Descent.run(args + ["--resume"], in: dir, timeout: 120)
        #expect(rest.status == 0 && rest.stderr.contains("3 done, 0 failed, 3 skipped"), "\(rest.stderr)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tune/runs").path)
        #expect(runs.count == 6)
        for run in runs {
            let log = try String(contentsOf: dir.appendingPathComponent("tune/runs/\(run)/attempts.log"), encoding: .utf8)
            #expect(log == "start\n", "\(run) ran \(log.split(separator: "\n").count) times")
        }
    }

    @Test func badSpacesAreUsageErrors() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (space, message) in [
            (#"{"lr": {"log_uniform": [0, 1]}}"#, "log_uniform: expected positive bounds"),
            (#"{"lr": {"normal": [0, 1]}}"#, "unknown distribution 'normal'"),
            (#"{"lrr": {"uniform": [0, 1]}}"#, "t.lua has no config key 'lrr'"),
        ] {
            try Descent.write(space, to: "bad.json", in: dir)
            let r = try Descent.run(["tune", "t.lua", "--space", "bad.json", "--metric", "loss", "--mode", "min", "--out", "x"], in: dir)
            #expect(r.status == 2 && r.stderr.contains(message), "\(r.stderr)")
        }
    }
}
