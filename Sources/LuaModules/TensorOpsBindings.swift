import LuaHost
import Tensors

/// Lua bindings of the second round of tensor operations (Sources/Tensors: Sorting, Scan,
/// Reorder, Triangular, Scatter, Predicates, ElementwiseCompound, NormDims, Einsum). Dims and
/// indices are 1-based here and 0-based dims in Swift; index tensors are 1-based on both sides.
extension Runtime {
    /// `base` with the entries of `extra` added; an entry of `extra` replaces one of the same name
    /// (`norm` and `clamp` grow options here).
    static func merging(_ base: [(String, LuaFunction)], _ extra: [(String, LuaFunction)]) -> [(String, LuaFunction)] {
        let names = Set(extra.map(\.0))
        return base.filter { !names.contains($0.0) } + extra
    }

    /// Module-level functions (`tensor.einsum`).
    func tensorOpsFunctions() -> [(String, LuaFunction)] {
        [
            ("einsum", { [unowned self] L in
                let equation = try L.string(1, "argument 1 (equation)")
                let operands: [Tensor]
                if L.type(2) == LUA_TYPE_TABLE {
                    operands = try self.tensorList(L, 2, "argument 2 (operands)")
                } else {
                    var ts: [Tensor] = []
                    var i: Int32 = 2
                    while !L.isNoneOrNil(i) { ts.append(try self.tensor(L, i, "argument \(i)")); i += 1 }
                    operands = ts
                }
                return self.push(L, try Tensor.einsum(equation, operands))
            }),
            ("meshgrid", { [unowned self] L in
                var ts: [Tensor] = [], next: Int32 = 2
                if L.type(1) == LUA_TYPE_TABLE && self.tensors.to(L, 1) == nil {
                    ts = try self.tensorList(L, 1, "argument 1 (tensors)")
                } else {
                    var i: Int32 = 1
                    while let t = self.tensors.to(L, i) { ts.append(t); i += 1 }
                    guard !ts.isEmpty else { throw LuaError("meshgrid: expected tensors, got \(L.typeName(1))") }
                    next = i
                }
                let opts = try Options(L, next, "meshgrid", allowed: ["indexing"])
                return try self.pushList(L, try Tensor.meshgrid(ts, indexing: try opts.string("indexing") ?? "ij"))
            }),
            ("tril_indices", { [unowned self] L in
                let r = try L.integer(1, "argument 1 (rows)"), c = try L.integer(2, "argument 2 (cols)")
                return self.push(L, try Tensor.trilIndices(r, c, offset: L.isNoneOrNil(3) ? 0 : try L.integer(3, "argument 3 (offset)")))
            }),
            ("triu_indices", { [unowned self] L in
                let r = try L.integer(1, "argument 1 (rows)"), c = try L.integer(2, "argument 2 (cols)")
                return self.push(L, try Tensor.triuIndices(r, c, offset: L.isNoneOrNil(3) ? 0 : try L.integer(3, "argument 3 (offset)")))
            }),
            ("searchsorted", { [unowned self] L in
                let sorted = try self.tensor(L, 1, "argument 1 (sorted sequence)")
                let values = try self.tensorOrNumber(L, 2, "argument 2 (values)")
                let opts = try Options(L, 3, "searchsorted", allowed: ["right"])
                return self.push(L, try Tensor.searchsorted(sorted, values, right: try opts.bool("right") ?? false))
            }),
            ("block_diag", { [unowned self] L in
                var ts: [Tensor] = []
                if L.type(1) == LUA_TYPE_TABLE && self.tensors.to(L, 1) == nil { ts = try self.tensorList(L, 1, "argument 1 (tensors)") } else {
                    var i: Int32 = 1
                    while !L.isNoneOrNil(i) { ts.append(try self.tensor(L, i, "argument \(i)")); i += 1 }
                }
                return self.push(L, try Tensor.blockDiag(ts))
            }),
            ("cdist", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1"), b = try self.tensor(L, 2, "argument 2")
                return self.push(L, try Tensor.cdist(a, b, p: try self.normOrder(L, 3)))
            }),
            ("tensordot", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1"), b = try self.tensor(L, 2, "argument 2")
                if L.type(3) == LUA_TYPE_TABLE {
                    try L.checkTable(3, "argument 3 (dims)")
                    guard L.rawLength(3) == 2 else { throw LuaError("tensordot: argument 3 (dims) expected a number or a table of two dim lists {{a dims}, {b dims}}") }
                    L.rawGet(3, 1)
                    let da = try self.intList(L, L.top, "dims[1]").map { try LuaState.zeroBased(dim: $0, rank: a.dim) }
                    L.pop()
                    L.rawGet(3, 2)
                    let db = try self.intList(L, L.top, "dims[2]").map { try LuaState.zeroBased(dim: $0, rank: b.dim) }
                    L.pop()
                    return self.push(L, try Tensor.tensordot(a, b, dimsA: da, dimsB: db))
                }
                let n = L.isNoneOrNil(3) ? 2 : try L.integer(3, "argument 3 (dims)")
                return self.push(L, try Tensor.tensordot(a, b, dims: n))
            }),
        ]
    }

    /// Tensor methods (each is also `tensor.NAME(t, ...)`).
    func tensorOpsMethods() -> [(String, LuaFunction)] {
        tensorOpsMethodsFirst() + tensorOpsMethodsMore()
    }

    func tensorOpsMethodsFirst() -> [(String, LuaFunction)] {
        [
            // Sorting
            ("sort", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = L.isNoneOrNil(2) ? -1 : try L.dim(2, rank: t.dim)
                let desc = L.isNoneOrNil(3) ? false : try L.boolean(3, "argument 2 (descending)")
                let r = try t.sort(dim: d, descending: desc)
                _ = self.push(L, r.values)
                return self.push(L, r.indices) + 1
            }),
            ("argsort", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = L.isNoneOrNil(2) ? -1 : try L.dim(2, rank: t.dim)
                let desc = L.isNoneOrNil(3) ? false : try L.boolean(3, "argument 2 (descending)")
                return self.push(L, try t.argsort(dim: d, descending: desc))
            }),
            ("topk", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let k = try L.integer(2, "argument 1 (k)")
                let d = L.isNoneOrNil(3) ? -1 : try L.dim(3, rank: t.dim)
                let largest = L.isNoneOrNil(4) ? true : try L.boolean(4, "argument 3 (largest)")
                if !L.isNoneOrNil(5) { _ = try L.boolean(5, "argument 4 (sorted)") }   // always sorted
                let r = try t.topk(k, dim: d, largest: largest)
                _ = self.push(L, r.values)
                return self.push(L, r.indices) + 1
            }),
            // Scans and reordering
            ("cumsum", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.cumsum(dim: try L.dim(2, rank: t.dim)))
            }),
            ("cumprod", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.cumprod(dim: try L.dim(2, rank: t.dim)))
            }),
            ("flip", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let dims = try self.intList(L, 2, "argument 1 (dims)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                return self.push(L, try t.flip(dims))
            }),
            ("roll", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let shifts = try self.intList(L, 2, "argument 1 (shifts)")
                let dims = L.isNoneOrNil(3) ? [] : try self.intList(L, 3, "argument 2 (dims)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                return self.push(L, try t.roll(shifts, dims: dims))
            }),
            ("chunk", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let n = try L.integer(2, "argument 1 (chunks)")
                let d = L.isNoneOrNil(3) ? 0 : try L.dim(3, rank: t.dim)
                return try self.pushList(L, try t.chunk(n, dim: d))
            }),
            ("split", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = L.isNoneOrNil(3) ? 0 : try L.dim(3, rank: t.dim)
                if L.type(2) == LUA_TYPE_TABLE {
                    return try self.pushList(L, try t.split(sizes: try self.intList(L, 2, "argument 1 (sizes)"), dim: d))
                }
                return try self.pushList(L, try t.split(size: try L.integer(2, "argument 1 (split size or table of sizes)"), dim: d))
            }),
            ("unbind", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = L.isNoneOrNil(2) ? 0 : try L.dim(2, rank: t.dim)
                return try self.pushList(L, try t.unbind(dim: d))
            }),
            // Masks and diagonals
            ("tril", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.tril(diagonal: L.isNoneOrNil(2) ? 0 : try L.integer(2, "argument 1 (diagonal)")))
            }),
            ("triu", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.triu(diagonal: L.isNoneOrNil(2) ? 0 : try L.integer(2, "argument 1 (diagonal)")))
            }),
            ("masked_fill", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let mask = try self.tensor(L, 2, "argument 1 (mask)")
                return self.push(L, try t.maskedFill(mask, value: try self.tensorOrNumber(L, 3, "argument 2 (value)")))
            }),
            ("diag", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.diag(L.isNoneOrNil(2) ? 0 : try L.integer(2, "argument 1 (diagonal)")))
            }),
            ("diagonal", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                guard t.dim >= 2 else { throw LuaError("diagonal: expected a tensor with at least 2 dims, got shape \(describe(shape: t.shape))") }
                let offset = L.isNoneOrNil(2) ? 0 : try L.integer(2, "argument 1 (offset)")
                let d1 = L.isNoneOrNil(3) ? 0 : try L.dim(3, rank: t.dim, "argument 2 (dim1)")
                let d2 = L.isNoneOrNil(4) ? 1 : try L.dim(4, rank: t.dim, "argument 3 (dim2)")
                return self.push(L, try t.diagonal(offset: offset, dim1: d1, dim2: d2))
            }),
            ("trace", unary { try $0.trace() }),
            // Indexed writes
            ("scatter", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = try L.dim(2, rank: t.dim)
                let index = try self.tensor(L, 3, "argument 2 (index)")
                if let src = self.tensors.to(L, 4) { return self.push(L, try t.scatter(dim: d, index: index, src: src)) }
                let v = try L.number(4, "argument 3 (src: a tensor or a number)")
                return self.push(L, try t.scatter(dim: d, index: index, value: Float(v)))
            }),
            ("scatter_add", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = try L.dim(2, rank: t.dim)
                return self.push(L, try t.scatterAdd(dim: d, index: try self.tensor(L, 3, "argument 2 (index)"),
                                                     src: try self.tensor(L, 4, "argument 3 (src)")))
            }),
            ("index_add", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = try L.dim(2, rank: t.dim)
                let index = try self.tensor(L, 3, "argument 2 (index)"), source = try self.tensor(L, 4, "argument 3 (source)")
                var alpha = 1.0
                if L.type(5) == LUA_TYPE_TABLE {
                    alpha = try Options(L, 5, "index_add", allowed: ["alpha"]).number("alpha") ?? 1
                } else if !L.isNoneOrNil(5) {
                    alpha = try L.number(5, "argument 4 (alpha)")
                }
                return self.push(L, try t.indexAdd(dim: d, index: index, source: source, alpha: Float(alpha)))
            }),
            // Tests and boolean reductions
            ("isnan", unary { try $0.isnan() }),
            ("isinf", unary { try $0.isinf() }),
            ("isfinite", unary { try $0.isfinite() }),
            ("any", reduction({ try $0.anyNonzero() }, { try $0.anyNonzero(dim: $1, keepdim: $2) })),
            ("all", reduction({ try $0.allNonzero() }, { try $0.allNonzero(dim: $1, keepdim: $2) })),
            // Compound elementwise
            ("clamp", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let lo = try self.optionalBound(L, 2, "argument 1 (min)"), hi = try self.optionalBound(L, 3, "argument 2 (max)")
                if case .number(let a)? = lo, hi == nil { return self.push(L, try t.clamp(min: a, max: nil)) }
                if case .number(let b)? = hi, lo == nil { return self.push(L, try t.clamp(min: nil, max: b)) }
                if case .number(let a)? = lo, case .number(let b)? = hi { return self.push(L, try t.clamp(min: a, max: b)) }
                if lo == nil && hi == nil { return self.push(L, try t.clamp(min: nil, max: nil)) }
                return self.push(L, try t.clamp(minTensor: try lo?.tensor(), maxTensor: try hi?.tensor()))
            }),
            ("lerp", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let end = try self.tensorOrNumber(L, 2, "argument 1 (end)")
                if let w = self.tensors.to(L, 3) { return self.push(L, try t.lerp(end, weight: w)) }
                return self.push(L, try t.lerp(end, weight: Float(try L.number(3, "argument 2 (weight: a number or a tensor)"))))
            }),
            ("addcmul", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.addcmul(try self.tensorOrNumber(L, 2, "argument 1"), try self.tensorOrNumber(L, 3, "argument 2"),
                                                  value: Float(try L.optionalNumber(4, "argument 3 (value)") ?? 1)))
            }),
            ("addcdiv", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.addcdiv(try self.tensorOrNumber(L, 2, "argument 1"), try self.tensorOrNumber(L, 3, "argument 2"),
                                                  value: Float(try L.optionalNumber(4, "argument 3 (value)") ?? 1)))
            }),
            // Norms
            ("norm", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let p = try self.normOrder(L, 2)
                let keep = L.isNoneOrNil(4) ? false : try L.boolean(4, "argument 3 (keepdim)")
                if L.isNoneOrNil(3) { return self.push(L, try t.norm(p: p, dims: [], keepdim: keep)) }
                let dims = try self.intList(L, 3, "argument 2 (dim)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                guard !dims.isEmpty else { throw LuaError("norm: argument 2 (dim) is an empty table (omit it to reduce every dim)") }
                return self.push(L, try t.norm(p: p, dims: dims, keepdim: keep))
            }),
        ]
    }

    /// The ops added after the first list (same conventions).
    func tensorOpsMethodsMore() -> [(String, LuaFunction)] {
        [
            ("bmm", { [unowned self] L in
                self.push(L, try Tensor.bmm(try self.tensor(L, 1, "argument 1"), try self.tensor(L, 2, "argument 2")))
            }),
            ("kron", { [unowned self] L in
                self.push(L, try Tensor.kron(try self.tensor(L, 1, "argument 1"), try self.tensor(L, 2, "argument 2")))
            }),
            ("tile", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.tile(try L.integers(from: 2, "size")))
            }),
            ("repeat_interleave", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let r = try L.integer(2, "argument 1 (repeats)")
                let d = L.isNoneOrNil(3) ? nil : try L.dim(3, rank: t.dim)
                return self.push(L, try t.repeatInterleave(r, dim: d))
            }),
            ("movedim", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let src = try self.intList(L, 2, "argument 1 (source)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                let dst = try self.intList(L, 3, "argument 2 (destination)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                return self.push(L, try t.movedim(src, dst))
            }),
            ("diff", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let n = L.isNoneOrNil(2) ? 1 : try L.integer(2, "argument 1 (n)")
                let d = L.isNoneOrNil(3) ? -1 : try L.dim(3, rank: t.dim)
                return self.push(L, try t.diff(n: n, dim: d))
            }),
            ("amax", dimsReduction { try $0.amax(dims: $1, keepdim: $2) }),
            ("amin", dimsReduction { try $0.amin(dims: $1, keepdim: $2) }),
            ("sum", dimsReduction { t, ds, keep in ds.isEmpty && !keep ? try t.sum() : try t.sum(dims: ds.isEmpty ? Array(0..<t.dim) : ds, keepdim: keep) }),
            ("mean", dimsReduction { t, ds, keep in ds.isEmpty && !keep ? try t.mean() : try t.mean(dims: ds.isEmpty ? Array(0..<t.dim) : ds, keepdim: keep) }),
            ("reciprocal", unary { try $0.reciprocal() }), ("expm1", unary { try $0.expm1() }),
            ("exp2", unary { try $0.exp2() }), ("log2", unary { try $0.log2() }), ("log10", unary { try $0.log10() }),
            ("erf", unary { try $0.erf() }), ("tan", unary { try $0.tan() }), ("atan", unary { try $0.atan() }),
            ("asin", unary { try $0.asin() }), ("acos", unary { try $0.acos() }), ("sinh", unary { try $0.sinh() }),
            ("cosh", unary { try $0.cosh() }), ("trunc", unary { try $0.trunc() }), ("frac", unary { try $0.frac() }),
            ("atan2", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").atan2(try self.tensorOrNumber(L, 2, "argument 1 (other)")))
            }),
            ("fmod", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").fmod(try self.tensorOrNumber(L, 2, "argument 1 (other)")))
            }),
            ("remainder", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").remainder(try self.tensorOrNumber(L, 2, "argument 1 (other)")))
            }),
            ("kthvalue", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let k = try L.integer(2, "argument 1 (k)")
                let d = L.isNoneOrNil(3) ? -1 : try L.dim(3, rank: t.dim)
                let keep = L.isNoneOrNil(4) ? false : try L.boolean(4, "argument 3 (keepdim)")
                return try self.pushPairResult(L, try t.kthvalue(k, dim: d, keepdim: keep))
            }),
            ("median", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                if L.isNoneOrNil(2) { return self.push(L, try t.median()) }
                let d = try L.dim(2, rank: t.dim)
                let keep = L.isNoneOrNil(3) ? false : try L.boolean(3, "argument 2 (keepdim)")
                return try self.pushPairResult(L, try t.median(dim: d, keepdim: keep))
            }),
            ("quantile", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                var qs: [Double] = [], scalar = false
                if let q = L.number(at: 2) { qs = [q]; scalar = true }
                else if let qt = self.tensors.to(L, 2) {
                    guard qt.dim <= 1 else { throw LuaError("quantile: q must be a number, a table or a 0-d/1-d tensor, got shape \(describe(shape: qt.shape))") }
                    // An expanded q tensor of 2^40 elements: an error, not an abort.
                    try TensorMemory.checkScratch(count: qt.count, bytesPerElement: 12, op: "quantile")
                    qs = qt.toArray().map(Double.init); scalar = qt.dim == 0
                } else if L.type(2) == LUA_TYPE_TABLE {
                    let n = L.rawLength(2)
                    for k in stride(from: 1, through: n, by: 1) {
                        L.rawGet(2, k)
                        defer { L.pop() }
                        qs.append(try L.number(-1, "q entry \(k)"))
                    }
                } else { throw LuaError("argument 1 (q) expected a number, a table of numbers or a tensor, got \(L.typeName(2))") }
                let d = L.isNoneOrNil(3) ? nil : try L.dim(3, rank: t.dim)
                let keep = L.isNoneOrNil(4) ? false : try L.boolean(4, "argument 3 (keepdim)")
                return self.push(L, try t.quantile(qs, dim: d, keepdim: keep, scalarQ: scalar))
            }),
            ("cummax", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return try self.pushPairResult(L, try t.cummax(dim: try L.dim(2, rank: t.dim)))
            }),
            ("cummin", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return try self.pushPairResult(L, try t.cummin(dim: try L.dim(2, rank: t.dim)))
            }),
            ("logcumsumexp", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.logcumsumexp(dim: try L.dim(2, rank: t.dim)))
            }),
            ("logaddexp", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").logaddexp(try self.tensorOrNumber(L, 2, "argument 1 (other)")))
            }),
            ("hypot", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").hypot(try self.tensorOrNumber(L, 2, "argument 1 (other)")))
            }),
            ("cross", { [unowned self] L in
                let t = try self.tensor(L, 1, "self"), u = try self.tensor(L, 2, "argument 1 (other)")
                let rank = max(t.dim, u.dim)
                return self.push(L, try t.cross(u, dim: L.isNoneOrNil(3) ? nil : try L.dim(3, rank: rank)))
            }),
            ("rot90", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let k = L.isNoneOrNil(2) ? 1 : try L.integer(2, "argument 1 (k)")
                let dims = L.isNoneOrNil(3) ? [0, 1] : try self.intList(L, 3, "argument 2 (dims)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                return self.push(L, try t.rot90(k, dims: dims))
            }),
            ("count_nonzero", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let dims = L.isNoneOrNil(2) ? [] : try self.intList(L, 2, "argument 1 (dim)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                return self.push(L, try t.countNonzero(dims: dims))
            }),
            ("addmm", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let a = try self.tensor(L, 2, "argument 1"), b = try self.tensor(L, 3, "argument 2")
                let opts = try Options(L, 4, "addmm", allowed: ["beta", "alpha"])
                return self.push(L, try t.addmm(a, b, beta: Float(try opts.number("beta") ?? 1), alpha: Float(try opts.number("alpha") ?? 1)))
            }),
            ("baddbmm", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let a = try self.tensor(L, 2, "argument 1"), b = try self.tensor(L, 3, "argument 2")
                let opts = try Options(L, 4, "baddbmm", allowed: ["beta", "alpha"])
                return self.push(L, try t.baddbmm(a, b, beta: Float(try opts.number("beta") ?? 1), alpha: Float(try opts.number("alpha") ?? 1)))
            }),
            ("bucketize", { [unowned self] L in
                let t = try self.tensor(L, 1, "self"), b = try self.tensor(L, 2, "argument 1 (boundaries)")
                guard b.dim == 1 else { throw LuaError("bucketize: boundaries must be 1-d, got shape \(describe(shape: b.shape))") }
                let opts = try Options(L, 3, "bucketize", allowed: ["right"])
                return self.push(L, try Tensor.searchsorted(b, t, right: try opts.bool("right") ?? false))
            }),
            ("unique", { [unowned self] L in
                let r = try self.tensor(L, 1, "self").unique()
                try L.reserve(3)
                _ = self.push(L, r.values)
                _ = self.push(L, r.inverse)
                return self.push(L, r.counts) + 2
            }),
            ("var", spreadBinding(sqrt: false)),
            ("std", spreadBinding(sqrt: true)),
            ("lerp_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let end = try self.tensorOrNumber(L, 2, "argument 1 (end)")
                if let w = self.tensors.to(L, 3) { try t.lerp_(end, weight: w) } else {
                    try t.lerp_(end, weight: Float(try L.number(3, "argument 2 (weight: a number or a tensor)")))
                }
                L.setTop(1)
                return 1
            }),
            ("clamp_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let lo = try self.optionalBound(L, 2, "argument 1 (min)"), hi = try self.optionalBound(L, 3, "argument 2 (max)")
                switch (lo, hi) {
                case (.tensor, _), (_, .tensor): try t.clamp_(minTensor: try lo?.tensor(), maxTensor: try hi?.tensor())
                default:
                    var a: Float? = nil, b: Float? = nil
                    if case .number(let v)? = lo { a = v }
                    if case .number(let v)? = hi { b = v }
                    try t.clamp_(min: a, max: b)
                }
                L.setTop(1)
                return 1
            }),
            ("fill_diagonal_", { [unowned self] L in
                try self.tensor(L, 1, "self").fillDiagonal_(Float(try L.number(2, "argument 1 (value)")))
                L.setTop(1)
                return 1
            }),
            ("masked_select", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").maskedSelect(try self.tensor(L, 2, "argument 1 (mask)")))
            }),
            ("nonzero", unary { try $0.nonzero() }),
            // In place
            ("masked_fill_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                try t.maskedFill_(try self.tensor(L, 2, "argument 1 (mask)"), value: try self.tensorOrNumber(L, 3, "argument 2 (value)"))
                L.setTop(1)
                return 1
            }),
            ("scatter_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = try L.dim(2, rank: t.dim)
                let index = try self.tensor(L, 3, "argument 2 (index)")
                if let src = self.tensors.to(L, 4) { try t.scatter_(dim: d, index: index, src: src) } else {
                    try t.scatter_(dim: d, index: index, value: Float(try L.number(4, "argument 3 (src: a tensor or a number)")))
                }
                L.setTop(1)
                return 1
            }),
            ("scatter_add_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = try L.dim(2, rank: t.dim)
                try t.scatterAdd_(dim: d, index: try self.tensor(L, 3, "argument 2 (index)"), src: try self.tensor(L, 4, "argument 3 (src)"))
                L.setTop(1)
                return 1
            }),
            ("index_add_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let d = try L.dim(2, rank: t.dim)
                let index = try self.tensor(L, 3, "argument 2 (index)"), source = try self.tensor(L, 4, "argument 3 (source)")
                var alpha = 1.0
                if L.type(5) == LUA_TYPE_TABLE {
                    alpha = try Options(L, 5, "index_add_", allowed: ["alpha"]).number("alpha") ?? 1
                } else if !L.isNoneOrNil(5) {
                    alpha = try L.number(5, "argument 4 (alpha)")
                }
                try t.indexAdd_(dim: d, index: index, source: source, alpha: Float(alpha))
                L.setTop(1)
                return 1
            }),
            ("tril_", { [unowned self] L in
                try self.tensor(L, 1, "self").tril_(diagonal: L.isNoneOrNil(2) ? 0 : try L.integer(2, "argument 1 (diagonal)"))
                L.setTop(1)
                return 1
            }),
            ("triu_", { [unowned self] L in
                try self.tensor(L, 1, "self").triu_(diagonal: L.isNoneOrNil(2) ? 0 : try L.integer(2, "argument 1 (diagonal)"))
                L.setTop(1)
                return 1
            }),
        ]
    }

    /// `var`/`std`: `([dim[, keepdim]][, {correction}])`, dim one dim or a table of dims; the
    /// options table may come right after `self` or after any positional argument.
    func spreadBinding(sqrt: Bool) -> LuaFunction {
        { [unowned self] L in
            let name = sqrt ? "std" : "var"
            let t = try self.tensor(L, 1, "self")
            var top = L.top
            var correction = 1
            if top >= 2 && L.type(top) == LUA_TYPE_TABLE && !(top == 2 && L.rawLength(2) > 0) {
                correction = try Options(L, top, name, allowed: ["correction"]).integer("correction") ?? 1
                top -= 1
            }
            let keep = top >= 3 && !L.isNoneOrNil(3) ? try L.boolean(3, "argument 2 (keepdim)") : false
            let dims = top >= 2 && !L.isNoneOrNil(2)
                ? try self.intList(L, 2, "argument 1 (dim)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) } : []
            if top >= 2 && !L.isNoneOrNil(2) && dims.isEmpty { throw LuaError("argument 1 (dim) is an empty table (omit it to reduce every dim)") }
            return self.push(L, sqrt ? try t.std(dims: dims, correction: correction, keepdim: keep)
                                     : try t.variance(dims: dims, correction: correction, keepdim: keep))
        }
    }

    /// A reduction over every element, one dim, or a table of dims, with optional keepdim.
    /// The closure gets 0-based dims (empty: every dim).
    func dimsReduction(_ body: @escaping (Tensor, [Int], Bool) throws -> Tensor) -> LuaFunction {
        { [unowned self] L in
            let t = try self.tensor(L, 1, "self")
            let keep = L.isNoneOrNil(3) ? false : try L.boolean(3, "argument 2 (keepdim)")
            if L.isNoneOrNil(2) { return self.push(L, try body(t, [], keep)) }
            let dims = try self.intList(L, 2, "argument 1 (dim)").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
            guard !dims.isEmpty else { throw LuaError("argument 1 (dim) is an empty table (omit it to reduce every dim)") }
            return self.push(L, try body(t, dims, keep))
        }
    }

    /// A clamp bound: nil, a number, or a tensor.
    enum Bound: Equatable {
        case number(Float), tensor(Tensor)
        func tensor() throws -> Tensor {
            switch self { case .number(let v): return try Tensor.scalar(v); case .tensor(let t): return t }
        }
        static func == (a: Bound, b: Bound) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): return x == y
            case (.tensor(let x), .tensor(let y)): return x === y
            default: return false
            }
        }
    }

    func optionalBound(_ L: LuaState, _ i: Int32, _ what: String) throws -> Bound? {
        if L.isNoneOrNil(i) { return nil }
        if let t = tensors.to(L, i) { return .tensor(t) }
        guard let v = L.number(at: i) else { throw LuaError("\(what) expected a number, a tensor or nil, got \(L.typeName(i))") }
        return .number(Float(v))
    }

    /// `norm`'s p: a number (default 2), `math.huge`, or one of 'fro', 'inf', '-inf'.
    func normOrder(_ L: LuaState, _ i: Int32) throws -> Double {
        if L.isNoneOrNil(i) { return 2 }
        if L.type(i) == LUA_TYPE_STRING {
            switch L.string(at: i) ?? "" {
            case "fro": return 2
            case "inf": return .infinity
            case "-inf": return -.infinity
            case let s: throw LuaError("norm: p must be a number, 'fro', 'inf' or '-inf', got '\(s)' (the nuclear norm is linalg's)")
            }
        }
        return try L.number(i, "argument 1 (p)")
    }

    /// An integer or a table of integers.
    func intList(_ L: LuaState, _ i: Int32, _ what: String) throws -> [Int] {
        if L.type(i) == LUA_TYPE_TABLE { return try L.integers(from: i, what) }
        return [try L.integer(i, what)]
    }

    /// Pushes values and indices (two results).
    func pushPairResult(_ L: LuaState, _ r: (values: Tensor, indices: Tensor)) throws -> Int32 {
        try L.reserve(2)
        _ = push(L, r.values)
        return push(L, r.indices) + 1
    }

    /// Pushes a Lua array of tensors (chunk, split, unbind).
    func pushList(_ L: LuaState, _ ts: [Tensor]) throws -> Int32 {
        try L.reserve(3)
        L.newTable(array: Int32(clamping: ts.count))
        for (k, t) in ts.enumerated() {
            _ = push(L, t)
            L.rawSet(-2, k + 1)
        }
        return 1
    }
}
