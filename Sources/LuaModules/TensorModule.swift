import LuaHost
import Tensors

/// The `tensor` module and the methods of tensor values (../shared/lua-api.md, "tensor").
extension Runtime {
    func installTensorModule() {
        let constructors: [(String, LuaFunction)] = [
            ("zeros", { [unowned self] L in try self.create(L, "zeros") { try Tensor.zeros($0) } }),
            ("ones", { [unowned self] L in try self.create(L, "ones") { try Tensor.ones($0) } }),
            ("empty", { [unowned self] L in try self.create(L, "empty") { try Tensor.zeros($0) } }),
            ("rand", { [unowned self] L in try self.create(L, "rand") { try Tensor.rand($0) } }),
            ("randn", { [unowned self] L in try self.create(L, "randn") { try Tensor.randn($0) } }),
            ("full", { [unowned self] L in
                let (shape, next) = try self.shapeOrTable(L, 1)
                let v = try L.number(next, "argument \(next) (value)")
                return try self.finishCreate(L, try Tensor.full(shape, value: Float(v)), options: next + 1, "full")
            }),
            ("randint", { [unowned self] L in
                let lo = try L.integer(1, "argument 1 (low)"), hi = try L.integer(2, "argument 2 (high)")
                guard hi > lo else { throw LuaError("expected high > low, got low = \(lo), high = \(hi)") }
                let (shape, next) = try self.shapeOrTable(L, 3)
                return try self.finishCreate(L, try Tensor.randint(low: lo, high: hi, shape: shape), options: next, "randint")
            }),
            ("arange", { [unowned self] L in
                let a = try L.number(1, "argument 1")
                var start = 0.0, end = a, step = 1.0, next: Int32 = 2
                if let b = L.number(at: 2) {
                    start = a; end = b; next = 3
                    if let s = L.number(at: 3) { step = s; next = 4 }
                }
                return try self.finishCreate(L, try Tensor.arange(start: start, end: end, step: step), options: next, "arange")
            }),
            ("linspace", { [unowned self] L in
                let a = try L.number(1, "argument 1 (start)"), b = try L.number(2, "argument 2 (end)")
                let n = try L.integer(3, "argument 3 (steps)")
                guard n >= 0 else { throw LuaError("expected steps >= 0, got \(n)") }
                return try self.finishCreate(L, try Tensor.linspace(start: a, end: b, count: n), options: 4, "linspace")
            }),
            ("eye", { [unowned self] L in
                let n = try L.integer(1, "argument 1 (n)")
                guard n >= 0 else { throw LuaError("expected n >= 0, got \(n)") }
                return try self.finishCreate(L, try Tensor.eye(n), options: 2, "eye")
            }),
            ("from", { [unowned self] L in
                let t = try self.fromTable(L, 1)
                return try self.finishCreate(L, t, options: 2, "from")
            }),
            ("zeros_like", { [unowned self] L in self.push(L, try Tensor.zerosLike(try self.tensor(L, 1, "argument 1"))) }),
            ("ones_like", { [unowned self] L in self.push(L, try Tensor.onesLike(try self.tensor(L, 1, "argument 1"))) }),
            ("randn_like", { [unowned self] L in self.push(L, try Tensor.randnLike(try self.tensor(L, 1, "argument 1"))) }),
            ("manual_seed", { L in
                let s = try L.integer(1, "argument 1 (seed)")
                Generator.shared.reseed(UInt64(bitPattern: Int64(s)))
                return 0
            }),
            ("is_tensor", { [unowned self] L in L.push(self.tensors.to(L, 1) != nil); return 1 }),
            ("cat", { [unowned self] L in
                let ts = try self.tensorList(L, 1, "argument 1 (tensors)")
                let rank = ts.first?.dim ?? 1
                let d = L.isNoneOrNil(2) ? 0 : try L.dim(2, rank: rank)
                return self.push(L, try Tensor.cat(ts, dim: d))
            }),
            ("stack", { [unowned self] L in
                let ts = try self.tensorList(L, 1, "argument 1 (tensors)")
                let rank = (ts.first?.dim ?? 0) + 1
                let d = L.isNoneOrNil(2) ? 0 : try L.dim(2, rank: rank)
                return self.push(L, try Tensor.stack(ts, dim: d))
            }),
            ("outer", { [unowned self] L in
                self.push(L, try Tensor.outer(try self.tensor(L, 1, "argument 1"), try self.tensor(L, 2, "argument 2")))
            }),
            ("where", { [unowned self] L in
                let mask = try self.tensor(L, 1, "argument 1 (mask)")
                let a = try self.tensorOrNumber(L, 2, "argument 2"), b = try self.tensorOrNumber(L, 3, "argument 3")
                return self.push(L, try Tensor.where(mask, a, b))
            }),
        ]
        let methods = Runtime.merging(tensorMethods(), tensorOpsMethods())   // TensorOpsBindings.swift
        host.addMethods(tensors, methods)
        host.addMetamethods(tensors, tensorMetamethods())
        host.setIndexFallback(tensors) { [unowned self] L in try self.index(L) }
        // Every method is also a function of the module: tensor.matmul(a, b), tensor.sum(t), ...
        host.register(module: "tensor", methods + constructors + tensorOpsFunctions())
    }

    // MARK: Construction helpers

    /// Constructors taking a shape (`zeros(2, 3)`, `zeros{2, 3}`) and an optional options table.
    func create(_ L: LuaState, _ name: String, _ make: ([Int]) throws -> Tensor) throws -> Int32 {
        let (shape, next) = try L.shape(from: 1)
        return try finishCreate(L, try make(shape), options: next, name)
    }

    /// A shape given as a table or a single integer (for full/randint).
    func shapeOrTable(_ L: LuaState, _ i: Int32) throws -> ([Int], Int32) {
        if L.type(i) == LUA_TYPE_TABLE { return try L.shape(from: i) }
        let n = try L.integer(i, "argument \(i) (shape)")
        guard n >= 0 else { throw LuaError("argument \(i) (shape) must be non-negative, got \(n)") }
        return ([n], i + 1)
    }

    func finishCreate(_ L: LuaState, _ t: Tensor, options i: Int32, _ name: String) throws -> Int32 {
        let opts = try Options(L, i, name, allowed: ["requires_grad"])
        if let rg = try opts.bool("requires_grad") { t.requiresGrad = rg }
        return push(L, t)
    }

    /// How deeply `tensor.from` tables may nest: the walk below recurses once per level.
    var maxTableDepth: Int { 1000 }

    /// `tensor.from{{1, 2}, {3, 4}}`: nested tables of numbers with a rectangular shape.
    func fromTable(_ L: LuaState, _ i: Int32) throws -> Tensor {
        if let v = L.number(at: i) { return try Tensor.scalar(Float(v)) }
        try L.checkTable(i, "argument 1")
        var shape: [Int] = []
        var probe = L.absIndex(i)
        var pushed: Int32 = 0
        while L.type(probe) == LUA_TYPE_TABLE {
            guard shape.count < maxTableDepth else {
                L.pop(pushed)
                throw LuaError("nested table deeper than \(maxTableDepth) levels")
            }
            try L.reserve(2)
            let n = L.rawLength(probe)
            shape.append(n)
            if n == 0 { break }
            L.rawGet(probe, 1)
            pushed += 1
            probe = L.absIndex(-1)
        }
        L.pop(pushed)
        try Tensor.validate(shape: shape)
        var values: [Float] = []
        values.reserveCapacity(shape.reduce(1, *))
        func walk(_ t: Int32, _ depth: Int, _ path: String) throws {
            try L.reserve(2)
            let n = L.rawLength(t)
            guard n == shape[depth] else {
                throw LuaError("ragged nested table: expected \(shape[depth]) entries at \(path.isEmpty ? "the top level" : path), got \(n)")
            }
            for k in stride(from: 1, through: n, by: 1) {
                L.rawGet(t, k)
                defer { L.pop() }
                if depth == shape.count - 1 {
                    guard let v = L.number(at: -1) else {
                        throw LuaError("expected a number at \(path)[\(k)], got \(L.typeName(-1))")
                    }
                    values.append(Float(v))
                } else {
                    guard L.type(-1) == LUA_TYPE_TABLE else {
                        throw LuaError("expected a table at \(path)[\(k)], got \(L.typeName(-1))")
                    }
                    try walk(L.absIndex(-1), depth + 1, path + "[\(k)]")
                }
            }
        }
        if !(shape.count == 1 && shape[0] == 0) { try walk(L.absIndex(i), 0, "") }
        return try Tensor(values, shape: shape)
    }

    func tensorList(_ L: LuaState, _ i: Int32, _ what: String) throws -> [Tensor] {
        try L.checkTable(i, what)
        let n = L.rawLength(i)
        guard n > 0 else { throw LuaError("\(what) expected a non-empty list of tensors") }
        var out: [Tensor] = []
        for k in 1...n {
            L.rawGet(i, k)
            defer { L.pop() }
            out.append(try tensor(L, -1, "\(what) entry \(k)"))
        }
        return out
    }

    /// An element as a Lua number: integral values (labels, indices, counts) become Lua integers,
    /// so `t:argmax():item()` is `3`, not `3.0`.
    func pushElement(_ L: LuaState, _ v: Float) {
        if v == v.rounded(), abs(v) < 16_777_216 { L.push(Int(v)) } else { L.push(v) }
    }

    func pushShape(_ L: LuaState, _ shape: [Int]) -> Int32 {
        L.newTable(array: Int32(shape.count))
        for (k, d) in shape.enumerated() { L.push(d); L.rawSet(-2, k + 1) }
        return 1
    }

    /// Nested Lua tables of numbers (a number for a 0-d tensor).
    func pushTable(_ L: LuaState, _ t: Tensor) throws {
        try L.reserve(Int32(clamping: t.dim + 2))
        let values = t.toArray()
        if t.dim == 0 { pushElement(L, values.first ?? 0); return }
        var k = 0
        func build(_ depth: Int) {
            let n = t.shape[depth]
            L.newTable(array: Int32(n))
            for j in 0..<n {
                if depth == t.dim - 1 { pushElement(L, values[k]); k += 1 } else { build(depth + 1) }
                L.rawSet(-2, j + 1)
            }
        }
        build(0)
    }

    // MARK: Indexing (t[i], t.grad)

    func index(_ L: LuaState) throws -> Int32 {
        let t = try tensor(L, 1, "self")
        if L.type(2) == LUA_TYPE_NUMBER {
            guard t.dim > 0 else { throw LuaError("cannot index a 0-d tensor") }
            let i = try position(L, 2, size: t.shape[0], "index")
            let s = try t.select(dim: 0, index: i)
            if s.dim == 0 { pushElement(L, try s.item()); return 1 }
            return push(L, s)
        }
        switch L.string(at: 2) {
        case "grad": if let g = t.grad { return push(L, g) } else { L.pushNil(); return 1 }
        case "is_leaf": L.push(t.isLeaf); return 1
        case "grad_fn": if let n = t.gradFn { L.push(n.name) } else { L.pushNil() }; return 1
        case "shape_": return pushShape(L, t.shape)
        default: L.pushNil(); return 1
        }
    }

    func newIndex(_ L: LuaState) throws -> Int32 {
        let t = try tensor(L, 1, "self")
        if L.type(2) == LUA_TYPE_NUMBER {
            guard t.dim > 0 else { throw LuaError("cannot index a 0-d tensor") }
            let i = try position(L, 2, size: t.shape[0], "index")
            let target = try t.select(dim: 0, index: i)
            try GradMode.withoutGrad { _ = try target.copy_(try tensorOrNumber(L, 3, "value")) }
            return 0
        }
        guard L.string(at: 2) == "grad" else {
            throw LuaError("cannot set field '\(L.string(at: 2) ?? L.typeName(2))' of a tensor (only t.grad and t[i] are assignable)")
        }
        if L.isNoneOrNil(3) { t.grad = nil; return 0 }
        let g = try tensor(L, 3, "grad")
        guard g.shape == t.shape else {
            throw LuaError("grad must have the tensor's shape \(describe(shape: t.shape)), got \(describe(shape: g.shape))")
        }
        // Gradients carry no history: a grad computed from the tensor itself (`w.grad = w * 2`)
        // would otherwise form a cycle tensor → grad → graph → tensor that ARC never frees.
        t.grad = g.detach()
        return 0
    }

    /// A 1-based position in a dimension of `size` (negatives count from the end) → 0-based.
    func position(_ L: LuaState, _ i: Int32, size: Int, _ what: String) throws -> Int {
        let p = try L.integer(i, what)
        if p >= 1 && p <= size { return p - 1 }
        if p < 0 && p >= -size { return size + p }
        throw LuaError("\(what) \(p) is out of range for a dimension of size \(size) (indices are 1-based: 1..\(size) or -\(size)..-1)")
    }
}
