import LuaHost
import Tensors

/// Methods and metamethods of tensor values.
extension Runtime {
    /// `t:op()` for a unary op.
    func unary(_ op: @escaping (Tensor) throws -> Tensor) -> LuaFunction {
        { [unowned self] L in self.push(L, try op(try self.tensor(L, 1, "self"))) }
    }

    /// A binary op with scalars on either side (`t + 1`, `1 + t`, `t:add(u)`).
    func binary(
        _ tt: @escaping (Tensor, Tensor) throws -> Tensor,
        _ ts: @escaping (Tensor, Float) throws -> Tensor,
        _ st: @escaping (Float, Tensor) throws -> Tensor
    ) -> LuaFunction {
        { [unowned self] L in
            if let a = self.tensors.to(L, 1) {
                if let b = self.tensors.to(L, 2) { return self.push(L, try tt(a, b)) }
                if let s = L.number(at: 2) { return self.push(L, try ts(a, Float(s))) }
                throw LuaError("argument 2 expected a tensor or a number, got \(L.typeName(2))")
            }
            if let s = L.number(at: 1), let b = self.tensors.to(L, 2) { return self.push(L, try st(Float(s), b)) }
            throw LuaError("expected a tensor and a tensor or number, got \(L.typeName(1)) and \(L.typeName(2))")
        }
    }

    /// An in-place op taking a tensor or a number: `t:mul_(u)`, `t:mul_(2)`.
    func inPlace(
        _ tt: @escaping (Tensor, Tensor) throws -> Tensor, _ ts: @escaping (Tensor, Float) throws -> Tensor
    ) -> LuaFunction {
        { [unowned self] L in
            let t = try self.tensor(L, 1, "self")
            if let u = self.tensors.to(L, 2) { _ = try tt(t, u) } else {
                _ = try ts(t, Float(try L.number(2, "argument 1 (a tensor or a number)")))
            }
            L.setTop(1)
            return 1
        }
    }

    /// A reduction over all elements, or over `dim` with optional `keepdim`.
    func reduction(
        _ all: @escaping (Tensor) throws -> Tensor, _ alongDim: @escaping (Tensor, Int, Bool) throws -> Tensor
    ) -> LuaFunction {
        { [unowned self] L in
            let t = try self.tensor(L, 1, "self")
            if L.isNoneOrNil(2) { return self.push(L, try all(t)) }
            let d = try L.dim(2, rank: t.dim)
            let keep = L.isNoneOrNil(3) ? false : try L.boolean(3, "argument 2 (keepdim)")
            return self.push(L, try alongDim(t, d, keep))
        }
    }

    /// `max`/`min`: over everything a 0-d tensor; along a dim, values and 1-based indices.
    func extremum(_ all: @escaping (Tensor) throws -> Tensor,
                  _ alongDim: @escaping (Tensor, Int, Bool) throws -> (values: Tensor, indices: Tensor)) -> LuaFunction {
        { [unowned self] L in
            let t = try self.tensor(L, 1, "self")
            if let other = self.tensors.to(L, 2) {  // t:max(u) is elementwise, as in PyTorch
                throw LuaError("expected a dim, got a tensor \(describe(shape: other.shape)) (use maximum/minimum for elementwise)")
            }
            if L.isNoneOrNil(2) { return self.push(L, try all(t)) }
            let d = try L.dim(2, rank: t.dim)
            let keep = L.isNoneOrNil(3) ? false : try L.boolean(3, "argument 2 (keepdim)")
            let r = try alongDim(t, d, keep)
            _ = self.push(L, r.values)
            return self.push(L, r.indices) + 1
        }
    }

    func tensorMethods() -> [(String, LuaFunction)] {
        var m: [(String, LuaFunction)] = [
            // Inspection
            ("shape", { [unowned self] L in self.pushShape(L, try self.tensor(L, 1, "self").shape) }),
            ("size", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                if L.isNoneOrNil(2) { return self.pushShape(L, t.shape) }
                guard t.dim > 0 else { throw LuaError("a 0-d tensor has no dimensions to take the size of") }
                L.push(t.shape[try L.dim(2, rank: t.dim)])
                return 1
            }),
            ("dim", { [unowned self] L in L.push(try self.tensor(L, 1, "self").dim); return 1 }),
            ("numel", { [unowned self] L in L.push(try self.tensor(L, 1, "self").count); return 1 }),
            ("item", { [unowned self] L in self.pushElement(L, try self.tensor(L, 1, "self").item()); return 1 }),
            ("totable", { [unowned self] L in try self.pushTable(L, try self.tensor(L, 1, "self")); return 1 }),
            ("is_contiguous", { [unowned self] L in L.push(try self.tensor(L, 1, "self").isContiguous); return 1 }),
            // Views and indexing
            ("get", { [unowned self] L in
                var t = try self.tensor(L, 1, "self")
                let n = L.top - 1
                guard n >= 1, n <= Int32(t.dim) else {
                    throw LuaError("expected 1 to \(t.dim) indices for a tensor of shape \(describe(shape: t.shape)), got \(n)")
                }
                for k in 0..<n { t = try t.select(dim: 0, index: try self.position(L, 2 + k, size: t.shape[0], "index \(k + 1)")) }
                if t.dim == 0 { self.pushElement(L, try t.item()); return 1 }
                return self.push(L, t)
            }),
            ("set", { [unowned self] L in
                var t = try self.tensor(L, 1, "self")
                let n = L.top - 2
                guard n >= 1, n <= Int32(t.dim) else {
                    throw LuaError("expected 1 to \(t.dim) indices and a value for a tensor of shape \(describe(shape: t.shape)), got \(max(n, 0)) indices")
                }
                for k in 0..<n { t = try t.select(dim: 0, index: try self.position(L, 2 + k, size: t.shape[0], "index \(k + 1)")) }
                let v = try self.tensorOrNumber(L, L.top, "value")
                try GradMode.withoutGrad { _ = try t.copy_(v) }
                L.setTop(1)
                return 1
            }),
            ("select", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                guard t.dim > 0 else { throw LuaError("cannot select from a 0-d tensor") }
                let d = try L.dim(2, rank: t.dim)
                return self.push(L, try t.select(dim: d, index: try self.position(L, 3, size: t.shape[d], "index")))
            }),
            ("narrow", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                guard t.dim > 0 else { throw LuaError("cannot narrow a 0-d tensor") }
                let d = try L.dim(2, rank: t.dim)
                let start = try self.position(L, 3, size: max(t.shape[d], 1), "start")
                let length = try L.integer(4, "argument 3 (length)")
                return self.push(L, try t.narrow(dim: d, start: start, length: length))
            }),
            ("view", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").view(try L.integers(from: 2, "size")))
            }),
            ("reshape", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").reshape(try L.integers(from: 2, "size")))
            }),
            ("transpose", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.transpose(try L.dim(2, rank: t.dim), try L.dim(3, rank: t.dim)))
            }),
            ("t", unary { try $0.t() }),
            ("permute", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let dims = try L.integers(from: 2, "dim").map { try LuaState.zeroBased(dim: $0, rank: t.dim) }
                return self.push(L, try t.permute(dims))
            }),
            ("unsqueeze", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.unsqueeze(try L.dim(2, rank: t.dim + 1)))
            }),
            ("squeeze", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.squeeze(L.isNoneOrNil(2) ? nil : try L.dim(2, rank: t.dim)))
            }),
            ("flatten", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let s = L.isNoneOrNil(2) ? 0 : try L.dim(2, rank: t.dim)
                let e = L.isNoneOrNil(3) ? -1 : try L.dim(3, rank: t.dim)
                return self.push(L, try t.flatten(startDim: s, endDim: e))
            }),
            ("expand", { [unowned self] L in
                self.push(L, try self.tensor(L, 1, "self").expand(try L.integers(from: 2, "size")))
            }),
            ("contiguous", unary { try $0.contiguous() }),
            ("clone", unary { try $0.clone() }),
            ("detach", unary { $0.detach() }),
            ("index_select", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.indexSelect(dim: try L.dim(2, rank: t.dim), index: try self.tensor(L, 3, "argument 2 (index)")))
            }),
            ("gather", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.gather(dim: try L.dim(2, rank: t.dim), index: try self.tensor(L, 3, "argument 2 (index)")))
            }),
            // Arithmetic
            ("add", binary({ try $0.add($1) }, { try $0.add($1) }, { try $1.add($0) })),
            ("sub", binary({ try $0.sub($1) }, { try $0.sub($1) }, { try $1.rsub($0) })),
            ("mul", binary({ try $0.mul($1) }, { try $0.mul($1) }, { try $1.mul($0) })),
            ("div", binary({ try $0.div($1) }, { try $0.div($1) }, { try $1.rdiv($0) })),
            ("pow", binary({ try $0.pow($1) }, { try $0.pow($1) }, { try $1.rpow($0) })),
            ("maximum", binary({ try $0.maximum($1) }, { try $0.maximum(Tensor.scalar($1)) }, { try $1.maximum(Tensor.scalar($0)) })),
            ("minimum", binary({ try $0.minimum($1) }, { try $0.minimum(Tensor.scalar($1)) }, { try $1.minimum(Tensor.scalar($0)) })),
            ("eq", binary({ try $0.eq($1) }, { try $0.eq($1) }, { try $1.eq($0) })),
            ("ne", binary({ try $0.ne($1) }, { try $0.ne($1) }, { try $1.ne($0) })),
            ("lt", binary({ try $0.lt($1) }, { try $0.lt($1) }, { try $1.gt($0) })),
            ("le", binary({ try $0.le($1) }, { try $0.le($1) }, { try $1.ge($0) })),
            ("gt", binary({ try $0.gt($1) }, { try $0.gt($1) }, { try $1.lt($0) })),
            ("ge", binary({ try $0.ge($1) }, { try $0.ge($1) }, { try $1.le($0) })),
            ("neg", unary { try $0.neg() }),
            ("matmul", { [unowned self] L in self.push(L, try self.tensor(L, 1, "argument 1").matmul(try self.tensor(L, 2, "argument 2"))) }),
            ("mm", { [unowned self] L in self.push(L, try self.tensor(L, 1, "argument 1").mm(try self.tensor(L, 2, "argument 2"))) }),
            ("dot", { [unowned self] L in self.push(L, try self.tensor(L, 1, "argument 1").dot(try self.tensor(L, 2, "argument 2"))) }),
            ("clamp", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let lo = try L.optionalNumber(2, "argument 1 (min)"), hi = try L.optionalNumber(3, "argument 2 (max)")
                return self.push(L, try t.clamp(min: lo.map(Float.init), max: hi.map(Float.init)))
            }),
            ("where", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let mask = try self.tensor(L, 2, "argument 1 (mask)")
                return self.push(L, try Tensor.where(mask, t, try self.tensorOrNumber(L, 3, "argument 2 (other)")))
            }),
            // Reductions
            ("sum", reduction({ try $0.sum() }, { try $0.sum(dim: $1, keepdim: $2) })),
            ("mean", reduction({ try $0.mean() }, { try $0.mean(dim: $1, keepdim: $2) })),
            ("var", reduction({ try $0.variance(dim: nil, correction: 1, keepdim: false) },
                              { try $0.variance(dim: $1, correction: 1, keepdim: $2) })),
            ("std", reduction({ try $0.std(dim: nil, correction: 1, keepdim: false) },
                              { try $0.std(dim: $1, correction: 1, keepdim: $2) })),
            ("prod", reduction({ try $0.prod() }, { try $0.prod(dim: $1, keepdim: $2) })),
            ("argmax", reduction({ try $0.argmax(dim: nil, keepdim: false) }, { try $0.argmax(dim: $1, keepdim: $2) })),
            ("argmin", reduction({ try $0.argmin(dim: nil, keepdim: false) }, { try $0.argmin(dim: $1, keepdim: $2) })),
            ("logsumexp", reduction({ try $0.flatten(startDim: 0, endDim: -1).logsumexp(dim: 0, keepdim: false) },
                                    { try $0.logsumexp(dim: $1, keepdim: $2) })),
            ("max", extremum({ try $0.amax() }, { try $0.maxAlong(dim: $1, keepdim: $2) })),
            ("min", extremum({ try $0.amin() }, { try $0.minAlong(dim: $1, keepdim: $2) })),
            ("norm", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let p = L.isNoneOrNil(2) ? 2 : try L.number(2, "argument 1 (p)")
                let d = L.isNoneOrNil(3) ? nil : try L.dim(3, rank: t.dim)
                let keep = L.isNoneOrNil(4) ? false : try L.boolean(4, "argument 3 (keepdim)")
                return self.push(L, try t.norm(p: p, dim: d, keepdim: keep))
            }),
            ("softmax", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.softmax(dim: L.isNoneOrNil(2) ? -1 : try L.dim(2, rank: t.dim)))
            }),
            ("log_softmax", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                return self.push(L, try t.logSoftmax(dim: L.isNoneOrNil(2) ? -1 : try L.dim(2, rank: t.dim)))
            }),
            ("pow_", { [unowned self] L in
                L.setTop(2); _ = try self.tensor(L, 1, "self").pow_(Float(try L.number(2, "argument 1 (exponent)"))); L.setTop(1); return 1
            }),
            // In place
            ("zero_", { [unowned self] L in try self.tensor(L, 1, "self").zero_(); L.setTop(1); return 1 }),
            ("fill_", { [unowned self] L in
                try self.tensor(L, 1, "self").fill_(Float(try L.number(2, "argument 1 (value)"))); L.setTop(1); return 1
            }),
            ("copy_", { [unowned self] L in
                try self.tensor(L, 1, "self").copy_(try self.tensorOrNumber(L, 2, "argument 1 (source)")); L.setTop(1); return 1
            }),
            ("add_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                if let u = self.tensors.to(L, 2) {
                    let alpha = try L.optionalNumber(3, "argument 2 (alpha)") ?? 1
                    try t.add_(u, alpha: Float(alpha))
                } else { try t.add_(Float(try L.number(2, "argument 1 (a tensor or a number)"))) }
                L.setTop(1)
                return 1
            }),
            ("sub_", inPlace({ try $0.sub_($1) }, { try $0.sub_($1) })),
            ("mul_", inPlace({ try $0.mul_($1) }, { try $0.mul_($1) })),
            ("div_", inPlace({ try $0.div_($1) }, { try $0.div_($1) })),
            ("maximum_", inPlace({ try $0.maximum_($1) }, { try $0.maximum_(Tensor.scalar($1)) })),
            ("addcmul_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                try t.addcmul_(try self.tensor(L, 2, "argument 1"), try self.tensor(L, 3, "argument 2"),
                               value: Float(try L.optionalNumber(4, "argument 3 (value)") ?? 1))
                L.setTop(1)
                return 1
            }),
            ("addcdiv_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                try t.addcdiv_(try self.tensor(L, 2, "argument 1"), try self.tensor(L, 3, "argument 2"),
                               value: Float(try L.optionalNumber(4, "argument 3 (value)") ?? 1))
                L.setTop(1)
                return 1
            }),
            ("lerp_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                try t.lerp_(try self.tensorOrNumber(L, 2, "argument 1 (end)"), weight: Float(try L.number(3, "argument 2 (weight)")))
                L.setTop(1)
                return 1
            }),
            ("clamp_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                let lo = try L.optionalNumber(2, "argument 1 (min)"), hi = try L.optionalNumber(3, "argument 2 (max)")
                try t.clamp_(min: lo.map(Float.init), max: hi.map(Float.init))
                L.setTop(1)
                return 1
            }),
            ("sqrt_", { [unowned self] L in try self.tensor(L, 1, "self").sqrt_(); L.setTop(1); return 1 }),
            ("abs_", { [unowned self] L in try self.tensor(L, 1, "self").abs_(); L.setTop(1); return 1 }),
            ("neg_", { [unowned self] L in try self.tensor(L, 1, "self").neg_(); L.setTop(1); return 1 }),
            ("uniform_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                try t.uniform_(from: Float(try L.optionalNumber(2, "argument 1 (from)") ?? 0),
                               to: Float(try L.optionalNumber(3, "argument 2 (to)") ?? 1), generator: .shared)
                L.setTop(1)
                return 1
            }),
            ("normal_", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                try t.normal_(mean: Float(try L.optionalNumber(2, "argument 1 (mean)") ?? 0),
                              std: Float(try L.optionalNumber(3, "argument 2 (std)") ?? 1), generator: .shared)
                L.setTop(1)
                return 1
            }),
            // Autograd
            ("requires_grad", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                if L.isNoneOrNil(2) && L.top < 2 { L.push(t.requiresGrad); return 1 }
                let flag = L.isNoneOrNil(2) ? true : try L.boolean(2, "argument 1")
                guard t.isLeaf || flag else { throw LuaError("cannot turn off requires_grad of a non-leaf tensor (use detach())") }
                t.requiresGrad = flag
                L.setTop(1)
                return 1
            }),
            ("backward", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                // backward([gradient][, {retain_graph = true}])
                let gradient = L.type(2) == LUA_TYPE_TABLE || L.isNoneOrNil(2) ? nil : try self.tensor(L, 2, "argument 1 (gradient)")
                let opts = try Options(L, L.type(2) == LUA_TYPE_TABLE ? 2 : 3, "backward", allowed: ["retain_graph", "create_graph"])
                let createGraph = try opts.bool("create_graph") ?? false
                let retainGraph = try opts.bool("retain_graph")
                try self.duringBackward(L) { try t.backward(gradient, retainGraph: retainGraph, createGraph: createGraph) }
                return 0
            }),
            ("zero_grad", { [unowned self] L in try self.tensor(L, 1, "self").grad = nil; return 0 }),
        ]
        let elementwise: [(String, (Tensor) throws -> Tensor)] = [
            ("abs", { try $0.absolute() }), ("exp", { try $0.exp() }), ("log", { try $0.log() }),
            ("log1p", { try $0.log1p() }), ("sqrt", { try $0.sqrt() }), ("rsqrt", { try $0.rsqrt() }),
            ("sin", { try $0.sin() }), ("cos", { try $0.cos() }), ("tanh", { try $0.tanh() }),
            ("sigmoid", { try $0.sigmoid() }), ("relu", { try $0.relu() }), ("gelu", { try $0.gelu() }),
            ("sign", { try $0.sign() }), ("floor", { try $0.floor() }), ("ceil", { try $0.ceil() }),
            ("round", { try $0.round() }), ("square", { try $0.square() }),
        ]
        m += elementwise.map { ($0.0, unary($0.1)) }
        return m
    }

    func tensorMetamethods() -> [(String, LuaFunction)] {
        [
            ("__add", binary({ try $0.add($1) }, { try $0.add($1) }, { try $1.add($0) })),
            ("__sub", binary({ try $0.sub($1) }, { try $0.sub($1) }, { try $1.rsub($0) })),
            ("__mul", binary({ try $0.mul($1) }, { try $0.mul($1) }, { try $1.mul($0) })),
            ("__div", binary({ try $0.div($1) }, { try $0.div($1) }, { try $1.rdiv($0) })),
            ("__pow", binary({ try $0.pow($1) }, { try $0.pow($1) }, { try $1.rpow($0) })),
            ("__unm", unary { try $0.neg() }),
            ("__len", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                guard t.dim > 0 else { throw LuaError("# of a 0-d tensor (use t:item())") }
                L.push(t.shape[0])
                return 1
            }),
            ("__tostring", { [unowned self] L in L.push(try self.tensor(L, 1, "self").description); return 1 }),
            ("__newindex", { [unowned self] L in try self.newIndex(L) }),
        ]
    }
}

