import Foundation
import Testing

/// `--sandbox`, `--timeout`, `--max-memory`: each ends the run with a clear error and exit 1,
/// and the run directory records why.
@Suite struct LimitsTests {
    @Test func sandboxBlocksFilesOutsideProcessesAndCLibraries() throws {
        let r = try Descent.runScript("""
            local function try(f, ...) local ok, err = pcall(f, ...) return ok and "allowed" or err end
            print(try(io.open, "/etc/passwd"))
            print(try(io.lines, "/etc/passwd"))
            print(try(os.execute, "echo escaped"))
            print(try(io.popen, "echo escaped"))
            print(try(package.loadlib, "libc.so.6", "system"))
            print(try(dofile, "/etc/passwd"))
            print(select(2, load(string.dump(function() end))))
            print(debug == nil, package.cpath == "")
            local f = assert(io.open("inside.txt", "w")); f:write("ok"); f:close()
            print(io.open("inside.txt"):read("a"))
            """, ["--sandbox"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 9, "\(r.stdout)")
        #expect(lines[0].contains("--sandbox: access to '/etc/passwd' is not allowed"))
        #expect(lines[1].contains("--sandbox: access to '/etc/passwd' is not allowed"))
        #expect(lines[2].contains("os.execute is not allowed in --sandbox"))
        #expect(lines[3].contains("io.popen is not allowed in --sandbox"))
        #expect(lines[4].contains("package.loadlib is not allowed in --sandbox"))
        #expect(lines[5].contains("not allowed"))
        #expect(lines[6].contains("attempt to load a binary chunk"))
        #expect(lines[7] == "true\ttrue")
        #expect(lines[8] == "ok")
        #expect(!r.stdout.contains("escaped"))
    }

    @Test func sandboxedScriptCannotReadPasswdAndFailsWithExit1() throws {
        let r = try Descent.runScript("local f = io.open('/etc/passwd')\n", ["--sandbox"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:1: --sandbox: access to '/etc/passwd' is not allowed"), "\(r.stderr)")
    }

    @Test func timeoutEndsAnInfiniteLoop() throws {
        let start = Date()
        let r = try Descent.runScript("while true do end\n", ["--timeout", "2"], timeout: 30)
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 1)
        #expect(r.stderr.contains("time limit of 2 s exceeded (--timeout)"), "\(r.stderr)")
        #expect(elapsed < 3.0, "took \(elapsed) s")
    }

    @Test func timeoutCannotBeSwallowedByPcall() throws {
        let r = try Descent.runScript("while true do pcall(function() while true do end end) end\n", ["--timeout", "1"], timeout: 30)
        #expect(r.status == 1)
        #expect(r.stderr.contains("time limit"), "\(r.stderr)")
    }

    @Test func maxMemoryEndsRunawayTensorAllocationAndRecordsWhy() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("local keep = {}\nwhile true do keep[#keep + 1] = tensor.zeros(1024 * 1024) end\n", to: "mem.lua", in: dir)
        let r = try Descent.run(["run", "mem.lua", "--max-memory", "512", "--out", "run"], in: dir, timeout: 60)
        #expect(r.status == 1)
        #expect(!r.terminatedBySignal)
        #expect(r.stderr.contains("memory limit of 512 MB exceeded (--max-memory)"), "\(r.stderr)")
        let status = try String(contentsOf: dir.appendingPathComponent("run/status.json"), encoding: .utf8)
        #expect(status.contains("\"failed\"") && status.contains("--max-memory"), "\(status)")
    }

    /// conv2d's per-sample scratch (one sample's columns, 144 × 7225 floats here) is tensor
    /// storage too: over the limit it is a clean error at the script line, not an abort.
    @Test func maxMemoryCoversConvolutionScratch() throws {
        let script = """
            local fill = tensor.zeros(15700000)
            local x, w = tensor.randn(1, 16, 87, 87), tensor.randn(4, 16, 3, 3)
            local y = nn.functional.conv2d(x, w)
            print('survived')

            """
        let r = try Descent.runScript(script, ["--max-memory", "64", "--threads", "1"], timeout: 60)
        #expect(r.status == 1)
        #expect(!r.terminatedBySignal)
        #expect(r.stderr.contains(":3: conv2d: out of memory: cannot allocate 4161600 bytes"), "\(r.stderr)")
    }

    @Test func maxMemoryAlsoCoversTheLuaHeap() throws {
        let r = try Descent.runScript("local t = {}\nwhile true do t[#t + 1] = string.rep('x', 1000000) .. #t end\n", ["--max-memory", "256"], timeout: 60)
        #expect(r.status == 1)
        #expect(r.stderr.contains("memory limit of 256 MB exceeded"), "\(r.stderr)")
    }
}
