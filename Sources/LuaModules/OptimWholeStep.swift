import LuaHost
import Optim
import Tensors

/// The Lua step function of an `optim.define{step = ...}` optimizer.
final class LuaStepHandle {
    let step: LuaReference
    init(step: LuaReference) { self.step = step }
}

extension Runtime {
    /// `opt:step([closure])` for a whole-step optimizer written in Lua: calls
    /// `step(groups, state, closure)` and returns its result. `groups[i]` holds the group's
    /// options and `params`; `state[i][j]` is the state table of `groups[i].params[j]` (its tensors
    /// and numbers are kept between steps and saved by `state_dict`; `state[i][j].step` counts the
    /// optimizer's steps). Recording stays on, so the closure's backward works; the step function
    /// updates parameters inside `autograd.no_grad`.
    func hostStep(_ L: LuaState, _ opt: Optimizer, _ algorithm: HostStepOptimizer) throws -> Int32 {
        guard let handle = algorithm.handle as? LuaStepHandle else {
            throw LuaError("\(opt.name): its step function belongs to another Lua state")
        }
        if !L.isNoneOrNil(2) { try L.checkFunction(2, "argument 1 (closure)") }
        L.setTop(2)
        try L.reserve(12)
        // 3: the state tables, read back after the call.
        var states: [[ParamState]] = []
        L.newTable(array: Int32(opt.groups.count))
        for (g, group) in opt.groups.enumerated() {
            var row: [ParamState] = []
            L.newTable(array: Int32(group.params.count))
            for j in 0..<group.params.count {
                let s = try opt.hostState(group: g, index: j)
                s.step += 1
                row.append(s)
                L.newTable()
                for (k, t) in s.buffers.sorted(by: { $0.key < $1.key }) { _ = push(L, t); L.rawSet(-2, k) }
                for (k, v) in s.scalars.sorted(by: { $0.key < $1.key }) { L.push(v); L.rawSet(-2, k) }
                L.push(s.step)
                L.rawSet(-2, "step")
                L.rawSet(-2, j + 1)
            }
            L.rawSet(-2, g + 1)
            states.append(row)
        }
        // 4: the function; 5: groups; 6: state; 7: closure.
        handle.step.push()
        guard L.type(-1) == LUA_TYPE_FUNCTION else {
            throw LuaError("\(opt.name): its step function belongs to another Lua state")
        }
        L.newTable(array: Int32(opt.groups.count))
        for (g, group) in opt.groups.enumerated() {
            L.newTable()
            for (k, v) in group.options.values.sorted(by: { $0.key < $1.key }) { push(L, v); L.rawSet(-2, k) }
            L.newTable(array: Int32(group.params.count))
            for (j, p) in group.params.enumerated() { _ = push(L, p); L.rawSet(-2, j + 1) }
            L.rawSet(-2, "params")
            L.rawSet(-2, g + 1)
        }
        L.pushValue(3)
        L.pushValue(2)
        let saved = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = saved }
        try L.pcall(3, 1)
        // Read the state back: tensors are buffers, numbers scalars, `step` the step count.
        for (g, row) in states.enumerated() {
            L.rawGet(3, g + 1)
            defer { L.pop() }
            guard L.type(-1) == LUA_TYPE_TABLE else { throw LuaError("\(opt.name): state[\(g + 1)] must stay a table") }
            for (j, s) in row.enumerated() {
                L.rawGet(-1, j + 1)
                defer { L.pop() }
                guard L.type(-1) == LUA_TYPE_TABLE else { throw LuaError("\(opt.name): state[\(g + 1)][\(j + 1)] must stay a table") }
                var buffers: [String: Tensor] = [:], scalars: [String: Double] = [:]
                for key in try L.stringKeys(-1, "state") {
                    L.rawGet(-1, key)
                    defer { L.pop() }
                    if key == "step" {
                        s.step = try L.integer(-1, "\(opt.name): state[\(g + 1)][\(j + 1)].step")
                    } else if let t = tensors.to(L, -1) {
                        buffers[key] = t
                    } else if L.type(-1) == LUA_TYPE_NUMBER, let v = L.number(at: -1) {
                        scalars[key] = v
                    } else if !L.isNoneOrNil(-1) {
                        throw LuaError("\(opt.name): state '\(key)' must hold a tensor or a number, got \(L.typeName(-1))")
                    }
                }
                s.buffers = buffers
                s.scalars = scalars
            }
        }
        L.remove(3)
        return 1
    }
}
