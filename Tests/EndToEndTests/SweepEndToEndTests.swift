import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `descent sweep`, `report` and `status` through the real binary: a grid sweep and its report,
/// SIGKILL in the middle of a sweep and `--resume`, and the failed-entry listing.
@Suite(.serialized) struct SweepEndToEndTests {
    /// Logs a value that depends on a, b and the seed, so the report's means can be checked.
    static let gridScript = """
        local cfg = experiment.config{ a = 1, b = "x" }
        local v = cfg.a * 10 + (cfg.b == "y" and 1 or 0) + experiment.seed() * 0.1
        experiment.log{ step = 1, loss = v }
        experiment.log{ step = 2, loss = v / 2 }
        experiment.summary{ loss = v / 2 }

        """

    /// Appends `start`/`end` to the run's attempts.log around 0.3 s of busy work, so a run that
    /// was executed twice shows two starts (metrics.jsonl is truncated by each attempt).
    /// Entries 4 and 5 (a=1, b=y, seeds 2 and 3) take 1.2 s: they are the ones running when the
    /// test kills the sweep after 4 done, and must still be running when `--resume` starts.
    static let slowScript = """
        local cfg = experiment.config{ a = 1, b = "x" }
        local long = cfg.a == 1 and cfg.b == "y" and experiment.seed() >= 2
        local function mark(word)
          local f = assert(io.open(experiment.dir() .. "/attempts.log", "a"))
          f:write(word, "\\n")
          f:close()
        end
        mark("start")
        local t0 = experiment.clock()
        while experiment.clock() - t0 < (long and 1.2 or 0.3) do end
        experiment.log{ step = 1, loss = cfg.a }
        experiment.summary{ loss = cfg.a }
        mark("end")

        """

    static let grid = ["--grid", "a=1,2", "--grid", "b=x,y", "--seeds", "3", "--jobs", "2"]

    @Test func gridSweepReportsThreeSeedsPerGroup() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.gridScript, to: "grid.lua", in: dir)

        let sweep = try Descent.run(["sweep", "grid.lua"] + Self.grid + ["--out", "sweep"], in: dir, timeout: 60)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stderr.contains("sweep: 12 done, 0 failed, 0 skipped, 0 not run"), "\(sweep.stderr)")
        #expect(try statuses(dir.appendingPathComponent("sweep")).values.sorted() == Array(repeating: "done", count: 12))

        let status = try Descent.run(["status", "sweep"], in: dir)
        #expect(status.status == 0)
        #expect(status.stdout == "12 entries: 12 done, 0 failed, 0 diverged, 0 interrupted, 0 running, 0 missing\n")

        let csv = try Descent.run(["report", "sweep", "--format", "csv"], in: dir)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "rank,a,b,n,mean,std,sem,median,q1,q3,min,max,failed,diverged")
        #expect(lines.count == 5)
        var means: [String: Double] = [:]
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(cells.count == 14, "\(line)")
            guard cells.count == 14 else { continue }
            #expect(cells[3] == "3", "n of \(line)")
            #expect(cells[12] == "0" && cells[13] == "0", "failed/diverged of \(line)")
            means[cells[1] + cells[2]] = Double(cells[4])
        }
        // Final loss (a*10 + [b == y] + seed/10) / 2, averaged over seeds 1..3.
        for (group, expected) in ["1x": 5.1, "1y": 5.6, "2x": 10.1, "2y": 10.6] {
            #expect(abs((means[group] ?? .nan) - expected) < 1e-9, "mean of group \(group)")
        }

        let json = try Descent.run(["report", "sweep", "--format", "json"], in: dir)
        #expect(json.status == 0, "\(json.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
        let groups = try #require(decoded as? [[String: Any]])
        #expect(groups.count == 4)
        #expect(groups.allSatisfy { ($0["n"] as? NSNumber)?.intValue == 3 })
        #expect(Set(groups.compactMap { g in (g["a"] as? String).flatMap { a in (g["b"] as? String).map { a + $0 } } })
                == ["1x", "1y", "2x", "2y"])
    }

    /// A sweep directory moved together with a copy of its script (another checkout, another
    /// machine) resumes there: run ids do not depend on the script's folder.
    @Test func movedSweepResumesWithoutRerunning() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("checkout-a"), second = dir.appendingPathComponent("checkout-b")
        for d in [first, second] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try Descent.write(Self.gridScript, to: "grid.lua", in: d)
        }
        let sweep = try Descent.run(["sweep", "grid.lua"] + Self.grid + ["--out", "sweep"], in: first, timeout: 60)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        try FileManager.default.moveItem(at: first.appendingPathComponent("sweep"), to: second.appendingPathComponent("sweep"))

        let resumed = try Descent.run(["sweep", "grid.lua"] + Self.grid + ["--out", "sweep", "--resume"], in: second, timeout: 60)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("sweep: 0 done, 0 failed, 12 skipped, 0 not run"), "\(resumed.stderr)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: second.appendingPathComponent("sweep/runs").path)
        #expect(runs.count == 12)
    }

    @Test func resumeAfterSigkillRunsEveryEntryExactlyOnce() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.slowScript, to: "slow.lua", in: dir)
        let sweepDir = dir.appendingPathComponent("sweep")
        let arguments = ["sweep", "slow.lua"] + Self.grid + ["--out", "sweep"]

        let first = Process()
        first.executableURL = Descent.binary
        first.arguments = arguments
        first.currentDirectoryURL = dir
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // Kill once a third of the entries are done: mid-way, with two children running.
        let deadline = Date().addingTimeInterval(30)
        while first.isRunning, Date() < deadline,
              (try? statuses(sweepDir).values.filter { $0 == "done" }.count) ?? 0 < 4 {
            usleep(10_000)
        }
        #expect(first.isRunning, "the sweep finished before it could be killed")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        let doneBeforeKill = Set(try statuses(sweepDir).filter { $0.value == "done" }.keys)
        #expect(doneBeforeKill.count >= 4 && doneBeforeKill.count < 12, "\(doneBeforeKill.count) done at the kill")

        // Resume at once: children of the killed sweep may still be running (they are in
        // process groups of their own) and must not be started a second time.
        let resumed = try Descent.run(arguments + ["--resume"], in: dir, timeout: 60)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // Whether children of the killed sweep are still running at this point depends on timing;
        // when they are, they must be reported and not started a second time (checked below by
        // every run having exactly one start and one end).

        // The orphans finish on their own; none may be left behind.
        let orphanDeadline = Date().addingTimeInterval(10)
        while !processes(mentioning: sweepDir.path).isEmpty, Date() < orphanDeadline { usleep(20_000) }
        #expect(processes(mentioning: sweepDir.path).isEmpty, "children of the killed sweep are still running")

        let final = try statuses(sweepDir)
        #expect(final.count == 12)
        #expect(final.values.allSatisfy { $0 == "done" }, "\(final)")
        for id in final.keys {
            let attempts = try String(contentsOf: sweepDir.appendingPathComponent("runs/\(id)/attempts.log"), encoding: .utf8)
            #expect(attempts == "start\nend\n", "run \(id)\(doneBeforeKill.contains(id) ? " (done before the kill)" : "") ran: \(attempts)")
            let metrics = try String(contentsOf: sweepDir.appendingPathComponent("runs/\(id)/metrics.jsonl"), encoding: .utf8)
            #expect(metrics.split(separator: "\n").count == 1, "run \(id) metrics: \(metrics)")
        }
        let skipped = resumed.stderr.components(separatedBy: "skipped").first?.split(separator: " ").last.flatMap { Int($0) }
        #expect((skipped ?? 0) >= doneBeforeKill.count, "\(resumed.stderr)")
    }

    @Test func statusListsFailedEntriesInArraySyntax() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("""
            local cfg = experiment.config{ a = 1, b = "x" }
            if cfg.b == "bad" then error("b=bad is not supported") end
            experiment.summary{ loss = cfg.a }

            """, to: "flaky.lua", in: dir)
        // Entries: a slowest, then b, then seeds: b=bad is at indices 2-3 and 6-7.
        let sweep = try Descent.run(["sweep", "flaky.lua", "--grid", "a=1,2", "--grid", "b=x,bad", "--seeds", "2",
                                     "--jobs", "2", "--out", "sweep"], in: dir, timeout: 60)
        #expect(sweep.status == 1)
        #expect(sweep.stderr.contains("sweep: 4 done, 4 failed"), "\(sweep.stderr)")

        let status = try Descent.run(["status", "sweep"], in: dir)
        #expect(status.status == 1)
        #expect(status.stdout.hasPrefix("8 entries: 4 done, 4 failed, 0 diverged, 0 interrupted, 0 running, 0 missing\n"), "\(status.stdout)")
        #expect(status.stdout.contains("failed indices: --array=2-3,6-7\n"), "\(status.stdout)")
        #expect(status.stdout.components(separatedBy: "b=bad is not supported").count - 1 == 4, "\(status.stdout)")
        #expect(status.stdout.contains("/stderr.log"))

        let indices = try Descent.run(["status", "sweep", "--failed-indices"], in: dir)
        #expect(indices.status == 1)
        #expect(indices.stdout == "2-3,6-7\n")

        // The report counts the failures in their groups.
        let csv = try Descent.run(["report", "sweep", "--format", "csv"], in: dir)
        #expect(csv.status == 0, "\(csv.stderr)")
        let bad = csv.stdout.split(separator: "\n").filter { $0.contains(",bad,") }
        #expect(bad.count == 2 && bad.allSatisfy { $0.hasPrefix(",") && $0.hasSuffix(",2,0") }, "\(csv.stdout)")
    }

    @Test func plotAndHTMLTellMoreGroupsThanColoursApart() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.gridScript, to: "grid.lua", in: dir)
        let sweep = try Descent.run(["sweep", "grid.lua", "--grid", "a=" + (1...11).map(String.init).joined(separator: ","),
                                     "--jobs", "2", "--out", "sweep"], in: dir, timeout: 60)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let report = try Descent.run(["report", "sweep", "--plot", "curves.svg", "--html", "report.html"], in: dir)
        #expect(report.status == 0, "\(report.stderr)")
        let svg = try String(contentsOf: dir.appendingPathComponent("curves.svg"), encoding: .utf8)
        let lines = svg.components(separatedBy: "\n").filter { $0.hasPrefix("<polyline") }
        #expect(lines.count == 11)
        // Nine colours (GroupColors): the tenth and eleventh curves share a colour, dashed.
        #expect(lines.filter { $0.contains("stroke-dasharray") }.count == 2, "\(lines)")
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<th>rank</th><th>a</th><th>n</th><th>mean</th>"))
        #expect(html.contains("<svg") && html.hasSuffix("</html>\n"))
    }

    // MARK: - Helpers

    /// The `"status"` of every run directory under `sweep/runs`, by run id.
    func statuses(_ sweep: URL) throws -> [String: String] {
        let runs = sweep.appendingPathComponent("runs")
        guard FileManager.default.fileExists(atPath: runs.path) else { return [:] }
        var result: [String: String] = [:]
        for id in try FileManager.default.contentsOfDirectory(atPath: runs.path) {
            let file = runs.appendingPathComponent(id).appendingPathComponent("status.json")
            guard let data = FileManager.default.contents(atPath: file.path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let status = object["status"] as? String
            else { result[id] = "missing"; continue }
            result[id] = status
        }
        return result
    }

    /// Live (not zombie) processes whose command line mentions `text`, from /proc.
    func processes(mentioning text: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap(Int32.init).filter { pid in
            guard pid != getpid(),
                  let cmdline = readProcFile("/proc/\(pid)/cmdline"), cmdline.contains(text),
                  let stat = readProcFile("/proc/\(pid)/stat")
            else { return false }
            // The state follows the parenthesized command name: "pid (comm) S ...".
            let fields = stat.components(separatedBy: ") ")
            return fields.count > 1 && !fields[1].hasPrefix("Z")
        }
    }

    /// A /proc file's text; read to EOF because /proc reports a size of 0.
    func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
