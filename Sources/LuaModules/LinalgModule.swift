import LuaHost
import Tensors

/// The `linalg` module: `torch.linalg`'s names and return conventions over `Tensors.Linalg`
/// (docs/lua-api/linalg.md). Dims are 1-based here; options tables are checked for unknown keys.
extension Runtime {
    func installLinalgModule() {
        host.register(module: "linalg", [
            ("eigh", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let (w, v) = try Linalg.eigh(a)
                _ = self.push(L, w)
                return self.push(L, v) + 1
            }),
            ("svd", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let opts = try Options(L, 2, "svd", allowed: ["full_matrices"])
                let (u, s, vh) = try Linalg.svd(a, fullMatrices: try opts.bool("full_matrices") ?? false)
                _ = self.push(L, u)
                _ = self.push(L, s)
                return self.push(L, vh) + 2
            }),
            ("qr", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let opts = try Options(L, 2, "qr", allowed: ["mode"])
                let (q, r) = try Linalg.qr(a, mode: try opts.string("mode") ?? "reduced")
                _ = self.push(L, try q ?? Tensor.zeros([0]))   // mode 'r': an empty Q, as PyTorch
                return self.push(L, r) + 1
            }),
            ("cholesky", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let opts = try Options(L, 2, "cholesky", allowed: ["upper"])
                return self.push(L, try Linalg.cholesky(a, upper: try opts.bool("upper") ?? false))
            }),
            ("solve", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let b = try self.tensor(L, 2, "argument 2 (B)")
                let opts = try Options(L, 3, "solve", allowed: ["left"])
                return self.push(L, try Linalg.solve(a, b, left: try opts.bool("left") ?? true))
            }),
            ("solve_triangular", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let b = try self.tensor(L, 2, "argument 2 (B)")
                let opts = try Options(L, 3, "solve_triangular", allowed: ["upper", "left", "unitriangular"])
                guard let upper = try opts.bool("upper") else {
                    throw LuaError("option 'upper' is required (true: A is upper triangular, false: lower)")
                }
                return self.push(L, try Linalg.solveTriangular(
                    a, b, upper: upper, left: try opts.bool("left") ?? true,
                    unitriangular: try opts.bool("unitriangular") ?? false))
            }),
            ("inv", { [unowned self] L in
                self.push(L, try Linalg.inv(try self.tensor(L, 1, "argument 1 (A)")))
            }),
            ("det", { [unowned self] L in
                self.push(L, try Linalg.det(try self.tensor(L, 1, "argument 1 (A)")))
            }),
            ("slogdet", { [unowned self] L in
                let (sign, logabs) = try Linalg.slogdet(try self.tensor(L, 1, "argument 1 (A)"))
                _ = self.push(L, sign)
                return self.push(L, logabs) + 1
            }),
            ("lstsq", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let b = try self.tensor(L, 2, "argument 2 (B)")
                let opts = try Options(L, 3, "lstsq", allowed: ["rcond"])
                let r = try Linalg.lstsq(a, b, rcond: try opts.number("rcond"))
                _ = self.push(L, r.solution)
                _ = self.push(L, r.residuals)
                _ = self.push(L, r.rank)
                return self.push(L, r.singularValues) + 3
            }),
            ("matrix_norm", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let ord = try self.matrixNormOrder(L, 2)
                var dims = [-2, -1]
                if !L.isNoneOrNil(3) {
                    let given = try self.dimList(L, 3, rank: a.dim, "argument 3 (dim)")
                    guard given.count == 2 else {
                        throw LuaError("argument 3 (dim) must name 2 dims, got \(given.count)")
                    }
                    dims = given
                }
                let keep = L.isNoneOrNil(4) ? false : try L.boolean(4, "argument 4 (keepdim)")
                return self.push(L, try Linalg.matrixNorm(a, ord: ord, dims: dims, keepdim: keep))
            }),
            ("vector_norm", { [unowned self] L in
                let x = try self.tensor(L, 1, "argument 1 (x)")
                let ord = L.isNoneOrNil(2) ? 2 : try self.normNumber(L, 2, "argument 2 (ord)")
                let dims = L.isNoneOrNil(3) ? nil : try self.dimList(L, 3, rank: x.dim, "argument 3 (dim)")
                let keep = L.isNoneOrNil(4) ? false : try L.boolean(4, "argument 4 (keepdim)")
                return self.push(L, try Linalg.vectorNorm(x, ord: ord, dims: dims, keepdim: keep))
            }),
            ("matrix_power", { [unowned self] L in
                let a = try self.tensor(L, 1, "argument 1 (A)")
                let n = try L.integer(2, "argument 2 (n)")
                return self.push(L, try Linalg.matrixPower(a, n))
            }),
        ])
    }

    /// A norm order given as a number (`math.huge` for inf) or as the strings "inf" / "-inf".
    func normNumber(_ L: LuaState, _ i: Int32, _ what: String) throws -> Double {
        if L.type(i) == LUA_TYPE_STRING {
            switch L.string(at: i) ?? "" {
            case "inf": return .infinity
            case "-inf": return -.infinity
            case let s: throw LuaError("\(what) must be a number, 'inf' or '-inf', got '\(s)'")
            }
        }
        let v = try L.number(i, what)
        guard !v.isNaN else { throw LuaError("\(what) must be a number, got nan") }
        return v
    }

    /// `matrix_norm`'s ord: 'fro' (default), 'nuc', 1, -1, 2, -2, inf, -inf.
    func matrixNormOrder(_ L: LuaState, _ i: Int32) throws -> Linalg.MatrixNormOrder {
        let what = "argument 2 (ord)"
        if L.isNoneOrNil(i) { return .fro }
        if L.type(i) == LUA_TYPE_STRING, let s = L.string(at: i), s == "fro" || s == "nuc" {
            return s == "fro" ? .fro : .nuc
        }
        let p: Double
        do { p = try normNumber(L, i, what) } catch {
            throw LuaError("\(what) must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got \(L.type(i) == LUA_TYPE_STRING ? "'\(L.string(at: i) ?? "")'" : L.typeName(i))")
        }
        guard [1, -1, 2, -2].contains(p) || p.isInfinite else {
            let shown = p == p.rounded() && Swift.abs(p) < 1e15 ? String(Int(p)) : String(p)
            throw LuaError("\(what) must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got \(shown)")
        }
        return .number(p)
    }

    /// One 1-based dim or a table of them, as 0-based dims.
    func dimList(_ L: LuaState, _ i: Int32, rank: Int, _ what: String) throws -> [Int] {
        if L.type(i) == LUA_TYPE_NUMBER { return [try L.dim(i, rank: rank, what)] }
        guard L.type(i) == LUA_TYPE_TABLE else {
            throw LuaError("\(what) expected a dim or a table of dims, got \(L.typeName(i))")
        }
        let n = L.rawLength(i)
        guard n <= 64 else { throw LuaError("\(what) has \(n) entries, more than a tensor has dims") }
        var out = [Int]()
        for k in stride(from: 1, through: n, by: 1) {
            L.rawGet(i, k)
            defer { L.pop() }
            let d = try L.integer(-1, "\(what) entry \(k)")
            let z = try LuaState.zeroBased(dim: d, rank: rank)
            guard !out.contains(z) else { throw LuaError("\(what) names dim \(z + 1) more than once") }
            out.append(z)
        }
        return out
    }
}
