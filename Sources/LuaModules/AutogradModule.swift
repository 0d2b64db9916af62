import LuaHost
import Tensors

/// The `autograd` module: `no_grad`, `grad`, `gradcheck`.
extension Runtime {
    func installAutogradModule() {
        host.register(module: "autograd", [
            ("no_grad", { L in
                try L.checkFunction(1, "argument 1")
                L.setTop(1)  // extra arguments are ignored; the results replace the function
                let saved = GradMode.isEnabled
                GradMode.isEnabled = false
                defer { GradMode.isEnabled = saved }
                try L.pcall(0, -1)  // LUA_MULTRET
                return L.top
            }),
            ("is_grad_enabled", { L in L.push(GradMode.isEnabled); return 1 }),
            ("detect_anomaly", { [unowned self] L in
                let previous = Anomaly.isEnabled
                self.setAnomalyDetection(L.isNoneOrNil(1) ? true : try L.boolean(1, "argument 1"))
                L.push(previous)
                return 1
            }),
            ("grad", { [unowned self] L in
                // grad(outputs, inputs[, grad_outputs][, {create_graph, retain_graph, allow_unused}])
                let outputs = try self.oneOrMany(L, 1, "argument 1 (outputs)")
                let inputs = try self.oneOrMany(L, 2, "argument 2 (inputs)")
                // A table of tensors at 3 is grad_outputs; a table with string keys is the options.
                let optionsAt3 = L.type(3) == LUA_TYPE_TABLE && self.tensors.to(L, 3) == nil && L.rawLength(3) == 0
                let gradOutputs = L.isNoneOrNil(3) || optionsAt3 ? nil : try self.oneOrMany(L, 3, "argument 3 (grad_outputs)")
                let opts = try Options(L, optionsAt3 ? 3 : 4, "grad", allowed: ["create_graph", "retain_graph", "allow_unused"])
                let createGraph = try opts.bool("create_graph") ?? false
                let retainGraph = try opts.bool("retain_graph")
                let allowUnused = try opts.bool("allow_unused") ?? true
                let grads = try self.duringBackward(L) {
                    try Autograd.grad(outputs: outputs, inputs: inputs, gradOutputs: gradOutputs, retainGraph: retainGraph,
                                      createGraph: createGraph, allowUnused: allowUnused)
                }
                L.newTable(array: Int32(grads.count))
                for (k, g) in grads.enumerated() {
                    if let g { _ = self.push(L, g) } else { L.pushNil() }
                    L.rawSet(-2, k + 1)
                }
                return 1
            }),
            ("gradcheck", { [unowned self] L in
                try L.checkFunction(1, "argument 1 (fn)")
                let inputs = try self.oneOrMany(L, 2, "argument 2 (inputs)")
                let opts = try Options(L, 3, "gradcheck", allowed: ["eps", "atol", "rtol"])
                let fnIndex = L.absIndex(1)
                let result = try Autograd.gradcheck({ xs in
                    L.pushValue(fnIndex)
                    for x in xs { _ = self.push(L, x) }
                    try L.pcall(Int32(xs.count), 1)
                    defer { L.pop() }
                    return try self.tensor(L, -1, "gradcheck: fn result")
                }, inputs: inputs, eps: try opts.number("eps") ?? 1e-3,
                   atol: try opts.number("atol") ?? 1e-2, rtol: try opts.number("rtol") ?? 1e-2)
                L.push(result.passed)
                L.newTable()
                L.push(result.maxAbsError); L.rawSet(-2, "max_abs_error")
                L.push(result.maxRelError); L.rawSet(-2, "max_rel_error")
                L.push(result.detail); L.rawSet(-2, "detail")
                return 2
            }),
        ])
    }

    /// Turns NaN/Inf checks of every op and backward step on or off.
    func setAnomalyDetection(_ on: Bool) {
        Anomaly.isEnabled = on
        Anomaly.pending = nil
        if on {
            Anomaly.origin = { [weak host] in host?.scriptPosition() }
            host.afterCall = { try Anomaly.raisePending() }
        } else {
            host.afterCall = nil
        }
    }

    /// A tensor, or a list of tensors.
    func oneOrMany(_ L: LuaState, _ i: Int32, _ what: String) throws -> [Tensor] {
        if let t = tensors.to(L, i) { return [t] }
        return try tensorList(L, i, what)
    }
}
