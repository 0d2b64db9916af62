import Experiments
import LuaHost
import Tensors

/// The Lua environment of descent: one `LuaHost` with the `tensor`, `autograd`, `linalg`, `nn`, `optim`,
/// `data`, `train`, `experiment` and `problems` modules installed, and the run's context.
///
/// ```swift
/// let runtime = try Runtime(context: RunContext(seed: 1))
/// try runtime.runScript(path: "exp.lua", arguments: [])
/// ```
public final class Runtime {
    public let host: LuaHost
    public let context: RunContext
    let tensors: LuaClass<Tensor>
    /// The states of the bindings now running a backward pass (innermost last): gradient hooks
    /// call Lua on the state that started the backward, not the host's main thread.
    var backwardStates: [LuaState] = []

    public init(context: RunContext) throws {
        host = try LuaHost(memoryLimit: context.memoryLimitBytes)
        self.context = context
        LuaHost.externalLiveBytes = { Int64(TensorMemory.liveBytes) }
        LuaHost.externalAllocatedBytes = { TensorMemory.allocatedBytes }
        LuaHost.externalRefusals = { TensorMemory.refusalCount }
        tensors = host.defineClass(Tensor.self, name: "tensor", methods: [])
        BLASSetup.configure
        Generator.shared.reseed(UInt64(truncatingIfNeeded: context.seed))
        installTensorModule()
        installAutogradModule()
        installLinalgModule()
        installAutogradTransforms()
        installDataModule()
        installDataTextFunctions()
        installExperimentModule()
        try installNNModule()
        try installOptimModule()
        try runLibrary(EmbeddedLua.data, module: "data")
        try runLibrary(EmbeddedLua.train, module: "train")
        try installCheckpointHelpers()
        // After the checkpoint helpers: problems seeds its builds through experiment._rng_state.
        try runLibrary(EmbeddedLua.problems, module: "problems")
        try runLibrary(EmbeddedLua.curvature, module: "curvature")
        try restrictChunkLoadingToText()
        if !context.unsafeDebug { try restrictDebugLibrary() }
        try recordRequiredModules()
        try installDescentTable()
        try installHelp()
        if context.detectAnomaly { setAnomalyDetection(true) }
    }

    /// Pushes a tensor as a Lua value (and tells Lua's GC about its memory); returns 1.
    func push(_ L: LuaState, _ t: Tensor) -> Int32 {
        tensors.push(L, t)
        host.noteExternalAllocation()
        return 1
    }

    func tensor(_ L: LuaState, _ i: Int32, _ what: @autoclosure () -> String) throws -> Tensor {
        try tensors.check(L, i, what())
    }

    /// A tensor argument, or a number turned into a 0-d tensor.
    func tensorOrNumber(_ L: LuaState, _ i: Int32, _ what: @autoclosure () -> String) throws -> Tensor {
        if let t = tensors.to(L, i) { return t }
        if let v = L.number(at: i) { return try Tensor.scalar(Float(v)) }
        throw LuaError("\(what()) expected a tensor or a number, got \(L.typeName(i))")
    }

    /// Runs a script file with `arg` and `...` set as the standalone `lua` interpreter does.
    /// Throws `LuaRaise` with the message and traceback when the script fails.
    public func runScript(path: String, arguments: [String]) throws {
        let L = host.mainState  // set-up before the script runs: no binding is active
        // `arg`: arg[0] is the script, arg[1...] its arguments.
        L.newTable(array: Int32(arguments.count), record: 1)
        L.push(path)
        L.rawSet(-2, 0)
        for (k, a) in arguments.enumerated() {
            L.push(a)
            L.rawSet(-2, k + 1)
        }
        L.setGlobal("arg")
        try addScriptDirectoryToPath(path)
        if context.sandboxed { try installSandbox(scriptDirectory: scriptDirectory(path)) }
        try host.load(file: path)
        try L.reserve(Int32(clamping: arguments.count + 1))  // `-- a b c ...` may pass thousands
        for a in arguments { L.push(a) }
        try host.call(nargs: Int32(arguments.count), nresults: 0)
    }

    func scriptDirectory(_ script: String) -> String {
        guard let slash = script.lastIndex(of: "/") else { return "." }
        return slash == script.startIndex ? "/" : String(script[..<slash])
    }

    /// `require` finds modules next to the script first, then LUA_PATH as usual.
    func addScriptDirectoryToPath(_ script: String) throws {
        try host.load(chunk: EmbeddedLua.script_path)
        host.mainState.push(scriptDirectory(script))
        try host.call(nargs: 1, nresults: 0)
    }

    /// Runs a Lua library embedded in the binary, passing it the global table `module` (which
    /// the library fills in) as its chunk argument.
    func runLibrary(_ chunk: EmbeddedChunk, module: String) throws {
        try host.load(chunk: chunk)
        let L = host.mainState  // libraries load at start-up, on the main thread
        if L.pushGlobal(module) != LUA_TYPE_TABLE {
            L.pop()
            L.newTable()
            L.pushValue(-1)
            L.setGlobal(module)
        }
        try host.call(nargs: 1, nresults: 0)
    }

    /// Precompiled Lua bytecode is not verified by Lua and can crash the VM, so `load`,
    /// `loadfile` and `dofile` accept source text only (lua/text_only.lua).
    func restrictChunkLoadingToText() throws {
        try host.load(chunk: EmbeddedLua.text_only)
        try host.call(nargs: 0, nresults: 0)
    }

    /// The `debug` functions that cannot break the host: `traceback`, `getinfo` (information about
    /// a call frame or function) and `getlocal` (reading a frame's locals). The rest can:
    /// `setmetatable` on a tensor userdata makes the bridge see a foreign object, `setupvalue`
    /// rewrites a binding's upvalues, `sethook` removes the `--timeout` hook, `setuservalue`,
    /// `upvaluejoin`, `setlocal`, `getregistry` reach internals. `--unsafe-debug` keeps them all.
    static let safeDebugFunctions = ["traceback", "getinfo", "getlocal"]

    /// `require`d files are listed with their SHA-256 in the run's config.json (lua/module_record.lua).
    func recordRequiredModules() throws {
        try host.load(chunk: EmbeddedLua.module_record)
        host.pushFunction("_module_loaded", onto: host.mainState) { [unowned self] L in  // set-up: the main thread
            let path = try L.string(1, "path")
            guard let recorder = self.context.recorder, let sha = RunConfig.fileSHA256(path) else { return 0 }
            try recorder.updateConfig { config in
                if !config.modules.contains(where: { $0.0 == path && $0.1 == sha }) { config.modules.append((path, sha)) }
            }
            return 0
        }
        try host.call(nargs: 1, nresults: 0)
    }

    func restrictDebugLibrary() throws {
        try host.load(chunk: EmbeddedLua.debug_guard)
        for name in Runtime.safeDebugFunctions { host.mainState.push(name) }  // set-up: the main thread
        try host.call(nargs: Int32(Runtime.safeDebugFunctions.count), nresults: 0)
    }

    /// The global modules every script sees, in the order the docs list them.
    public static let moduleNames = ["tensor", "autograd", "linalg", "nn", "optim", "data", "train", "experiment", "problems", "curvature"]

    /// The global `help(x)` (lua/help.lua): reference entries from the embedded editor stubs,
    /// parsed on the first call.
    func installHelp() throws {
        try host.load(chunk: EmbeddedLua.help)
        let main = host.mainState  // set-up before the script runs: no binding is active
        main.newTable(array: Int32(Runtime.moduleNames.count))
        for (k, name) in Runtime.moduleNames.enumerated() {
            main.push(name)
            main.rawSet(-2, k + 1)
        }
        host.pushFunction("help_stub_sources", onto: main) { L in
            L.newTable(record: Int32(EmbeddedStubs.all.count))
            for stub in EmbeddedStubs.all {
                L.push(stub.source)
                L.rawSet(-2, String(stub.path.split(separator: "/").last ?? ""))
            }
            return 1
        }
        try host.call(nargs: 2, nresults: 1)
        host.setGlobal("help")
    }

    /// `require "descent"` returns a table with every module (lua/descent.lua).
    func installDescentTable() throws {
        try host.load(chunk: EmbeddedLua.descent)
        for name in Runtime.moduleNames { host.mainState.push(name) }  // set-up: the main thread
        try host.call(nargs: Int32(Runtime.moduleNames.count), nresults: 0)
    }
}

import Foundation

extension Runtime {
    /// "Lua 5.4.x, OpenBLAS ..." for `descent version`.
    public static var libraryVersions: String {
        BLASSetup.configure
        return (try? LuaHost()).map { host -> String in
            let main = host.mainState  // a fresh state of its own: no script, no binding
            main.pushGlobal("_VERSION")
            defer { main.pop() }
            return (main.string(at: -1) ?? "Lua") + ", OpenBLAS \(BLASSetup.coreName) kernels"
        } ?? "Lua"
    }
}
