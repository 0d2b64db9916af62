import CLua
import CLuaShim

/// A Swift function callable from Lua. It reads its arguments from the stack, pushes its
/// results and returns how many; it reports bad input by throwing (never by `lua_error`).
public typealias LuaFunction = (LuaState) throws -> Int32

/// A non-owning view of a `lua_State` with the small, non-raising subset of the C API that
/// bindings need. Every accessor validates and throws `LuaError` with "expected X, got Y".
///
/// Only functions that cannot raise a Lua error are used here (raw table access, `lua_to*`,
/// `lua_push*`); memory errors cannot happen while Swift runs, because the allocator never
/// fails inside a Swift call (see CLuaShim).
public struct LuaState {
    public let L: OpaquePointer

    @inlinable public init(_ L: OpaquePointer) { self.L = L }

    // MARK: Stack

    @inlinable public var top: Int32 { lua_gettop(L) }
    @inlinable public func setTop(_ n: Int32) { lua_settop(L, n) }
    @inlinable public func pop(_ n: Int32 = 1) { descent_pop(L, n) }
    @inlinable public func type(_ i: Int32) -> Int32 { lua_type(L, i) }
    @inlinable public func isNoneOrNil(_ i: Int32) -> Bool { lua_type(L, i) <= 0 }
    @inlinable public func absIndex(_ i: Int32) -> Int32 { lua_absindex(L, i) }
    @inlinable public func pushValue(_ i: Int32) { lua_pushvalue(L, i) }
    @inlinable public func remove(_ i: Int32) { descent_remove(L, i) }

    /// Pushes global `name` (raw access through the registry's globals table, so it works on
    /// any thread, a coroutine's included); returns its type.
    /// Sets global `name` to the value on top of the stack (popped), on this thread.
    public func setGlobal(_ name: String) {
        lua_rawgeti(L, descent_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        lua_rotate(L, -2, 1)
        rawSet(-2, name)
        pop(1)
    }

    @discardableResult
    public func pushGlobal(_ name: String) -> Int32 {
        lua_rawgeti(L, descent_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        let t = rawGet(-1, name)
        lua_rotate(L, -2, 1)
        pop(1)
        return t
    }

    /// Makes room for `n` more values. A Swift function starts with only LUA_MINSTACK (20) free
    /// slots and pushing past them corrupts memory, so code that pushes once per nesting level
    /// (nested tables, JSON) reserves at every level. Throws at Lua's stack limit.
    public func reserve(_ n: Int32) throws {
        guard lua_checkstack(L, n) != 0 else { throw LuaError("values nested too deeply (Lua stack overflow)") }
    }

    /// The type name a message shows for the value at `i`: Lua's name, or the `__name` of a
    /// userdata's metatable (e.g. `tensor`, `optimizer`).
    public func typeName(_ i: Int32) -> String {
        let t = lua_type(L, i)
        if t == LUA_TUSERDATA, lua_getmetatable(L, i) != 0 {
            lua_pushstring(L, "__name")
            lua_rawget(L, -2)
            defer { pop(2) }
            if let name = string(at: -1) { return name }
        }
        if t == LUA_TNUMBER { return lua_isinteger(L, i) != 0 ? "integer" : "number" }
        return String(cString: lua_typename(L, t))
    }

    // MARK: Reading values (no coercion: a string is not a number)

    @inlinable public func number(at i: Int32) -> Double? {
        guard lua_type(L, i) == LUA_TNUMBER else { return nil }
        return descent_tonumber(L, i, nil)
    }

    public func string(at i: Int32) -> String? {
        guard lua_type(L, i) == LUA_TSTRING else { return nil }
        var len = 0
        guard let p = descent_tolstring(L, i, &len) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }

    /// The string at `i` if it is valid UTF-8 (nil for other types and for invalid bytes, which
    /// `string(at:)` would turn into U+FFFD silently).
    public func validUTF8(_ i: Int32) -> String? {
        guard lua_type(L, i) == LUA_TSTRING else { return nil }
        var len = 0
        guard let p = descent_tolstring(L, i, &len) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: p, count: len)
        return String(validating: bytes, as: UTF8.self)
    }

    /// How many keys the table at `t` has (a walk with nothing that allocates).
    public func keyCount(_ t: Int32) throws -> Int {
        let t = absIndex(t)
        var n = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 { n += 1; pop(1) }
        return n
    }

    /// `tostring`-like text for messages (numbers, strings, booleans, nil, or the type name).
    public func display(_ i: Int32) -> String {
        switch lua_type(L, i) {
        case LUA_TNUMBER:
            if lua_isinteger(L, i) != 0 { return String(descent_tointeger(L, i, nil)) }
            return formatNumber(descent_tonumber(L, i, nil))
        case LUA_TSTRING: return "\"" + (string(at: i) ?? "") + "\""
        case LUA_TBOOLEAN: return lua_toboolean(L, i) != 0 ? "true" : "false"
        case LUA_TNIL, LUA_TNONE: return "nil"
        default: return typeName(i)
        }
    }

    // MARK: Checked arguments. `what` names the argument in messages ("argument 2", "size").

    @inlinable
    public func number(_ i: Int32, _ what: @autoclosure () -> String) throws -> Double {
        if let v = number(at: i) { return v }
        throw LuaError("\(what()) expected a number, got \(typeName(i))")
    }

    @inlinable
    public func optionalNumber(_ i: Int32, _ what: @autoclosure () -> String) throws -> Double? {
        isNoneOrNil(i) ? nil : try number(i, what())
    }

    /// An integer argument; a float with an integral value (`2.0`) is accepted.
    @inlinable
    public func integer(_ i: Int32, _ what: @autoclosure () -> String) throws -> Int {
        if lua_isinteger(L, i) != 0 { return Int(descent_tointeger(L, i, nil)) }
        if let v = number(at: i), v == v.rounded(), abs(v) < 9.0e15 { return Int(v) }
        throw LuaError("\(what()) expected an integer, got \(lua_type(L, i) == LUA_TNUMBER ? display(i) : typeName(i))")
    }

    /// An integer argument within `range` (counts, steps, positions): values a later `+ 1` or
    /// product cannot overflow. "step expected an integer in [0, 9007199254740992], got ...".
    public func integer(_ i: Int32, _ what: @autoclosure () -> String, in range: ClosedRange<Int>) throws -> Int {
        let v = try integer(i, what())
        guard range.contains(v) else { throw LuaError("\(what()) expected an integer in [\(range.lowerBound), \(range.upperBound)], got \(v)") }
        return v
    }

    /// The largest count, step or epoch number a script may pass (2^53: exact as a float too).
    public static let maxCount = 1 << 53

    @inlinable
    public func optionalInteger(_ i: Int32, _ what: @autoclosure () -> String) throws -> Int? {
        isNoneOrNil(i) ? nil : try integer(i, what())
    }

    public func boolean(_ i: Int32, _ what: @autoclosure () -> String) throws -> Bool {
        guard lua_type(L, i) == LUA_TBOOLEAN else { throw LuaError("\(what()) expected a boolean, got \(typeName(i))") }
        return lua_toboolean(L, i) != 0
    }

    public func string(_ i: Int32, _ what: @autoclosure () -> String) throws -> String {
        if let s = string(at: i) { return s }
        throw LuaError("\(what()) expected a string, got \(typeName(i))")
    }

    public func checkTable(_ i: Int32, _ what: @autoclosure () -> String) throws {
        guard lua_type(L, i) == LUA_TTABLE else { throw LuaError("\(what()) expected a table, got \(typeName(i))") }
    }

    public func checkFunction(_ i: Int32, _ what: @autoclosure () -> String) throws {
        guard lua_type(L, i) == LUA_TFUNCTION else { throw LuaError("\(what()) expected a function, got \(typeName(i))") }
    }

    // MARK: Pushing

    @inlinable public func push(_ v: Double) { lua_pushnumber(L, v) }
    @inlinable public func push(_ v: Float) { lua_pushnumber(L, Double(v)) }
    @inlinable public func push(_ v: Int) { lua_pushinteger(L, lua_Integer(v)) }
    @inlinable public func push(_ v: Bool) { lua_pushboolean(L, v ? 1 : 0) }
    @inlinable public func pushNil() { lua_pushnil(L) }
    public func push(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = lua_pushlstring(L, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buf.count) }
    }

    // MARK: Tables (raw access only: no metamethods, so nothing can raise)

    public func newTable(array: Int32 = 0, record: Int32 = 0) { lua_createtable(L, array, record) }
    /// Pushes `t[key]` for the table at `t`; returns its type.
    @discardableResult
    public func rawGet(_ t: Int32, _ key: String) -> Int32 {
        let t = absIndex(t)
        push(key)
        return lua_rawget(L, t)
    }
    @discardableResult
    public func rawGet(_ t: Int32, _ n: Int) -> Int32 { lua_rawgeti(L, t, lua_Integer(n)) }
    /// Pops a value and stores it as `t[key]`.
    public func rawSet(_ t: Int32, _ key: String) {
        let t = absIndex(t)
        push(key)
        lua_rotate(L, -2, 1)
        lua_rawset(L, t)
    }
    /// Pops a value and stores it as `t[n]`.
    public func rawSet(_ t: Int32, _ n: Int) { lua_rawseti(L, t, lua_Integer(n)) }
    @inlinable public func rawLength(_ i: Int32) -> Int { Int(lua_rawlen(L, i)) }

    /// A key of a script table, copied out of Lua so that the walk over the table is finished
    /// before anything can allocate.
    enum Key {
        case string([UInt8]), integer(lua_Integer), number(Double), boolean(Bool)
    }

    /// Calls `body` with each key at -2 and value at -1 of the table at `t` (keys in Lua's order).
    ///
    /// The keys are collected first with `lua_next` while nothing allocates, then each value is
    /// read with raw access. `lua_next` raises ("invalid key to 'next'") when the table was
    /// rehashed since the last key, and anything that allocates (a pushed string) can run a
    /// `__gc` finalizer that changes the table: that error would unwind through Swift frames.
    /// Keys that are tables, functions or userdata are an error.
    public func forEachPair(_ t: Int32, _ body: () throws -> Void) throws {
        let t = absIndex(t)
        var keys: [Key] = []
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                var len = 0
                let p = descent_tolstring(L, -2, &len)
                keys.append(.string(p.map { Array(UnsafeRawBufferPointer(start: $0, count: len).bindMemory(to: UInt8.self)) } ?? []))
            case LUA_TNUMBER:
                keys.append(lua_isinteger(L, -2) != 0 ? .integer(lua_Integer(descent_tointeger(L, -2, nil))) : .number(descent_tonumber(L, -2, nil)))
            case LUA_TBOOLEAN:
                keys.append(.boolean(lua_toboolean(L, -2) != 0))
            default:
                let kind = typeName(-2)
                pop(2)
                throw LuaError("table keys must be strings, numbers or booleans, got a \(kind) key")
            }
            pop(1)
        }
        for key in keys {
            switch key {
            case .string(let bytes):
                bytes.withUnsafeBufferPointer { b in
                    _ = lua_pushlstring(L, UnsafeRawPointer(b.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self), b.count)
                }
            case .integer(let i): lua_pushinteger(L, i)
            case .number(let x): lua_pushnumber(L, x)
            case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
            }
            pushValue(-1)
            if lua_rawget(L, t) == LUA_TNIL { pop(2); continue }  // removed meanwhile
            try body()
            pop(2)
        }
    }

    /// The string keys of the table at `t`, for option checking; a non-string key is an error.
    public func stringKeys(_ t: Int32, _ what: String) throws -> [String] {
        // A walk with nothing between two lua_next calls that allocates in Lua (the keys become
        // Swift strings), so no finalizer can change the table under it (see forEachPair).
        let t = absIndex(t)
        var keys: [String] = []
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            guard let k = string(at: -2) else {
                let kind = typeName(-2)  // "__name" is an interned string: no allocation
                pop(2)
                throw LuaError("\(what): option keys must be strings, got \(kind)")
            }
            keys.append(k)
            pop(1)
        }
        return keys
    }

    // MARK: Calling Lua from Swift

    /// Calls the function below `nargs` arguments in protected mode. On error, pops the message
    /// and throws `LuaRaise` (already located by Lua), so it propagates unchanged.
    public func pcall(_ nargs: Int32, _ nresults: Int32) throws {
        if descent_pcall(L, nargs, nresults, 0) != LUA_OK {
            guard let message = string(at: -1) else {
                // A table (or other non-string) error object carries no position: say so as an
                // error of the Swift function, which the bridge locates at the script's line.
                let type = typeName(-1)
                pop(1)
                throw LuaError("a Lua callback raised an error object that is a \(type) value, not a message")
            }
            pop(1)
            throw LuaRaise(message)
        }
    }
}

/// Numbers in messages: integers without a fraction, others with up to 6 significant digits.
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    var s = String(format6(v))
    if s.hasSuffix(".") { s.removeLast() }
    return s
}

private func format6(_ v: Double) -> String {
    // %.6g without Foundation.
    var buf = [CChar](repeating: 0, count: 32)
    _ = withVaList([v]) { vsnprintf(&buf, 32, "%.6g", $0) }
    return String(cString: buf)
}

#if canImport(Glibc)
import Glibc
#endif

/// Lua's type tags, re-exported so binding modules need not import the C headers.
public let LUA_TYPE_NONE = LUA_TNONE
public let LUA_TYPE_NIL = LUA_TNIL
public let LUA_TYPE_BOOLEAN = LUA_TBOOLEAN
public let LUA_TYPE_NUMBER = LUA_TNUMBER
public let LUA_TYPE_STRING = LUA_TSTRING
public let LUA_TYPE_TABLE = LUA_TTABLE
public let LUA_TYPE_FUNCTION = LUA_TFUNCTION
public let LUA_TYPE_USERDATA = LUA_TUSERDATA
/// `nresults` for a call that keeps every result.
public let LUA_MULTIPLE_RESULTS = LUA_MULTRET
