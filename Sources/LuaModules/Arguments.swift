import LuaHost
import Tensors

/// Argument decoding shared by all bindings: 1-based dims, shapes given as `(2, 3)` or `{2, 3}`,
/// and option tables whose unknown keys are errors that name the key.
extension LuaState {
    /// A dimension argument: 1-based (`1` is the first), negatives count from the end.
    /// Returns the 0-based dim; `rank` is the tensor's number of dimensions.
    func dim(_ i: Int32, rank: Int, _ what: @autoclosure () -> String = "dim") throws -> Int {
        let d = try integer(i, what())
        return try LuaState.zeroBased(dim: d, rank: rank)
    }

    static func zeroBased(dim d: Int, rank: Int) throws -> Int {
        let r = max(rank, 1)
        if d >= 1 && d <= r { return d - 1 }
        if d < 0 && d >= -r { return r + d }
        throw LuaError("dim \(d) is out of range for a tensor with \(rank) dimension\(rank == 1 ? "" : "s") (expected 1..\(r) or -\(r)..-1)")
    }

    /// A shape given either as integers from `i` on (`zeros(2, 3)`) or as one table
    /// (`zeros{2, 3}`). Stops at the first non-number (a trailing options table) and returns the
    /// index after the shape.
    func shape(from i: Int32, _ what: String = "shape") throws -> (shape: [Int], next: Int32) {
        if type(i) == LUA_TYPE_TABLE {
            let n = rawLength(i)
            var shape: [Int] = []
            shape.reserveCapacity(n)
            for k in 1...max(n, 1) where n > 0 {
                rawGet(i, k)
                defer { pop() }
                let v = try integer(-1, "\(what) entry \(k)")
                guard v >= 0 else { throw LuaError("\(what) entry \(k) must be non-negative, got \(v)") }
                shape.append(v)
            }
            return (shape, i + 1)
        }
        var shape: [Int] = []
        var k = i
        while type(k) == LUA_TYPE_NUMBER {
            let v = try integer(k, "size \(k - i + 1)")
            guard v >= 0 else { throw LuaError("size \(k - i + 1) must be non-negative, got \(v)") }
            shape.append(v)
            k += 1
        }
        return (shape, k)
    }

    /// Integers from `i` on, or one table of integers (for view/permute/expand, which allow -1).
    func integers(from i: Int32, _ what: String) throws -> [Int] {
        if type(i) == LUA_TYPE_TABLE {
            let n = rawLength(i)
            var out: [Int] = []
            for k in stride(from: 1, through: n, by: 1) {
                rawGet(i, k)
                defer { pop() }
                out.append(try integer(-1, "\(what) entry \(k)"))
            }
            return out
        }
        var out: [Int] = []
        var k = i
        while !isNoneOrNil(k) {
            out.append(try integer(k, "\(what) \(k - i + 1)"))
            k += 1
        }
        return out
    }
}

/// An options table read with key checking: `Options(L, 3, "Adam", allowed: [...])`.
struct Options {
    let L: LuaState
    let index: Int32?
    let owner: String

    /// Reads the table at `i` (nil or absent: no options). Unknown keys are an error listing the
    /// valid ones.
    init(_ L: LuaState, _ i: Int32, _ owner: String, allowed: [String]) throws {
        self.L = L
        self.owner = owner
        if L.isNoneOrNil(i) { index = nil; return }
        try L.checkTable(i, "argument \(i) (options)")
        index = L.absIndex(i)
        for key in try L.stringKeys(i, owner) where !allowed.contains(key) {
            throw LuaError("unknown option '\(key)' (valid: \(allowed.joined(separator: ", ")))")
        }
    }

    private func with<T>(_ key: String, _ read: (Int32) throws -> T) throws -> T? {
        guard let index else { return nil }
        L.rawGet(index, key)
        defer { L.pop() }
        if L.isNoneOrNil(-1) { return nil }
        return try read(-1)
    }

    func number(_ key: String) throws -> Double? { try with(key) { try L.number($0, "option '\(key)'") } }
    func integer(_ key: String) throws -> Int? { try with(key) { try L.integer($0, "option '\(key)'") } }
    func bool(_ key: String) throws -> Bool? { try with(key) { try L.boolean($0, "option '\(key)'") } }
    func string(_ key: String) throws -> String? { try with(key) { try L.string($0, "option '\(key)'") } }
    /// Pushes the raw value of `key` (or nil) and returns its Lua type.
    @discardableResult
    func push(_ key: String) -> Int32 {
        guard let index else { L.pushNil(); return LUA_TYPE_NIL }
        return L.rawGet(index, key)
    }
}
