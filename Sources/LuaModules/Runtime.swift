import LuaHost
import Tensors

/// The Lua environment of descent: one `LuaHost` with the `tensor`, `autograd`, `nn`, `optim`,
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
        tensors = host.defineClass(Tensor.self, name: "tensor", methods: [])
        BLASSetup.configure
        Generator.shared.reseed(UInt64(truncatingIfNeeded: context.seed))
        installTensorModule()
        installAutogradModule()
        installAutogradTransforms()
        installDataModule()
        installExperimentModule()
        try installNNModule()
        try installOptimModule()
        try runLibrary(trainLibrarySource, name: "train", module: "train")
        try installCheckpointHelpers()
        // After the checkpoint helpers: problems seeds its builds through experiment._rng_state.
        try runLibrary(problemsLibrarySource, name: "problems", module: "problems")
        try runLibrary(curvatureLibrarySource, name: "curvature", module: "curvature")
        try restrictChunkLoadingToText()
        try installDescentTable()
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
        let L = host.state
        // `arg`: arg[0] is the script, arg[1...] its arguments.
        L.newTable(array: Int32(arguments.count), record: 1)
        L.push(path)
        L.rawSet(-2, 0)
        for (k, a) in arguments.enumerated() {
            L.push(a)
            L.rawSet(-2, k + 1)
        }
        host.setGlobal("arg")
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
        let dir = scriptDirectory(script)
        let escaped = dir.replacingOccurrences(of: "%", with: "%%")
        try host.run(string: """
            package.path = "\(luaQuoted(escaped))/?.lua;\(luaQuoted(escaped))/?/init.lua;" .. package.path
            """, name: "=path")
    }

    /// Runs a Lua library embedded in the binary, passing it the global table `module` (which
    /// the library fills in) as its chunk argument.
    func runLibrary(_ source: String, name: String, module: String) throws {
        try host.load(string: source, name: "=" + name)
        if host.getGlobal(module) != LUA_TYPE_TABLE {
            host.state.pop()
            host.state.newTable()
            host.state.pushValue(-1)
            host.setGlobal(module)
        }
        try host.call(nargs: 1, nresults: 0)
    }

    /// Precompiled Lua bytecode is not verified by Lua and can crash the VM, so `load`,
    /// `loadfile` and `dofile` accept source text only (scripts never need bytecode).
    func restrictChunkLoadingToText() throws {
        try host.run(string: """
            local load_, loadfile_ = load, loadfile
            load = function(chunk, name, mode, env)
              if mode ~= nil and mode ~= "t" then error("load: only text chunks are allowed (mode 't')", 2) end
              if env == nil then return load_(chunk, name, "t") end
              return load_(chunk, name, "t", env)
            end
            loadfile = function(path, mode, env)
              if mode ~= nil and mode ~= "t" then error("loadfile: only text chunks are allowed (mode 't')", 2) end
              if env == nil then return loadfile_(path, "t") end
              return loadfile_(path, "t", env)
            end
            dofile = function(path)
              local f = assert(loadfile(path))
              return f()
            end
            -- require's Lua searcher, through the text-only loadfile.
            package.searchers[2] = function(name)
              local path, err = package.searchpath(name, package.path)
              if not path then return err end
              local f, lerr = loadfile(path)
              if not f then error(string.format("error loading module '%s' from file '%s': %s", name, path, lerr), 2) end
              return f, path
            end
            """, name: "=text-only")
    }

    /// The global modules every script sees, in the order the docs list them.
    public static let moduleNames = ["tensor", "autograd", "nn", "optim", "data", "train", "experiment", "problems", "curvature"]

    /// `require "descent"` returns a table with every module.
    func installDescentTable() throws {
        let names = Runtime.moduleNames.map { "\"\($0)\"" }.joined(separator: ", ")
        try host.run(string: """
            local d = {}
            for _, name in ipairs({\(names)}) do
              d[name] = rawget(_G, name)
            end
            package.loaded.descent = d
            """, name: "=descent")
    }
}

func luaQuoted(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\n", with: "\\n")
}

import Foundation

extension Runtime {
    /// "Lua 5.4.x, OpenBLAS ..." for `descent version`.
    public static var libraryVersions: String {
        BLASSetup.configure
        return (try? LuaHost()).map { host -> String in
            host.getGlobal("_VERSION")
            defer { host.state.pop() }
            return (host.state.string(at: -1) ?? "Lua") + ", OpenBLAS \(BLASSetup.coreName) kernels"
        } ?? "Lua"
    }
}
