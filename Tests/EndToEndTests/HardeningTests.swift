import Foundation
import Testing

/// Regression tests for issue 14 (hardening and provenance), one group per class of fault. Each
/// script here crashed the host or misbehaved before its fix; the comment says how.

/// Class 1: bindings use the `L` they were called on (a coroutine's thread), never the main one.
@Suite struct CoroutineStateTests {
    /// Before: `opt.param_groups` inside coroutine.wrap segfaulted (the proxy function was pushed
    /// onto the main thread and the coroutine returned whatever was on its own stack).
    @Test func paramGroupsInsideACoroutine() throws {
        let r = try Descent.runScript("""
            local p = tensor.zeros(3):requires_grad(true)
            local opt = optim.SGD({p}, {lr = 0.1})
            print(coroutine.wrap(function() return opt.param_groups[1].lr end)())
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stdout == "0.1\n")
    }

    /// Before: every optim.define in a coroutine left a function on the main thread's stack and
    /// returned a wrong value; 200 of them corrupted the heap (SIGABRT).
    @Test func defineInsideACoroutine() throws {
        let r = try Descent.runScript("""
            local ctor = coroutine.wrap(function()
              local c
              for i = 1, 200 do c = optim.define{name = "mine" .. i, update = function(p, g, s) end} end
              return c
            end)()
            print(type(ctor), tostring(ctor(tensor.zeros(2))):match("^mine200"))
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stdout == "function\tmine200\n")
    }

    /// Before: a LambdaLR built in a coroutine referenced slot 2 of the main thread (its function
    /// was nil: "attempt to call a nil value"), and Lua callbacks (LambdaLR's function, a custom
    /// optimizer's update) always ran on the main thread.
    @Test func callbacksRunOnTheCallingThread() throws {
        let r = try Descent.runScript("""
            local p = tensor.zeros(3):requires_grad(true)
            local opt = optim.SGD({p}, {lr = 0.1})
            local on_main
            local s = coroutine.wrap(function()
              return optim.lr.LambdaLR(opt, function(e) on_main = select(2, coroutine.running()); return 0.5 end)
            end)()
            coroutine.wrap(function() s:step() end)()
            print(opt:get_lr(), on_main)
            local Mine = coroutine.wrap(function()
              return optim.define{name = "mine", update = function(p, g, st) on_main = select(2, coroutine.running()); p:add_(-1) end}
            end)()
            local o2 = Mine({p})
            p.grad = tensor.ones(3)
            coroutine.wrap(function() o2:step() end)()
            print(p[1], on_main)
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stdout == "0.05\tfalse\n-1\tfalse\n")
    }
}

/// Class 2: recursion over Lua values checks stack space (`lua_checkstack`) and is bounded.
@Suite struct NestingTests {
    /// Before: a SequentialLR state nested 100 deep (save or load) wrote past the Lua stack
    /// (SIGSEGV); 40 deep already pushed past the 20 guaranteed slots.
    @Test func deepSchedulerStatesAreErrorsAndModerateOnesRoundTrip() throws {
        let r = try Descent.runScript("""
            local opt = optim.SGD({tensor.zeros(3):requires_grad(true)}, {lr = 0.1})
            local function nested(n)
              local s = optim.lr.StepLR(opt, {step_size = 1})
              for i = 1, n do s = optim.lr.SequentialLR(opt, {schedulers = {s}, milestones = {}}) end
              return s
            end
            local s = nested(40)
            s:step()
            local sd = s:state_dict()
            s:load_state_dict(sd)
            print("40 ok", s:state_dict().children[1].children[1].step_count)
            print(pcall(nested(100).state_dict, nested(100)))
            local deep, cur = sd, sd
            for i = 1, 100 do local c = nested(0):state_dict(); cur.children = {c}; cur = c end
            print(pcall(s.load_state_dict, s, deep))
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(r.stdout)")
        #expect(lines.first?.hasPrefix("40 ok") == true)
        #expect(lines.dropFirst().allSatisfy { $0.contains("false") && $0.contains("scheduler state nests more than 64 levels deep") }, "\(r.stdout)")
    }

    /// Before: a tensor with 100,000 dimensions overflowed the C stack in tostring and totable
    /// (SIGSEGV). Tensors have at most 64 dimensions, as in NumPy.
    @Test func tensorRankIsBounded() throws {
        let r = try Descent.runScript("""
            local dims = {} for i = 1, 100000 do dims[i] = 1 end
            print(pcall(tensor.ones, dims))
            local t = tensor.ones(1)
            print(pcall(function() for i = 1, 100000 do t = t:unsqueeze(1) end end))
            print(t:dim(), #t:totable(), #tostring(t) > 0)
            print(pcall(tensor.ones(1).view, tensor.ones(1), dims))
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(r.stdout)")
        #expect(lines[0].contains("ones: a tensor has at most 64 dimensions, got 100000"))
        #expect(lines[1].contains("unsqueeze: a tensor has at most 64 dimensions"))
        #expect(lines[2] == "64\t1\ttrue")
        #expect(lines[3].contains("view: a tensor has at most 64 dimensions"))
    }
}

/// Class 3: Swift arrays sized from an element count are checked against the memory limit first.
@Suite struct ElementCountTests {
    /// Before: each line aborted the process ("failed to allocate 4398046511136 bytes"): an
    /// expanded (stride-0) tensor has 2^40 elements in one float of storage.
    @Test func expandedTensorsAndSharedRowsAreErrors() throws {
        let r = try Descent.runScript("""
            local function try(f) local ok, err = pcall(f); print(ok, err) end
            try(function() return tensor.ones(1):expand(2^40):totable() end)
            try(function() return tensor.randn(5, 3):index_select(1, tensor.ones(1):expand(2^40)) end)
            try(function() return tensor.randn(5, 3):gather(1, tensor.ones(1, 1):expand(2^40, 3)) end)
            try(function() return nn.cross_entropy(tensor.randn(1, 3):expand(2^40, 3), tensor.ones(1):expand(2^40)) end)
            try(function() return nn.functional.embedding(tensor.ones(1):expand(2^40), tensor.randn(4, 2)) end)
            local row = {} for i = 1, 100000 do row[i] = 1 end
            local rows = {} for i = 1, 10000000 do rows[i] = row end
            try(function() return tensor.from(rows) end)
            print(#tensor.ones(3):expand(4, 3):totable())
            """, timeout: 120)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 7, "\(r.stdout)")
        for (line, op) in zip(lines, ["totable", "index_select", "gather", "cross_entropy", "embedding", "from"]) {
            #expect(line.hasPrefix("false") && line.contains("\(op): out of memory:"), "\(line)")
        }
        #expect(lines.last == "4")
    }
}

/// Class 4: extreme numbers are located Lua errors or usage errors, never Swift traps.
@Suite struct ExtremeNumberTests {
    /// Before: SIGILL (Int(2^63), Int(inf), e * s overflow, last_epoch + 1 overflow), and conv2d with
    /// dilation 2^62 returned a tensor of a wrapped-around shape in release builds.
    @Test func extremeIntegersInStateDictsAndOptions() throws {
        let r = try Descent.runScript("""
            local p = tensor.zeros(3):requires_grad(true)
            local opt = optim.Adam({p}, {lr = 0.1})
            local function try(f, ...) print(select(2, pcall(f, ...))) end
            for _, key in ipairs({2^63, math.huge}) do
              local sd = opt:state_dict(); sd.state[key] = {}
              try(opt.load_state_dict, opt, sd)
            end
            local sd = opt:state_dict(); sd.state[1] = {step = math.maxinteger}
            try(opt.load_state_dict, opt, sd)
            try(optim.lr.OneCycleLR, opt, {max_lr = 1, epochs = 1 << 32, steps_per_epoch = 1 << 32})
            local s = optim.lr.StepLR(opt, {step_size = 1})
            local st = s:state_dict(); st.last_epoch = math.maxinteger
            try(s.load_state_dict, s, st)
            try(nn.functional.conv2d, tensor.randn(1, 1, 5, 5), tensor.randn(1, 1, 3, 3), nil, {dilation = 1 << 62})
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(r.stdout)")
        guard lines.count == 6 else { return }
        #expect(lines[0].contains("script.lua:3: load_state_dict: state dict: state keys must be parameter positions"))
        #expect(lines[1].contains("got inf"))
        #expect(lines[2].contains("step expected an integer in [0, 9007199254740992], got 9223372036854775807"))
        #expect(lines[3].contains("OneCycleLR: epochs * steps_per_epoch (4294967296 * 4294967296) exceeds"))
        #expect(lines[4].contains("'last_epoch' expected an integer in [-1, 9007199254740992]"))
        #expect(lines[5].contains("conv2d: expected dilation <= 2147483648"))
    }

    /// Before: `--timeout 1e10` / `inf` and `--max-memory 10000000000000` trapped converting to
    /// nanoseconds / bytes (SIGILL). Now they are usage errors (exit 2).
    @Test func extremeLimitsOnTheCommandLineAreUsageErrors() throws {
        for args in [["--timeout", "1e10"], ["--timeout", "inf"], ["--timeout", "nan"], ["--max-memory", "10000000000000"]] {
            let r = try Descent.runScript("print('ran')\n", args)
            #expect(r.status == 2 && !r.terminatedBySignal, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(args[0] + " expects"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }
}

/// Runs `descent arguments...` under a 4 GB address-space cap (`ulimit -v`: a test that regresses
/// must not take the machine's memory) and samples its peak resident set size (VmHWM).
func runMeasuringPeak(_ arguments: [String], script: String, timeout: TimeInterval = 60) throws -> (run: DescentRun, peakMB: Double, seconds: Double) {
    let dir = try Descent.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Descent.write(script, to: "script.lua", in: dir)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    let quoted = ([Descent.binary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    process.arguments = ["-c", "ulimit -v 4000000; exec " + quoted.joined(separator: " ")]
    process.currentDirectoryURL = dir
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    var outData = Data(), errData = Data()
    let group = DispatchGroup()
    let start = Date()
    try process.run()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    var peakKB = 0.0
    let path = "/proc/\(process.processIdentifier)/status"
    while process.isRunning && Date().timeIntervalSince(start) < timeout {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
            peakKB = max(peakKB, kb)
        }
        usleep(2000)
    }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    group.wait()
    return (DescentRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self),
                       terminatedBySignal: process.terminationReason == .uncaughtSignal), peakKB / 1024, seconds)
}

/// The binary's resident size running `print(1)` (MB), the baseline of the memory bounds.
let baselineMB: Double = (try? runMeasuringPeak(["run", "script.lua"], script: "print(1)\n").peakMB) ?? 30

/// Class 5: no Lua code runs below a Swift frame because of descent (finalizers start after the
/// Swift call), and the allocator's "Swift is running" depth is restored at protected calls.
@Suite struct FinalizerTests {
    /// Before: finalizers ran inside `totable` (a GC step from a Swift call) with the memory limit
    /// off: `--max-memory 100` reached 3.5 GB (the 4 GB cap) — 23 GB without it.
    @Test func finalizersStartedByDescentCallsAllocateUnderTheLimit() throws {
        let (r, peak, _) = try runMeasuringPeak(["run", "script.lua", "--max-memory", "100"], script: """
            keep = {}
            local mt = {__gc = function() local t = {} for i = 1, 3e7 do t[i] = i end keep[#keep + 1] = t end}
            collectgarbage("generational", 1, 100)
            for i = 1, 10 do setmetatable({}, mt) end
            local x = tensor.ones(1000, 100):totable()
            """)
        #expect(!r.terminatedBySignal, "\(r.stderr)")
        #expect(peak < 1.5 * 100 + baselineMB, "peak \(peak) MB, baseline \(baselineMB) MB")
    }

    /// A finalizer that runs during a descent call cannot call descent (it could change objects
    /// that call is using); it ends with an error, which Lua reports as a warning.
    @Test func finalizersCannotReenterDescentCalls() throws {
        let r = try Descent.runScript("""
            local t = tensor.zeros(4)
            local calls = 0
            local mt = {__gc = function() calls = calls + 1; t:add_(1) end}
            for round = 1, 20 do
              for i = 1, 100 do setmetatable({}, mt) end
              local x = tensor.ones(100, 100):totable()
            end
            collectgarbage()
            print(calls > 0, t[1] <= calls)
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stdout == "true\ttrue\n")
    }
}

/// Class 7: limits hold where Lua's hook cannot reach, a hit limit is not catchable, and the
/// run records why.
@Suite struct LimitHoldTests {
    /// Before: each ran until the test's own timeout (a `__gc` loop runs with hooks off; a pattern
    /// match and a matmul run no Lua instructions). Now the watchdog ends them within T + 1 s.
    @Test(arguments: [
        "setmetatable({}, {__gc = function() while true do end end}); collectgarbage(); print('after')",
        "print(string.find(('a'):rep(60), ('a*'):rep(20) .. 'b'))",
        "local a = tensor.ones(6000, 6000); local b = a:matmul(a); print('done')",
    ])
    func timeoutEndsCodeNoHookReaches(_ source: String) throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(source + "\n", to: "script.lua", in: dir)
        let start = Date()
        let r = try Descent.run(["run", "script.lua", "--timeout", "1", "--out", "run"], in: dir, timeout: 30)
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 1 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stderr.contains("time limit of 1 s exceeded (--timeout)"), "\(r.stderr)")
        #expect(elapsed < 1 + 1 + 0.6, "took \(elapsed) s (start-up included)")
        let status = try String(contentsOf: dir.appendingPathComponent("run/status.json"), encoding: .utf8)
        #expect(status.contains("\"failed\"") && status.contains("--timeout"), "\(status)")
    }

    /// Before: `pcall` caught the memory error and the run ended `done`. (A single request larger
    /// than the whole limit stays a catchable error: nothing was exceeded.)
    @Test func memoryLimitIsNotCatchable() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("""
            local keep = {}
            print(pcall(function() while true do keep[#keep + 1] = tensor.zeros(1e6) end end))
            print('survived')
            """, to: "script.lua", in: dir)
        let r = try Descent.run(["run", "script.lua", "--max-memory", "100", "--out", "run"], in: dir)
        #expect(r.status == 1 && !r.stdout.contains("survived"), "\(r.stdout) \(r.stderr)")
        let status = try String(contentsOf: dir.appendingPathComponent("run/status.json"), encoding: .utf8)
        #expect(status.contains("\"failed\"") && status.contains("out of memory"), "\(status)")
        let big = try Descent.runScript("print(pcall(tensor.zeros, 1e9))\nprint('survived')\n", ["--max-memory", "100"])
        #expect(big.status == 0 && big.stdout.contains("false") && big.stdout.contains("survived"), "\(big.stdout) \(big.stderr)")
    }

    /// Before: one-element tensors were counted as 4 bytes each: `--max-memory 100` reached
    /// about 3 GB before the 10^7th. Now their objects are counted too.
    @Test func smallTensorsCountTheirObjects() throws {
        let (r, peak, _) = try runMeasuringPeak(["run", "script.lua", "--max-memory", "100"],
                                                script: "local keep = {} for i = 1, 1e7 do keep[i] = tensor.zeros(1) end print('done')\n")
        #expect(r.status == 1 && !r.terminatedBySignal && !r.stdout.contains("done"), "\(r.stderr)")
        #expect(r.stderr.contains("memory limit of 100 MB exceeded"), "\(r.stderr)")
        #expect(peak < 1.5 * 100 + baselineMB, "peak \(peak) MB")
    }

    /// Before: a finalizer's failed allocation became a warning and the run ended `done`.
    @Test func aLimitHitInsideAFinalizerFailsTheRun() throws {
        let r = try Descent.runScript("""
            keep = {}
            setmetatable({}, {__gc = function() local t = {} for i = 1, 3e7 do t[i] = i end keep[1] = t end})
            collectgarbage()
            print("survived")
            """, ["--max-memory", "100"])
        #expect(r.status == 1 && !r.terminatedBySignal, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("memory limit of 100 MB exceeded"), "\(r.stderr)")
    }
}

/// Class 6: the `debug` library keeps what scripts need; the rest needs `--unsafe-debug`.
@Suite struct DebugLibraryTests {
    /// Before: `debug.setmetatable` gave a tensor the optimizer's metatable and `t:step()`
    /// crashed (SIGSEGV); `debug.sethook()` removed the `--timeout` hook.
    @Test func unsafeDebugFunctionsNeedTheFlag() throws {
        let source = """
            local t = tensor.zeros(3)
            local opt = optim.SGD({tensor.zeros(1):requires_grad(true)}, {lr = 0.1})
            print(pcall(function() debug.sethook() end))
            print(pcall(function() return debug.setupvalue(tensor.zeros, 1, 42) end))
            print(type(debug.traceback()), debug.getinfo(1, "l").currentline, (debug.getlocal(1, 1)))
            print(pcall(function() debug.setmetatable(t, getmetatable(opt)); return t.step(t) end))
            """
        let r = try Descent.runScript(source)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(r.stdout)")
        guard lines.count == 4 else { return }
        #expect(lines[0].contains("debug.sethook is not available") && lines[0].contains("--unsafe-debug"))
        #expect(lines[1].contains("debug.setupvalue is not available"))
        #expect(lines[2] == "string\t5\tt")
        #expect(lines[3].contains("debug.setmetatable is not available"))
        // With the flag the whole library is there (and the crash is the user's choice).
        let unsafe = try Descent.runScript("print(type(debug.sethook), type(debug.setmetatable))\n", ["--unsafe-debug"])
        #expect(unsafe.stdout == "function\tfunction\n", "\(unsafe.stderr)")
    }
}

/// Class 8: sandbox escapes.
@Suite struct SandboxEscapeTests {
    /// Before: `io.open(4242, "w")` created ./4242 unchecked (a number became a file name after
    /// the check), a dangling symlink in the script folder was followed for writing, data.mnist
    /// read files that link outside, and package.searchpath told whether /etc/passwd exists.
    @Test func numbersSymlinksMnistFilesAndSearchpath() throws {
        let dir = try Descent.temporaryDirectory()
        let outside = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: outside) }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("dangling").path,
                                  withDestinationPath: outside.appendingPathComponent("created").path)
        let mnistDir = dir.appendingPathComponent("mnist")
        try fm.createDirectory(at: mnistDir, withIntermediateDirectories: true)
        let source = projectRoot.appendingPathComponent("data/mnist5k")
        for name in try fm.contentsOfDirectory(atPath: source.path) where name.hasPrefix("mnist5k-") {
            try fm.createSymbolicLink(atPath: mnistDir.appendingPathComponent(name).path,
                                      withDestinationPath: source.appendingPathComponent(name).path)
        }
        try Descent.write("""
            print(pcall(io.open, 4242, "w"))
            print(pcall(io.open, "dangling", "w"))
            print(package.searchpath("passwd", "/etc/?"))
            print(pcall(data.mnist, "mnist"))
            """, to: "script.lua", in: dir)
        let r = try Descent.run(["run", "script.lua", "--sandbox"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(r.stdout)")
        guard lines.count == 5 else { return }
        #expect(lines[0].contains("false") && lines[0].contains("a file name must be a string"))
        #expect(lines[1].contains("false") && lines[1].contains("--sandbox"))
        #expect(lines[2] == "nil\t" && lines[3].contains("no file '/etc/passwd'"))
        #expect(lines[4].contains("false") && lines[4].contains("--sandbox: access to"), "\(lines[4])")
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("4242").path))
        #expect(!fm.fileExists(atPath: outside.appendingPathComponent("created").path))
    }
}

/// Class 9: run and sweep directories are locked; a crash is recorded.
@Suite struct RecordLockingTests {
    static let slow = "local t0 = os.clock() while os.clock() - t0 < 4 do end\nexperiment.log{step = 1}\n"

    /// Starts `descent arguments...` in `dir` and waits until `file` exists in it.
    func startAndWait(_ arguments: [String], in dir: URL, for file: String) throws -> Process {
        let p = Process()
        p.executableURL = Descent.binary
        p.arguments = arguments
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && !FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path) { usleep(10_000) }
        return p
    }

    /// Before: both processes ran and interleaved metrics.jsonl.
    @Test func secondRunOnOneDirectoryIsRefused() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.slow, to: "slow.lua", in: dir)
        let first = try startAndWait(["run", "slow.lua", "--out", "run"], in: dir, for: "run/status.json")
        let second = try Descent.run(["run", "slow.lua", "--out", "run"], in: dir)
        first.waitUntilExit()
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("run directory") && second.stderr.contains("is in use by another descent process (pid \(first.processIdentifier))"), "\(second.stderr)")
        #expect(first.terminationStatus == 0)
        let metrics = try String(contentsOf: dir.appendingPathComponent("run/metrics.jsonl"), encoding: .utf8)
        #expect(metrics == "{\"step\":1}\n")
    }

    /// Before: two sweeps on one --out ran the same entries at once.
    @Test func secondSweepOnOneDirectoryIsRefused() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("local c = experiment.config{lr = 0.1}\n" + Self.slow, to: "slow.lua", in: dir)
        let args = ["sweep", "slow.lua", "--grid", "lr=0.1,0.2", "--out", "sweep", "--jobs", "1"]
        let first = try startAndWait(args, in: dir, for: "sweep/manifest.json")
        let second = try Descent.run(args, in: dir)
        first.waitUntilExit()
        #expect(second.status != 0, "\(second.stderr)")
        #expect(second.stderr.contains("sweep directory") && second.stderr.contains("is in use by another descent process"), "\(second.stderr)")
        #expect(first.terminationStatus == 0)
    }

    /// Before: a run that died of SIGSEGV kept status "running" for ever.
    @Test func aCrashedRunIsRecordedAsCrashed() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("""
            local t = tensor.zeros(3)
            local opt = optim.SGD({tensor.zeros(1):requires_grad(true)}, {lr = 0.1})
            debug.setmetatable(t, getmetatable(opt))
            t:step()
            """, to: "crash.lua", in: dir)
        let r = try Descent.run(["run", "crash.lua", "--unsafe-debug", "--out", "run"], in: dir)
        #expect(r.status != 0)
        let status = try String(contentsOf: dir.appendingPathComponent("run/status.json"), encoding: .utf8)
        #expect(status.contains("\"crashed\"") && status.contains("crashed with signal"), "\(status)")
    }
}

/// Class 10: a run records what it ran; `--resume` continues only the same run.
@Suite struct ProvenanceTests {
    static let script = """
        local helper = require "helper"
        local c = experiment.config{lr = 0.1}
        local state = experiment.restore("last") or {step = 0}
        experiment.log{step = state.step + 1, lr = c.lr * helper.scale}
        experiment.checkpoint("last", {step = state.step + 1})
        """

    func setUp() throws -> URL {
        let dir = try Descent.temporaryDirectory()
        try Descent.write(Self.script, to: "train.lua", in: dir)
        try Descent.write("return {scale = 2}\n", to: "helper.lua", in: dir)
        return dir
    }

    func read(_ dir: URL, _ file: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
    }

    /// Before: config.json held no hash of the script or its modules and no machine.
    @Test func configRecordsScriptModulesAndMachine() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Descent.run(["run", "train.lua", "--out", "run", "--set", "lr=0.5"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let config = try read(dir, "run/config.json")
        let scriptSHA = SHA256Hex.of(try Data(contentsOf: dir.appendingPathComponent("train.lua")))
        let helperSHA = SHA256Hex.of(try Data(contentsOf: dir.appendingPathComponent("helper.lua")))
        #expect(config.contains("\"script_sha256\": \"\(scriptSHA)\""), "\(config)")
        #expect(config.contains("helper.lua") && config.contains(helperSHA), "\(config)")
        #expect(config.contains("\"lr\": \"0.5\"") && config.contains("\"machine\"") && config.contains("\"cores\""), "\(config)")
        // The CPU level the binary was built for (the tests run the baseline debug build).
        #expect(config.contains("\"build_cpu_level\": \"baseline\""), "\(config)")
        let version = try Descent.run(["version"], in: dir)
        #expect(version.stdout.contains("built for baseline"), "\(version.stdout)")
    }

    /// Before: `--resume --set lr=1` on a finished run re-ran its tail and rewrote config.json.
    @Test func resumeRefusesAFinishedRunUnlessForcedAndKeepsHistory() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Descent.run(["run", "train.lua", "--out", "run"], in: dir).status == 0)
        let config = try read(dir, "run/config.json")
        let refused = try Descent.run(["run", "train.lua", "--out", "run", "--resume", "--set", "lr=1"], in: dir)
        #expect(refused.status == 2 && refused.stderr.contains("already finished (done)") && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try read(dir, "run/config.json") == config)
        let forced = try Descent.run(["run", "train.lua", "--out", "run", "--resume", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        let status = try read(dir, "run/status.json")
        #expect(status.contains("\"forced\"") && status.contains("already finished") && status.contains("\"attempts\""), "\(status)")
    }

    /// Before: an edited script or other --set values were resumed as if nothing changed.
    @Test func resumeRefusesChangedScriptModuleOrConfig() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Descent.run(["run", "train.lua", "--out", "run", "--set", "lr=0.5"], in: dir).status == 0)
        let statusURL = dir.appendingPathComponent("run/status.json")
        func markInterrupted() throws {
            let text = try String(contentsOf: statusURL, encoding: .utf8).replacingOccurrences(of: "\"done\"", with: "\"interrupted\"")
            try text.write(to: statusURL, atomically: true, encoding: .utf8)
        }
        try markInterrupted()
        let otherSet = try Descent.run(["run", "train.lua", "--out", "run", "--resume", "--set", "lr=1"], in: dir)
        #expect(otherSet.status == 2 && otherSet.stderr.contains("the config changed"), "\(otherSet.stderr)")
        try Descent.write("return {scale = 3}\n", to: "helper.lua", in: dir)
        let module = try Descent.run(["run", "train.lua", "--out", "run", "--resume", "--set", "lr=0.5"], in: dir)
        #expect(module.status == 2 && module.stderr.contains("helper.lua changed"), "\(module.stderr)")
        try Descent.write(Self.script + "-- edited\n", to: "train.lua", in: dir)
        let edited = try Descent.run(["run", "train.lua", "--out", "run", "--resume", "--set", "lr=0.5"], in: dir)
        #expect(edited.status == 2 && edited.stderr.contains("the script changed"), "\(edited.stderr)")
    }

    /// Before: without --out, a run with another config continued the old checkpoint silently.
    @Test func restoreWithoutARunDirectoryRefusesAnotherConfigsCheckpoint() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Descent.run(["run", "train.lua", "--set", "lr=0.1"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let same = try Descent.run(["run", "train.lua", "--set", "lr=0.1"], in: dir)
        #expect(same.status == 0 && same.stdout.contains("step") && same.stdout.contains("2"), "\(same.stdout) \(same.stderr)")
        let other = try Descent.run(["run", "train.lua", "--set", "lr=0.2"], in: dir)
        #expect(other.status == 1 && other.stderr.contains("was written by a run with another script, --set values or seed"), "\(other.stderr)")
    }
}

/// SHA-256 in hex, for comparing with config.json (CryptoKit is not on Linux).
enum SHA256Hex {
    static func of(_ data: Data) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(data)
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}

/// Class 11: the smaller items.
@Suite struct SmallerItemsTests {
    /// Before: {1, 2, x = 3} logged [1,2], {1, nil, 3} logged [1], a non-UTF-8 key logged
    /// U+FFFD, math.maxinteger lost precision; a LambdaLR could set NaN or negative rates;
    /// clip_grad_norm_ accepted a negative norm.
    @Test func logsAreFaithfulAndRatesAndNormsAreChecked() throws {
        let r = try Descent.runScript("""
            local function try(f, ...) print((select(2, pcall(f, ...)))) end
            try(experiment.log, {v = {1, 2, x = 3}})
            try(experiment.log, {v = {1, nil, 3}})
            try(experiment.log, {["\\xff"] = 1})
            try(experiment.log, {v = math.maxinteger})
            local p = tensor.zeros(2):requires_grad(true)
            local opt = optim.SGD({p}, {lr = 0.1})
            try(optim.lr.LambdaLR, opt, function(e) return -1 end)
            p.grad = tensor.ones(2)
            try(nn.utils.clip_grad_norm_, {p}, -1)
            experiment.log{v = {1, 2}, w = {a = 1}}
            print("ok")
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 8, "\(r.stdout)")
        guard lines.count == 8 else { return }
        #expect(lines[0].contains("mixes a list of 2 with other keys or holes"))
        #expect(lines[1].contains("mixes a list of") || lines[1].contains("holes"), "\(lines[1])")
        #expect(lines[2].contains("is not valid UTF-8"))
        #expect(lines[3].contains("JSON cannot hold exactly"))
        #expect(lines[4].contains("LambdaLR: the function returned -1"))
        #expect(lines[5].contains("expected max_norm >= 0"))
        #expect(lines[6].contains("\"v\":[1,2]"), "\(lines[6])")
        #expect(lines[7] == "ok")
    }
}

extension SmallerItemsTests {
    /// Before: `--threads` above the core count ran silently at the core count's speed.
    @Test func threadsAboveTheCoreCountAreNoted() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let r = try Descent.runScript("print(1)\n", ["--threads", String(cores + 1)])
        #expect(r.status == 0 && r.stdout == "1\n")
        #expect(r.stderr.contains("--threads \(cores + 1) is more than this machine's \(cores) cores"), "\(r.stderr)")
    }
}

/// Class 11 remainder (issue 14): huge batch sizes, errors located at the script line.
@Suite struct SmallerItemsRemainderTests {
    /// Before: `(rows + batch_size - 1) / batch_size` overflowed, and the loader yielded nothing.
    @Test func loaderWithTheLargestBatchSizeYieldsOneBatch() throws {
        let r = try Descent.runScript("""
            local l = data.loader(tensor.randn(5, 3), tensor.randint(1, 3, {5}), {batch_size = math.maxinteger})
            local n, rows = 0, 0
            for xb in l:iter() do n = n + 1; rows = rows + xb:size(1) end
            local d = data.loader(data.dataset(tensor.randn(4, 2), tensor.randint(1, 3, {4})), {batch_size = math.maxinteger})
            local m = 0
            for xb in d:iter() do m = m + xb:size(1) end
            print("batches", n, rows, m)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("batches\t1\t5\t4"), "\(r.stdout)")
    }

    /// Before: a callback's table error read "(error object is a table value)" with no line, and a
    /// number given as the checkpoint's optimizer failed at a line of checkpoint.lua.
    @Test func errorsNameTheScriptLine() throws {
        let r = try Descent.runScript("""
            local p = tensor.zeros(1):requires_grad(true)
            local opt = optim.SGD({p}, {lr = 0.1})
            local s = optim.lr.LambdaLR(opt, function(step) if step > 0 then error({code = 1}) end return 1 end)
            print(pcall(function() s:step() end))
            print(pcall(function() experiment.checkpoint("c", {optimizer = 5}) end))
            print(pcall(function() experiment.checkpoint("c", {scheduler = {}}) end))
            print(pcall(function() data.text_loader(tensor.randint(1, 5, {20}), {batch_size = math.maxinteger}) end))
            error({})
            """)
        #expect(r.status == 1)
        #expect(r.stdout.contains("script.lua:4: step: a Lua callback raised an error object that is a table value"), "\(r.stdout)")
        #expect(r.stdout.contains("script.lua:5: checkpoint: 'optimizer' expected an optimizer, got number"), "\(r.stdout)")
        #expect(r.stdout.contains("script.lua:6: checkpoint: 'scheduler' expected an object with a state_dict method"), "\(r.stdout)")
        #expect(r.stdout.contains("script.lua:7: data.text_loader: batch_size"), "\(r.stdout)")
        #expect(!r.stdout.contains("Sources/LuaModules") && !r.stdout.contains("checkpoint.lua"), "\(r.stdout)")
        #expect(r.stderr.contains("script.lua:8: error object is a table value"), "\(r.stderr)")
    }
}

/// Class 9 remainder (issue 14): a full disk (here: RLIMIT_FSIZE, SIGXFSZ ignored) neither tears
/// metrics.jsonl nor leaves status.json at "running".
@Suite struct DiskFullTests {
    func run(_ script: String) throws -> (DescentRun, metrics: String, status: String) {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(script, to: "script.lua", in: dir)
        // 16 KiB files at most: config.json and status.json fit, metrics.jsonl does not.
        let r = try Descent.execute(URL(fileURLWithPath: "/bin/sh"),
                                    ["-c", "trap '' XFSZ; ulimit -f 16; exec \"$DESCENT\" run script.lua --out run"], in: dir)
        let metrics = (try? String(contentsOf: dir.appendingPathComponent("run/metrics.jsonl"), encoding: .utf8)) ?? ""
        let status = (try? String(contentsOf: dir.appendingPathComponent("run/status.json"), encoding: .utf8)) ?? ""
        return (r, metrics, status)
    }

    @Test func aFailedAppendEndsTheRunFailedWithWholeLines() throws {
        let (r, metrics, status) = try run("""
            for i = 1, 100000 do experiment.log{step = i, loss = 1 / i, note = string.rep("x", 40)} end
            """)
        #expect(r.status == 1 && !r.terminatedBySignal, "\(r.status) \(r.stderr)")
        #expect(!metrics.isEmpty && metrics.hasSuffix("}\n"), "torn last line: \(metrics.suffix(80))")
        #expect(status.contains("\"failed\"") && status.contains("File too large"), "\(status)")
    }

    /// The script catches the error and goes on: the run still does not end "done".
    @Test func aCaughtAppendFailureStillFailsTheRun() throws {
        let (r, metrics, status) = try run("""
            for i = 1, 100000 do
              if not pcall(experiment.log, {step = i, note = string.rep("x", 40)}) then break end
            end
            print("went on")
            """)
        #expect(r.stdout.contains("went on"), "\(r.stderr)")
        #expect(metrics.hasSuffix("}\n"), "\(metrics.suffix(80))")
        #expect(status.contains("\"failed\"") && status.contains("metrics records were lost"), "\(status)")
    }
}
