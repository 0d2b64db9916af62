import LuaHost
import Tensors

/// Higher-order autograd from Lua: `autograd.vjp`, `jvp`, `hvp`, `hessian`, `gradgradcheck`,
/// and `t:register_hook(fn)` with its handle class.
extension Runtime {
    func installAutogradTransforms() {
        let handles = host.defineClass(GradHook.self, name: "hook handle", methods: [])
        host.addMethods(handles, [
            ("remove", { L in
                try handles.check(L, 1, "remove: self").remove()
                return 0
            }),
        ])
        host.addMethods(tensors, [
            ("register_hook", { [unowned self] L in
                let t = try self.tensor(L, 1, "self")
                try L.checkFunction(2, "register_hook: argument 1 (fn)")
                let ref = self.host.reference(2, in: L)
                // Weak: a tensor (and its hook) can outlive the runtime in Swift-side caches.
                let hook = try t.registerHook { [weak self] g in
                    guard let self else { return nil }
                    // The state of the binding that started this backward (a coroutine's, maybe):
                    // a Lua hook cannot run without one.
                    guard let L = self.backwardStates.last else {
                        throw LuaError("register_hook: the hook's backward was not started from Lua")
                    }
                    try L.reserve(4)
                    ref.push(onto: L)
                    _ = self.push(L, g)
                    try L.pcall(1, 1)
                    defer { L.pop() }
                    if L.isNoneOrNil(-1) { return nil }
                    guard let replaced = self.tensors.to(L, -1) else {
                        throw LuaError("register_hook: the hook must return nil or a tensor, got \(L.typeName(-1))")
                    }
                    return replaced
                }
                handles.push(L, hook)
                return 1
            }),
        ])
        host.register(module: "autograd", [
            ("vjp", { [unowned self] L in
                // vjp(f, inputs[, v]) -> f(inputs), vᵀJ (like inputs)
                let (f, inputs, single) = try self.transformArguments(L, "vjp")
                let v = L.isNoneOrNil(3) ? nil : try self.tensor(L, 3, "vjp: argument 3 (v)")
                let r = try self.duringBackward(L) { try Autograd.vjp(f, inputs: inputs, v: v) }
                _ = self.push(L, r.output)
                self.pushLike(L, r.vjp, single: single)
                return 2
            }),
            ("jvp", { [unowned self] L in
                // jvp(f, inputs, v) -> f(inputs), J·v
                let (f, inputs, _) = try self.transformArguments(L, "jvp")
                let v = try self.oneOrMany(L, 3, "jvp: argument 3 (v)")
                let r = try self.duringBackward(L) { try Autograd.jvp(f, inputs: inputs, v: v) }
                _ = self.push(L, r.output)
                _ = self.push(L, r.jvp)
                return 2
            }),
            ("hvp", { [unowned self] L in
                // hvp(f, inputs, v) -> f(inputs), H·v (like inputs)
                let (f, inputs, single) = try self.transformArguments(L, "hvp")
                let v = try self.oneOrMany(L, 3, "hvp: argument 3 (v)")
                let r = try self.duringBackward(L) { try Autograd.hvp(f, inputs: inputs, v: v) }
                _ = self.push(L, r.output)
                self.pushLike(L, r.hvp, single: single)
                return 2
            }),
            ("hessian", { [unowned self] L in
                // hessian(f, inputs) -> H (a tensor for one input, else H[i][j])
                let (f, inputs, single) = try self.transformArguments(L, "hessian")
                let h = try self.duringBackward(L) { try Autograd.hessian(f, inputs: inputs) }
                if single { return self.push(L, h[0][0]) }
                L.newTable(array: Int32(h.count))
                for (i, row) in h.enumerated() {
                    self.pushLike(L, row, single: false)
                    L.rawSet(-2, i + 1)
                }
                return 1
            }),
            ("gradgradcheck", { [unowned self] L in
                let (f, inputs, _) = try self.transformArguments(L, "gradgradcheck")
                let opts = try Options(L, 3, "gradgradcheck", allowed: ["eps", "atol", "rtol"])
                let eps = try opts.number("eps") ?? 1e-3, atol = try opts.number("atol") ?? 1e-2
                let rtol = try opts.number("rtol") ?? 1e-2
                let result = try self.duringBackward(L) {
                    try Autograd.gradgradcheck(f, inputs: inputs, eps: eps, atol: atol, rtol: rtol)
                }
                L.push(result.passed)
                L.newTable()
                L.push(result.maxAbsError); L.rawSet(-2, "max_abs_error")
                L.push(result.maxRelError); L.rawSet(-2, "max_rel_error")
                L.push(result.detail); L.rawSet(-2, "detail")
                return 2
            }),
        ])
    }

    /// `f` (argument 1, a Lua function called with the inputs as separate arguments and
    /// returning one tensor), the inputs (argument 2: a tensor or a list), and whether argument
    /// 2 was a single tensor.
    func transformArguments(_ L: LuaState, _ op: String) throws -> (([Tensor]) throws -> Tensor, [Tensor], Bool) {
        try L.checkFunction(1, "\(op): argument 1 (f)")
        let single = tensors.to(L, 2) != nil
        let inputs = try oneOrMany(L, 2, "\(op): argument 2 (inputs)")
        let fnIndex = L.absIndex(1)
        let f: ([Tensor]) throws -> Tensor = { [unowned self] xs in
            try L.reserve(Int32(xs.count) + 2)
            L.pushValue(fnIndex)
            for x in xs { _ = self.push(L, x) }
            try L.pcall(Int32(xs.count), 1)
            defer { L.pop() }
            guard let t = self.tensors.to(L, -1) else {
                throw LuaError("\(op): f must return a tensor, got \(L.typeName(-1))")
            }
            return t
        }
        return (f, inputs, single)
    }

    /// Runs `body` (a backward pass) with `L` as the state gradient hooks call Lua on.
    func duringBackward<T>(_ L: LuaState, _ body: () throws -> T) throws -> T {
        backwardStates.append(L)
        defer { backwardStates.removeLast() }
        return try body()
    }

    /// Pushes one tensor when `single`, else a list of them.
    func pushLike(_ L: LuaState, _ ts: [Tensor], single: Bool) {
        if single, let t = ts.first { _ = push(L, t); return }
        L.newTable(array: Int32(ts.count))
        for (k, t) in ts.enumerated() {
            _ = push(L, t)
            L.rawSet(-2, k + 1)
        }
    }
}
