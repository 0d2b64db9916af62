import CLua
import CLuaShim
#if canImport(Glibc)
import Glibc
#endif

/// Owns one `lua_State` and everything Swift registers into it.
///
/// ```swift
/// let host = try LuaHost()
/// host.register(module: "greet", [
///     ("hello", { L in L.push("hello " + (try L.string(1, "argument 1"))); return 1 }),
/// ])
/// try host.load(file: "script.lua")
/// try host.call(nargs: 0, nresults: 0)
/// ```
///
/// Every Swift function is reached through the C trampoline (CLuaShim): it returns a result count
/// or throws, and the trampoline raises the Lua error after Swift has returned, so Lua's longjmp
/// never crosses a Swift frame.
public final class LuaHost {
    /// The state the host created (the main Lua thread).
    public let mainState: LuaState
    /// The `lua_State` of the Swift function running now: a coroutine's thread when a binding is
    /// called from inside `coroutine.wrap`, otherwise the main thread. Everything the host pushes,
    /// references or calls goes to this state, so a binding that reaches the stack through the
    /// host (`getGlobal`, `pushFunction`, `reference`, `call`) still works on the `L` it was
    /// called with. Pushing onto the main thread while a coroutine runs corrupts both stacks.
    public internal(set) var state: LuaState
    public var L: OpaquePointer { state.L }
    /// Registry references released by `LuaReference.deinit` (which can run inside a `__gc`,
    /// on any thread): freed at the next Swift call, on the stack that call runs on.
    var pendingUnrefs: [Int32] = []
    /// Keeps every registered function alive for the lifetime of the state.
    private var functions: [FunctionBox] = []
    /// Objects whose lifetime is tied to the host (class descriptors and the like).
    private var retained: [AnyObject] = []
    private var lastAllocatedBytes = 0
    /// Runs after every Swift function that returned normally (nil: nothing to do); an error it
    /// throws is raised at the script line instead of the results. Anomaly detection uses it.
    public var afterCall: (() throws -> Void)?

    /// Bytes outside Lua's heap counted against the memory limit (tensor storage), and the
    /// cumulative bytes allocated so far (for GC pressure). Set by whoever owns such memory.
    nonisolated(unsafe) public static var externalLiveBytes: () -> Int64 = { 0 }
    nonisolated(unsafe) public static var externalAllocatedBytes: () -> Int = { 0 }

    public init(memoryLimit: Int64 = 0) throws {
        LuaHost.installOnce
        guard let L = descent_newstate(memoryLimit) else { throw LuaError("cannot create a Lua state") }
        mainState = LuaState(L)
        state = mainState
        luaL_openlibs(L)
        guard descent_install_protected_calls(L) == LUA_OK else { throw LuaError("cannot create a Lua state (out of memory)") }
    }

    deinit { descent_closestate(mainState.L) }

    private static let installOnce: Void = {
        descent_install(dispatchToSwift, releaseObject, { LuaHost.externalLiveBytes() })
        descent_set_fatal_handler { kind in LuaHost.onFatalLimit(kind == 2 ? .time : .memory) }
    }()

    /// Called when a limit is exceeded where no Lua error can be raised: a `__gc` finalizer that
    /// allocates without end inside a Swift call (memory), or code that no hook reaches past the
    /// deadline (time: a finalizer loop, a long pattern match, a long kernel). It must record
    /// the failure and end the process without touching the Lua state; it can run on the
    /// watchdog thread. The default prints the reason and exits with status 1.
    nonisolated(unsafe) public static var onFatalLimit: (LimitHit) -> Never = { hit in
        let text = "descent: \(hit == .memory ? "memory limit exceeded (--max-memory)" : "time limit exceeded (--timeout)")\n"
        text.withCString { _ = write(2, $0, strlen($0)) }
        _exit(1)
    }

    // MARK: Functions and modules

    /// Pushes a Lua function that runs `body`; `name` prefixes its error messages.
    public func pushFunction(_ name: String, _ body: @escaping LuaFunction) {
        pushFunction(name, onto: state, body)
    }

    /// `pushFunction` onto `L`, named: set-up code passes `mainState`, a binding its own `L`.
    public func pushFunction(_ name: String, onto L: LuaState, _ body: @escaping LuaFunction) {
        descent_push_swift_function(L.L, box(name, body))
    }

    func box(_ name: String, _ body: @escaping LuaFunction) -> UnsafeMutableRawPointer {
        let b = FunctionBox(name: name, body: body, host: self)
        functions.append(b)
        return Unmanaged.passUnretained(b).toOpaque()
    }

    /// Sets `fields` on the table at the top of the stack.
    public func setFunctions(_ fields: [(String, LuaFunction)], prefix: String = "") {
        for (name, body) in fields {
            pushFunction(prefix + name, body)
            state.rawSet(-2, name)
        }
    }

    /// Creates (or extends) the global table `name` with `functions`; leaves nothing on the stack.
    public func register(module name: String, _ functions: [(String, LuaFunction)]) {
        descent_pushglobaltable(L)
        if state.rawGet(-1, name) != LUA_TTABLE {
            state.pop(1)
            state.newTable()
            state.pushValue(-1)
            state.rawSet(-3, name)
        }
        setFunctions(functions)
        state.pop(2)
    }

    /// Sets global `name` to the value on top of the stack (popped).
    public func setGlobal(_ name: String) { state.setGlobal(name) }

    /// Pushes global `name`.
    @discardableResult
    public func getGlobal(_ name: String) -> Int32 { state.pushGlobal(name) }

    // MARK: Userdata classes

    /// Defines a userdata type for Swift objects of type `T`: a metatable named `name` whose
    /// `__index` finds `methods` in C (no Swift call for a method lookup) and otherwise calls
    /// `index` (for `t[i]`, `t.grad` and the like), plus `metamethods` (`__add`, `__tostring`, ...).
    public func defineClass<T: AnyObject>(
        _ type: T.Type, name: String, methods: [(String, LuaFunction)],
        metamethods: [(String, LuaFunction)] = [], index: LuaFunction? = nil
    ) -> LuaClass<T> {
        state.newTable()  // metatable
        state.push(name)
        state.rawSet(-2, "__name")
        state.newTable()  // methods
        setFunctions(methods, prefix: "")
        let fallback = index.map { box("index", $0) }
        descent_push_index_function(L, -1, fallback)
        state.rawSet(-3, "__index")
        state.pushValue(-1)
        state.rawSet(-3, "methods")  // reachable for extension from Lua (nn.lua adds helpers)
        state.pop(1)
        setFunctions(metamethods)
        descent_push_gc_function(L)
        state.rawSet(-2, "__gc")
        let pointer = lua_topointer(L, -1)!
        let ref = luaL_ref(L, descent_registryindex())
        let cls = LuaClass<T>(name: name, ref: ref, metatable: pointer, host: self)
        retained.append(cls)
        return cls
    }

    /// Pushes the methods table of a class (for adding Lua-written methods).
    public func pushMethods<T>(of cls: LuaClass<T>) {
        pushMetatable(of: cls)
        state.rawGet(-1, "methods")
        lua_rotate(L, -2, 1)
        state.pop(1)
    }

    /// Pushes the metatable of a class.
    public func pushMetatable<T>(of cls: LuaClass<T>) {
        lua_rawgeti(L, descent_registryindex(), lua_Integer(cls.ref))
    }

    /// Adds methods to a class defined earlier (methods can then capture the class itself).
    public func addMethods<T>(_ cls: LuaClass<T>, _ methods: [(String, LuaFunction)]) {
        pushMethods(of: cls)
        setFunctions(methods)
        state.pop(1)
    }

    /// Adds metamethods (`__add`, `__newindex`, ...) to a class defined earlier.
    public func addMetamethods<T>(_ cls: LuaClass<T>, _ metamethods: [(String, LuaFunction)]) {
        pushMetatable(of: cls)
        setFunctions(metamethods)
        state.pop(1)
    }

    /// Sets the Swift fallback of `__index` (non-method keys such as `t[1]` or `t.grad`).
    public func setIndexFallback<T>(_ cls: LuaClass<T>, _ body: @escaping LuaFunction) {
        pushMetatable(of: cls)
        state.rawGet(-1, "methods")
        descent_push_index_function(L, -1, box(cls.name + " index", body))
        state.rawSet(-3, "__index")
        state.pop(2)
    }

    // MARK: References to Lua values held by Swift

    /// Keeps the value at `i` (of the running state) alive for Swift (a callback, a table) until
    /// the reference dies.
    public func reference(_ i: Int32) -> LuaReference { reference(i, in: state) }

    /// Keeps the value at `i` of `L` (the state a binding was called with) alive for Swift; the
    /// registry is shared by every thread, so the reference can be pushed onto any of them.
    public func reference(_ i: Int32, in L: LuaState) -> LuaReference {
        L.pushValue(i)
        return LuaReference(host: self, ref: luaL_ref(L.L, descent_registryindex()))
    }

    func releasePendingReferences() {
        let refs = pendingUnrefs
        pendingUnrefs.removeAll()
        for ref in refs { luaL_unref(L, descent_registryindex(), ref) }
    }

    // MARK: GC pressure

    /// Tensor bytes the collector is paced as if its heap held them (see `noteExternalAllocation`).
    public static let pacedExternalBytes = 16 << 20

    /// Tells Lua's collector about memory it cannot see: called after pushing an object that owns
    /// memory outside Lua's heap, so loops that make temporaries run in flat memory.
    ///
    /// Lua paces a cycle by its heap: with the default pause and step multiplier it runs a full
    /// cycle per about twice its heap of allocation, and a cycle costs about one pass over the
    /// heap. Counted at full weight, tensor bytes made a 0.5 MB heap run a cycle per 1 MB of
    /// temporaries: 30 cycles per training step of the small transformer, 15 % of its forward
    /// in the collector's sweep. Weighted by heap / (heap + `pacedExternalBytes`), a cycle runs
    /// per about twice (heap + 16 MB) of tensor allocation: a few per step, and the tensor
    /// garbage between cycles stays within a few tens of MB whatever the number of steps (within a
    /// few sixteenths of `--max-memory` when one is set).
    @inlinable
    public func noteExternalAllocation() {
        let now = LuaHost.externalAllocatedBytes()
        let delta = now &- lastAllocatedBytesValue
        if delta >= 64 * 1024 {
            let heap = max(Int(luaHeapBytes), 1)
            // Under --max-memory, at most 1/16 of the limit: the garbage between cycles must
            // not be what a run near its limit hits.
            let limit = Int(descent_memory_limit(L))
            let paced = limit > 0 ? min(LuaHost.pacedExternalBytes, limit / 16) : LuaHost.pacedExternalBytes
            let kb = Int((Double(delta) * Double(heap) / Double(heap + paced) / 1024).rounded(.down))
            guard kb > 0 else { return }  // keep accumulating until it is worth a step
            lastAllocatedBytesValue = now
            // Done by the trampoline after this Swift call: a step runs finalizers, which must
            // not run below a Swift frame (they could re-enter it or change what it walks).
            descent_request_gc_step(L, Int32(min(kb, Int(Int32.max))))
        }
    }

    @usableFromInline var lastAllocatedBytesValue: Int {
        get { lastAllocatedBytes }
        set { lastAllocatedBytes = newValue }
    }

    // MARK: Running code

    /// Loads a chunk from a file; on success the function is on the stack.
    public func load(file path: String) throws {
        let status = luaL_loadfilex(L, path, "t")
        if status != LUA_OK {
            let message = state.string(at: -1) ?? "cannot load \(path)"
            state.pop(1)
            throw LuaRaise(message)
        }
    }

    /// Loads a chunk from a string; on success the function is on the stack.
    public func load(string code: String, name: String) throws {
        var code = code
        let status = code.withUTF8 { buf in
            luaL_loadbufferx(L, UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), buf.count, name, "t")
        }
        if status != LUA_OK {
            let message = state.string(at: -1) ?? "cannot load \(name)"
            state.pop(1)
            throw LuaRaise(message)
        }
    }

    /// Calls the function below `nargs` arguments with a traceback handler. Throws `LuaRaise`
    /// holding the message and traceback.
    public func call(nargs: Int32, nresults: Int32) throws {
        if descent_pcall(L, nargs, nresults, 1) != LUA_OK {
            let message = state.string(at: -1) ?? "(error object is a \(state.typeName(-1)) value)"
            state.pop(1)
            throw LuaRaise(message)
        }
    }

    /// Runs a Lua string (for embedded library code); returns nothing.
    public func run(string code: String, name: String, nresults: Int32 = 0) throws {
        try load(string: code, name: name)
        try call(nargs: 0, nresults: nresults)
    }

    // MARK: Limits

    public func setMemoryLimit(bytes: Int64) { descent_set_memory_limit(L, bytes) }
    public var luaHeapBytes: Int64 { descent_lua_heap_bytes(L) }
    /// Stops the script at `seconds` from now (instruction hook plus a check after every Swift call).
    ///
    /// The hook cannot stop code that runs no Lua instructions (a long Swift kernel, a pattern
    /// match inside `string.find`) or runs with hooks off (a `__gc` finalizer): a watchdog
    /// thread calls `onFatalLimit(.time)` `grace` seconds after the deadline if the run is still
    /// going (`cancelWatchdog` when the script has returned). `seconds` must be finite and at
    /// most a year (the command line checks).
    public func setTimeout(seconds: Double, grace: Double = 0.5) {
        guard seconds > 0, seconds.isFinite, seconds <= 4e8 else { descent_set_deadline(L, 0); return }
        let deadline = descent_monotonic_ns() + Int64(seconds * 1e9)
        descent_set_deadline(L, deadline)
        _ = descent_start_watchdog(deadline + Int64(max(grace, 0) * 1e9))
    }

    /// Stops the watchdog of `setTimeout` (the script has returned; what remains is recording).
    public func cancelWatchdog() { descent_cancel_watchdog() }

    /// Tensor allocations refused over the limit so far (set by the owner of tensor memory); a new
    /// refusal under a memory limit is a limit hit: it ends the run and `pcall` cannot catch it.
    nonisolated(unsafe) public static var externalRefusals: () -> Int = { 0 }
    var seenRefusals = 0

    /// Called when a Swift function failed: a tensor allocation refused under `--max-memory` is
    /// the memory limit, as Lua's own allocator failing is.
    func noteFailure(_ L: OpaquePointer) {
        let refusals = LuaHost.externalRefusals()
        guard refusals != seenRefusals else { return }
        seenRefusals = refusals
        if descent_memory_limit(L) > 0 { descent_mark_limit_hit(L, 1) }
    }
    /// Which limit ended the run, if any.
    public var limitHit: LimitHit? {
        switch descent_limit_hit(L) {
        case 1: return .memory
        case 2: return .time
        default: return nil
        }
    }
    public enum LimitHit: String { case memory, time }

    public func collectGarbage() { descent_gc_collect(L) }

    // MARK: Ctrl-C (the REPL)

    /// Makes SIGINT interrupt code run inside `interruptible` (and otherwise only be noted for
    /// `takeInterrupt`). A read blocked at a prompt returns EINTR instead of restarting.
    @discardableResult
    public static func installInterruptHandler() -> Bool { descent_install_interrupt_handler() == 0 }

    /// Runs `body`, during which Ctrl-C makes the running Lua code raise "interrupted" (the error
    /// comes out of the protected call in `body`). Not for runs with a `setTimeout` deadline:
    /// both use Lua's single hook.
    ///
    /// ```swift
    /// try host.interruptible { try host.call(nargs: 0, nresults: 0) }
    /// ```
    public func interruptible<T>(_ body: () throws -> T) rethrows -> T {
        descent_interrupt_begin(L)
        defer { descent_interrupt_end(L) }
        return try body()
    }

    /// Whether a SIGINT arrived since the last call; clears it.
    public static func takeInterrupt() -> Bool { descent_interrupt_take() != 0 }

    /// "Lua 5.4.6": the release of the linked Lua headers.
    public static var luaRelease: String { String(cString: descent_lua_release()) }

    /// `script.lua:LINE` of the Lua code that called the running Swift function, if any.
    public func scriptPosition() -> String? {
        luaL_where(L, 1)
        defer { state.pop() }
        guard var text = state.string(at: -1), !text.isEmpty else { return nil }
        if text.hasSuffix(": ") { text.removeLast(2) }
        return text
    }
    public static func monotonicSeconds() -> Double { Double(descent_monotonic_ns()) / 1e9 }
}

/// A Swift function registered with a state, with the name its errors carry.
final class FunctionBox {
    let name: String
    let body: LuaFunction
    /// The host owns its boxes (`functions`), and closes the state before they die.
    unowned(unsafe) let host: LuaHost
    init(name: String, body: @escaping LuaFunction, host: LuaHost) {
        self.name = name
        self.body = body
        self.host = host
    }
}

/// The single entry from C into Swift functions.
private func dispatchToSwift(_ L: OpaquePointer?, _ box: UnsafeMutableRawPointer?) -> Int32 {
    guard let L, let box else { return 0 }
    let function = Unmanaged<FunctionBox>.fromOpaque(box).takeUnretainedValue()
    let state = LuaState(L)
    let host = function.host
    // Bindings reach the stack through `host.state` too: point it at the calling thread.
    let outer = host.state
    host.state = state
    defer { host.state = outer }
    if !host.pendingUnrefs.isEmpty { host.releasePendingReferences() }
    do {
        let results = try function.body(state)
        if let after = host.afterCall { try after() }
        return results
    } catch let error as LuaRaise {
        state.push(error.message)
        return DESCENT_RAISE
    } catch {
        host.noteFailure(L)
        state.push(locatedMessage(function.name, "\(error)"))
        return DESCENT_ERROR
    }
}

/// `name: text`, unless the text already starts with that name (kernels name their op in their
/// own messages: `add: shapes ...`). Metamethods show as the op (`__add` → `add`).
func locatedMessage(_ name: String, _ text: String) -> String {
    let shown = name.hasPrefix("__") ? String(name.dropFirst(2)) : name
    // Internal helpers of the Lua libraries (`_set_option`) are not names a script knows.
    if shown.isEmpty || name.hasPrefix("_") && !name.hasPrefix("__") { return text }
    if let colon = text.firstIndex(of: ":") {
        let first = text[..<colon]  // `add`, `optim.build`, ...
        if first == shown || first == name || first.hasSuffix("." + shown) { return text }
    }
    return shown + ": " + text
}

private func releaseObject(_ object: UnsafeMutableRawPointer?) {
    guard let object else { return }
    Unmanaged<AnyObject>.fromOpaque(object).release()
}

/// A userdata type holding Swift objects of type `T`.
public final class LuaClass<T: AnyObject> {
    public let name: String
    @usableFromInline let ref: Int32
    @usableFromInline let metatable: UnsafeRawPointer
    unowned let host: LuaHost

    init(name: String, ref: Int32, metatable: UnsafeRawPointer, host: LuaHost) {
        self.name = name
        self.ref = ref
        self.metatable = metatable
        self.host = host
    }

    /// Pushes `object` as a new userdata (Lua's `__gc` releases it).
    @inlinable
    public func push(_ L: LuaState, _ object: T) {
        descent_push_object(L.L, Unmanaged.passRetained(object).toOpaque(), ref)
    }

    /// The object at `i` if it is of this class.
    @inlinable
    public func to(_ L: LuaState, _ i: Int32) -> T? {
        guard let p = descent_to_object(L.L, i, metatable) else { return nil }
        return Unmanaged<T>.fromOpaque(p).takeUnretainedValue()
    }

    /// The object at `i`, or an error "`what` expected a tensor, got string".
    @inlinable
    public func check(_ L: LuaState, _ i: Int32, _ what: @autoclosure () -> String) throws -> T {
        if let o = to(L, i) { return o }
        let article = name.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        throw LuaError("\(what()) expected \(article) \(name), got \(L.typeName(i))")
    }
}

/// A Lua value kept alive for Swift in the registry; released when this object dies (unless the
/// state is already closed).
public final class LuaReference {
    weak var host: LuaHost?
    let ref: Int32

    init(host: LuaHost, ref: Int32) {
        self.host = host
        self.ref = ref
    }

    /// Pushes the value onto the running state (`host.state`).
    public func push() {
        guard let host else { return }
        lua_rawgeti(host.L, descent_registryindex(), lua_Integer(ref))
    }

    /// Pushes the value onto `L`.
    public func push(_ L: LuaState) {
        lua_rawgeti(L.L, descent_registryindex(), lua_Integer(ref))
    }

    deinit {
        // Not `luaL_unref` here: this can run inside a `__gc` while another thread's stack is
        // the running one. The host frees the slot at its next Swift call.
        host?.pendingUnrefs.append(ref)
    }
}
