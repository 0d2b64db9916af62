import LuaHost
import Optim
import Tensors

/// The `optim` module: the built-in optimizers by class name and by `optim.build`, custom
/// optimizers from `optim.define`, and `optim.lr` schedulers. The algorithms, their options and
/// state live in Sources/Optim; this file only converts between Lua values and that API.
extension Runtime {
    /// Optimizers known to this Lua state: the built-ins plus the script's `optim.define`s.
    final class OptimizerNames {
        var registry = OptimizerRegistry.builtins
    }

    func installOptimModule() throws {
        let optimizers = host.defineClass(Optimizer.self, name: "optimizer", methods: [])
        let schedulers = host.defineClass(LRScheduler.self, name: "scheduler", methods: [])
        let known = OptimizerNames()

        /// `optim.Adam(params, options)` and friends.
        func constructor(_ name: String) -> LuaFunction {
            { [unowned self] L in
                optimizers.push(L, try self.buildOptimizer(L, name: name, registry: known.registry, params: 1, options: 2))
                return 1
            }
        }
        // One constructor per built-in, named by the registry (the only list of optimizers).
        var functions: [(String, LuaFunction)] = OptimizerRegistry.builtins.displayNames.map { ($0, constructor($0)) }
        functions += [
            ("build", { [unowned self] L in
                let name = try L.string(1, "argument 1 (name)")
                optimizers.push(L, try self.buildOptimizer(L, name: name, registry: known.registry, params: 2, options: 3))
                return 1
            }),
            ("names", { L in
                let names = known.registry.names
                L.newTable(array: Int32(names.count))
                for (k, n) in names.enumerated() { L.push(n); L.rawSet(-2, k + 1) }
                return 1
            }),
            ("combine", { L in
                try L.checkTable(1, "argument 1 (a list of optimizers)")
                var list: [Optimizer] = []
                for k in stride(from: 1, through: L.rawLength(1), by: 1) {
                    L.rawGet(1, k)
                    defer { L.pop() }
                    list.append(try optimizers.check(L, -1, "optim.combine optimizers[\(k)]"))
                }
                optimizers.push(L, try Optimizer.combine(list))
                return 1
            }),
            // Wrappers over any optimizer (Sources/Optim/Wrappers): optax's option names.
            ("lookahead", { L in
                let inner = try optimizers.check(L, 1, "argument 1")
                let o = try Options(L, 2, "optim.lookahead", allowed: ["sync_period", "slow_step_size", "reset_state"])
                optimizers.push(L, try Optimizer.lookahead(inner, syncPeriod: try o.integer("sync_period") ?? 5,
                                                           slowStepSize: try o.number("slow_step_size") ?? 0.5,
                                                           resetState: try o.bool("reset_state") ?? false))
                return 1
            }),
            ("ema", { L in
                let inner = try optimizers.check(L, 1, "argument 1")
                let o = try Options(L, 2, "optim.ema", allowed: ["decay", "debias"])
                optimizers.push(L, try Optimizer.ema(inner, decay: try o.number("decay") ?? 0.999, debias: try o.bool("debias") ?? true))
                return 1
            }),
            ("split", { [unowned self] L in try self.splitParameters(L) }),
            ("define", { [unowned self] L in
                let algorithm = try self.defineOptimizer(L)
                // A built-in keeps its name: a script cannot silently replace optim.Adam.
                if OptimizerRegistry.builtins.contains(algorithm.name) {
                    let builtin = try OptimizerRegistry.builtins.algorithm(named: algorithm.name).name
                    throw LuaError("optim.define: the name '\(algorithm.name)' is taken by the built-in optimizer \(builtin) (names are case-insensitive); choose another name")
                }
                known.registry.register(algorithm)
                let name = algorithm.name
                self.host.pushFunction(name) { [unowned self] L in
                    optimizers.push(L, try self.buildOptimizer(L, name: name, registry: known.registry, params: 1, options: 2))
                    return 1
                }
                return 1
            }),
        ]
        host.register(module: "optim", functions)
        host.addMethods(optimizers, optimizerMethods(optimizers))
        host.addMetamethods(optimizers, [
            ("__tostring", { L in
                let opt = try optimizers.check(L, 1, "self")
                let n = opt.groups.reduce(0) { $0 + $1.params.count }
                L.push("\(opt.name) optimizer (\(opt.groups.count) group\(opt.groups.count == 1 ? "" : "s"), \(n) parameter\(n == 1 ? "" : "s"))")
                return 1
            }),
        ])
        host.setIndexFallback(optimizers) { L in
            let opt = try optimizers.check(L, 1, "self")
            switch L.string(at: 2) {
            case "param_groups":
                // Proxies whose reads and writes go to the optimizer (optim.lua: param_group_proxies).
                L.pushGlobal("optim")
                L.rawGet(-1, "_param_group_proxies")
                L.pushValue(1)
                L.push(opt.groups.count)
                try L.pcall(2, 1)
                return 1
            case "name": L.push(opt.name); return 1
            // True between opt:eval() and opt:train() (always false without an evaluation point).
            case "eval_mode": L.push(opt.inEvalMode); return 1
            // Whether step needs a closure (LBFGS, SAM) / gradients with their graph (Sophia):
            // train.fit reads these.
            case "requires_closure": L.push(opt.requiresClosure); return 1
            case "requires_graph": L.push(opt.requiresGradientGraph); return 1
            default: L.pushNil(); return 1
            }
        }
        installSchedulers(schedulers, optimizers)
        try runLibrary(EmbeddedLua.optim, module: "optim")
    }

    // MARK: Building

    func buildOptimizer(_ L: LuaState, name: String, registry: OptimizerRegistry, params: Int32, options: Int32) throws -> Optimizer {
        var groups = try paramGroups(L, params, owner: name)
        // `optim.Adam(model:named_parameters())` passes the names in module order as a second
        // value: use that order instead of reading it as options.
        if groups.count == 1, let names = groups[0].names, L.type(options) == LUA_TYPE_TABLE, L.rawLength(options) > 0 {
            L.rawGet(options, 1)
            let isNameList = L.type(-1) == LUA_TYPE_STRING
            L.pop()
            if isNameList {
                var order: [String] = []
                for k in 1...L.rawLength(options) {
                    L.rawGet(options, k)
                    defer { L.pop() }
                    guard let n = L.string(at: -1), L.type(-1) == LUA_TYPE_STRING else {
                        throw LuaError("\(name): the list of parameter names after named_parameters holds a \(L.typeName(-1))")
                    }
                    order.append(n)
                }
                guard Set(order) == Set(names), order.count == names.count else {
                    throw LuaError("\(name): the list of parameter names does not match the named parameters' keys")
                }
                let byName = Dictionary(uniqueKeysWithValues: zip(names, groups[0].params))
                groups[0] = ParamGroupSpec(params: order.compactMap { byName[$0] }, names: order)
                return try registry.build(name: name, groups: groups, options: [:])
            }
        }
        let opts = try optionValues(L, options, owner: name, skip: [])
        return try registry.build(name: name, groups: groups, options: opts)
    }

    /// `params` as an array of tensors, one tensor, or an array of groups `{params = {...}, lr = ...}`.
    func paramGroups(_ L: LuaState, _ i: Int32, owner: String) throws -> [ParamGroupSpec] {
        if let t = tensors.to(L, i) { return [ParamGroupSpec(params: [t])] }
        try L.checkTable(i, "argument \(i) (params)")
        let n = L.rawLength(i)
        if n == 0, let named = try namedTensors(L, i, "argument \(i) (params)") {
            return [ParamGroupSpec(params: named.tensors, names: named.names)]
        }
        guard n > 0 else { throw LuaError("argument \(i) (params) expected a non-empty list of tensors or parameter groups") }
        L.rawGet(i, 1)
        let grouped = L.type(-1) == LUA_TYPE_TABLE
        L.pop()
        guard grouped else { return [ParamGroupSpec(params: try tensorList(L, i, "argument \(i) (params)"))] }
        var groups: [ParamGroupSpec] = []
        for k in 1...n {
            L.rawGet(i, k)
            defer { L.pop() }
            guard L.type(-1) == LUA_TYPE_TABLE else {
                throw LuaError("parameter group \(k) expected a table {params = {...}, ...}, got \(L.typeName(-1))")
            }
            let g = L.absIndex(-1)
            L.rawGet(g, "params")
            let params: [Tensor]
            var names: [String]? = nil
            if let t = tensors.to(L, -1) { params = [t] } else {
                guard L.type(-1) == LUA_TYPE_TABLE else { throw LuaError("parameter group \(k) needs a 'params' list of tensors") }
                if L.rawLength(-1) == 0, let named = try namedTensors(L, L.absIndex(-1), "parameter group \(k) params") {
                    params = named.tensors
                    names = named.names
                } else {
                    params = try tensorList(L, L.absIndex(-1), "parameter group \(k) params")
                }
            }
            L.pop()
            groups.append(ParamGroupSpec(params: params, options: try optionValues(L, g, owner: owner, skip: ["params"]), names: names))
        }
        return groups
    }

    /// A `{name = tensor}` table (`model:named_parameters()`), sorted by name; nil when the table
    /// is empty (the caller reports that).
    func namedTensors(_ L: LuaState, _ i: Int32, _ what: String) throws -> (names: [String], tensors: [Tensor])? {
        let i = L.absIndex(i)
        var keys: [String] = []
        try L.forEachPair(i) {
            guard L.type(-2) == LUA_TYPE_STRING, let k = L.string(at: -2) else {
                throw LuaError("\(what) expected a list of tensors or a {name = tensor} table, got a key of type \(L.typeName(-2))")
            }
            keys.append(k)
        }
        if keys.isEmpty { return nil }
        keys.sort()
        var out: [Tensor] = []
        for k in keys {
            L.rawGet(i, k)
            defer { L.pop() }
            guard let t = tensors.to(L, -1) else {
                throw LuaError("\(what): '\(k)' expected a tensor, got \(L.typeName(-1))")
            }
            out.append(t)
        }
        return (keys, out)
    }

    /// Lua option table → option values (validated by Optim, which names unknown keys).
    func optionValues(_ L: LuaState, _ i: Int32, owner: String, skip: Set<String>) throws -> [String: OptionValue] {
        if L.isNoneOrNil(i) { return [:] }
        try L.checkTable(i, "argument \(i) (options)")
        var out: [String: OptionValue] = [:]
        for key in try L.stringKeys(i, owner) where !skip.contains(key) {
            L.rawGet(i, key)
            defer { L.pop() }
            out[key] = try optionValue(L, -1, key: key)
        }
        return out
    }

    func optionValue(_ L: LuaState, _ i: Int32, key: String) throws -> OptionValue {
        switch L.type(i) {
        case LUA_TYPE_NUMBER: return .number(L.number(at: i) ?? 0)
        case LUA_TYPE_BOOLEAN: return .bool(try L.boolean(i, key))
        case LUA_TYPE_STRING: return .string(L.string(at: i) ?? "")
        case LUA_TYPE_TABLE:
            let t = L.absIndex(i)
            if L.rawLength(t) == 3 {
                L.rawGet(t, 1)
                L.rawGet(t, 2)
                L.rawGet(t, 3)
                defer { L.pop(3) }
                return .triple(try L.number(-3, "option '\(key)'[1]"), try L.number(-2, "option '\(key)'[2]"), try L.number(-1, "option '\(key)'[3]"))
            }
            guard L.rawLength(t) == 2 else { throw LuaError("option '\(key)' expected a pair (or triple) of numbers, got a table of \(L.rawLength(t))") }
            L.rawGet(t, 1)
            L.rawGet(t, 2)
            defer { L.pop(2) }
            return .pair(try L.number(-2, "option '\(key)'[1]"), try L.number(-1, "option '\(key)'[2]"))
        default:
            throw LuaError("option '\(key)' expected a number, boolean, string or pair, got \(L.typeName(i))")
        }
    }

    func push(_ L: LuaState, _ value: OptionValue) {
        switch value {
        case .number(let x): L.push(x)
        case .bool(let b): L.push(b)
        case .string(let s): L.push(s)
        case .pair(let a, let b):
            L.newTable(array: 2)
            L.push(a); L.rawSet(-2, 1)
            L.push(b); L.rawSet(-2, 2)
        case .triple(let a, let b, let c):
            L.newTable(array: 3)
            L.push(a); L.rawSet(-2, 1)
            L.push(b); L.rawSet(-2, 2)
            L.push(c); L.rawSet(-2, 3)
        }
    }

    /// A 1-based group argument (default 1) → 0-based.
    func groupIndex(_ L: LuaState, _ i: Int32, _ opt: Optimizer) throws -> Int {
        guard !L.isNoneOrNil(i) else { return 0 }
        let g = try L.integer(i, "group")
        guard g >= 1, g <= opt.groups.count else {
            throw LuaError("group \(g) is out of range (the optimizer has \(opt.groups.count) group\(opt.groups.count == 1 ? "" : "s"))")
        }
        return g - 1
    }

    // MARK: Methods

    /// `opt:step(closure)` for an algorithm that re-evaluates the closure inside its step (LBFGS).
    /// Each call runs the closure with recording on; it must return the loss as a number or a
    /// one-element tensor. Returns the first call's result, as PyTorch returns `orig_loss`.
    func stepWithClosure(_ L: LuaState, _ opt: Optimizer) throws -> Int32 {
        guard L.type(2) == LUA_TYPE_FUNCTION else {
            throw LuaError("\(opt.name):step: argument 1 expected a closure that re-evaluates the model and returns the loss, got \(L.typeName(2))")
        }
        L.setTop(2)
        var first = true
        let saved = GradMode.isEnabled
        defer { GradMode.isEnabled = saved }
        try opt.step {
            GradMode.isEnabled = true
            defer { GradMode.isEnabled = false }
            try L.reserve(2)
            L.pushValue(2)
            try L.pcall(0, 1)
            let loss: Double
            if let x = L.number(at: -1), L.type(-1) == LUA_TYPE_NUMBER {
                loss = x
            } else if let t = self.tensors.to(L, -1), t.count == 1 {
                loss = Double(try t.contiguousData().pointer[0])
            } else {
                let got = L.typeName(-1)
                L.pop()
                throw LuaError("\(opt.name):step: the closure must return the loss as a number or a one-element tensor, got \(got)")
            }
            // The first result stays on the stack (index 3): step returns it.
            if first { first = false } else { L.pop() }
            return loss
        }
        L.setTop(3)
        return 1
    }

    /// `opt:step([closure])`: a wrapper (Lookahead, EMA) prepares, steps its inner optimizer the
    /// way that one steps (Lua whole-step, closure-driven or per-parameter), then finishes.
    func step(_ L: LuaState, _ opt: Optimizer) throws -> Int32 {
        if let w = opt.wrapper {
            try opt.wrapperPrepare()
            let results = try step(L, w.inner)
            try opt.wrapperFinish()
            return results
        }
        if let host = opt.algorithm as? HostStepOptimizer {
            return try hostStep(L, opt, host)
        }
        if opt.requiresClosure {
            return try stepWithClosure(L, opt)
        }
        var results: Int32 = 0
        if !L.isNoneOrNil(2) {
            // The closure recomputes the loss (and its gradients) with recording on.
            try L.checkFunction(2, "argument 1 (closure)")
            L.setTop(2)
            let saved = GradMode.isEnabled
            GradMode.isEnabled = true
            defer { GradMode.isEnabled = saved }
            try L.pcall(0, 1)
            results = 1
        }
        try opt.step()
        return results
    }

    func optimizerMethods(_ optimizers: LuaClass<Optimizer>) -> [(String, LuaFunction)] {
        [
            ("step", { [unowned self] L in
                try self.step(L, try optimizers.check(L, 1, "self"))
            }),
            ("zero_grad", { L in try optimizers.check(L, 1, "self").zeroGrad(); return 0 }),
            ("get_lr", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "self")
                L.push(try opt.getLR(group: try self.groupIndex(L, 2, opt)))
                return 1
            }),
            ("set_lr", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "self")
                let lr = try L.number(2, "argument 1 (lr)")
                try opt.setLR(lr, group: L.isNoneOrNil(3) ? nil : try self.groupIndex(L, 3, opt))
                return 0
            }),
            ("_get_option", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "self")
                let g = try self.groupIndex(L, 2, opt)
                let key = try L.string(3, "key")
                if key == "params" {
                    L.newTable(array: Int32(opt.groups[g].params.count))
                    for (k, p) in opt.groups[g].params.enumerated() { _ = self.push(L, p); L.rawSet(-2, k + 1) }
                } else if key == "initial_lr", let lr0 = opt.groups[g].initialLR {
                    L.push(lr0)
                } else if let v = opt.groups[g].options[key] { self.push(L, v) } else { L.pushNil() }
                return 1
            }),
            ("_set_option", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "self")
                let g = try self.groupIndex(L, 2, opt)
                let key = try L.string(3, "key")
                guard key != "params" else { throw LuaError("param_groups: 'params' cannot be reassigned") }
                if key == "lr" { try opt.setLR(try L.number(4, "lr"), group: g) } else {
                    try opt.setOption(key, try self.optionValue(L, 4, key: key), group: g)
                }
                return 0
            }),
            ("_option_keys", { L in
                let opt = try optimizers.check(L, 1, "self")
                let keys = opt.groups.first.map { $0.options.values.keys.sorted() } ?? []
                L.newTable(array: Int32(keys.count))
                for (k, key) in keys.enumerated() { L.push(key); L.rawSet(-2, k + 1) }
                return 1
            }),
            ("state_dict", { [unowned self] L in
                self.pushStateDict(L, try optimizers.check(L, 1, "self").stateDict())
                return 1
            }),
            ("load_state_dict", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "self")
                try L.checkTable(2, "argument 1 (state dict)")
                try opt.loadStateDict(try self.readStateDict(L, 2, algorithm: opt.name))
                return 0
            }),
            // Evaluation point (schedule-free): no-ops for optimizers without one.
            ("eval", { L in try optimizers.check(L, 1, "self").eval(); return 0 }),
            ("train", { L in try optimizers.check(L, 1, "self").train(); return 0 }),
            // The evaluation weights of one parameter, as a new tensor (nil when they are the
            // parameter's own values); the parameter is unchanged. Checkpoints use it.
            ("evaluation_weights", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "self")
                guard let t = self.tensors.to(L, 2) else {
                    throw LuaError("argument 1 expected a tensor (a parameter of the optimizer), got \(L.typeName(2))")
                }
                if let e = try opt.evaluationWeights(of: t) { _ = self.push(L, e) } else { L.pushNil() }
                return 1
            }),
        ]
    }

    /// `{algorithm, param_groups = {{lr = ..., params = {1, 2}}, ...}, state = {[1] = {step, buffers...}}}`
    /// with 1-based parameter positions, as PyTorch's layout but counted from 1.
    func pushStateDict(_ L: LuaState, _ dict: OptimizerStateDict) {
        L.newTable(record: 3)
        L.push(dict.algorithm)
        L.rawSet(-2, "algorithm")
        L.newTable(array: Int32(dict.groups.count))
        for (g, group) in dict.groups.enumerated() {
            L.newTable()
            for (key, value) in group.options.sorted(by: { $0.key < $1.key }) { push(L, value); L.rawSet(-2, key) }
            if let lr0 = group.initialLR { L.push(lr0); L.rawSet(-2, "initial_lr") }
            L.newTable(array: Int32(group.params.count))
            for (k, p) in group.params.enumerated() { L.push(p + 1); L.rawSet(-2, k + 1) }
            L.rawSet(-2, "params")
            // Named parameters: their names, parallel to `params` (PyTorch's `param_names`);
            // loading maps state by these names.
            if let names = group.names {
                L.newTable(array: Int32(names.count))
                for (k, n) in names.enumerated() { L.push(n); L.rawSet(-2, k + 1) }
                L.rawSet(-2, "param_names")
            }
            L.rawSet(-2, g + 1)
        }
        L.rawSet(-2, "param_groups")
        L.newTable()
        for (position, entry) in dict.state.sorted(by: { $0.key < $1.key }) {
            L.newTable()
            L.push(entry.step)
            L.rawSet(-2, "step")
            for (key, t) in entry.buffers.sorted(by: { $0.key < $1.key }) { _ = push(L, t); L.rawSet(-2, key) }
            for (key, v) in entry.scalars.sorted(by: { $0.key < $1.key }) { L.push(v); L.rawSet(-2, key) }
            L.rawSet(-2, position + 1)
        }
        L.rawSet(-2, "state")
    }

    func readStateDict(_ L: LuaState, _ i: Int32, algorithm: String) throws -> OptimizerStateDict {
        let i = L.absIndex(i)
        guard L.rawGet(i, "param_groups") == LUA_TYPE_TABLE else {
            L.pop()
            throw LuaError("state dict: expected a 'param_groups' list")
        }
        let groupsIndex = L.absIndex(-1)
        var groups: [OptimizerStateDict.Group] = []
        var positionOfName: [String: Int] = [:]
        var nextPosition = 0
        for g in stride(from: 1, through: L.rawLength(groupsIndex), by: 1) {
            L.rawGet(groupsIndex, g)
            defer { L.pop() }
            try L.checkTable(-1, "state dict param_groups[\(g)]")
            let t = L.absIndex(-1)
            var options = try optionValues(L, t, owner: algorithm, skip: ["params", "initial_lr", "param_names"])
            options.removeValue(forKey: "params")
            var paramNames: [String]? = nil
            if L.rawGet(t, "param_names") == LUA_TYPE_TABLE {
                let list = L.absIndex(-1)
                var names: [String] = []
                for k in stride(from: 1, through: L.rawLength(list), by: 1) {
                    L.rawGet(list, k)
                    defer { L.pop() }
                    guard L.type(-1) == LUA_TYPE_STRING, let n = L.string(at: -1) else {
                        throw LuaError("state dict param_groups[\(g)].param_names[\(k)] expected a string, got \(L.typeName(-1))")
                    }
                    names.append(n)
                }
                paramNames = names
            } else if !L.isNoneOrNil(-1) {
                let got = L.typeName(-1)
                L.pop()
                throw LuaError("state dict param_groups[\(g)].param_names expected a list of names, got \(got)")
            }
            L.pop()
            var initialLR: Double? = nil
            if L.rawGet(t, "initial_lr") != LUA_TYPE_NIL { initialLR = try L.number(-1, "initial_lr") }
            L.pop()
            guard L.rawGet(t, "params") == LUA_TYPE_TABLE else {
                L.pop()
                throw LuaError("state dict param_groups[\(g)]: expected a 'params' list of positions")
            }
            let list = L.absIndex(-1)
            L.rawGet(list, 1)
            let byName = L.type(-1) == LUA_TYPE_STRING
            L.pop()
            if byName {
                // Names: each gets the next position; `state` is keyed by the same names.
                var names: [String] = []
                for k in stride(from: 1, through: L.rawLength(list), by: 1) {
                    L.rawGet(list, k)
                    defer { L.pop() }
                    guard L.type(-1) == LUA_TYPE_STRING, let name = L.string(at: -1) else {
                        throw LuaError("state dict param_groups[\(g)].params[\(k)] expected a parameter name, got \(L.typeName(-1))")
                    }
                    guard positionOfName[name] == nil else {
                        throw LuaError("state dict: parameter name '\(name)' appears more than once")
                    }
                    positionOfName[name] = nextPosition
                    names.append(name)
                    nextPosition += 1
                }
                L.pop()
                groups.append(.init(options: options, params: names.map { positionOfName[$0] ?? 0 }, initialLR: initialLR, names: names))
                continue
            }
            let positions = try L.integers(from: list, "state dict param_groups[\(g)].params").map { $0 - 1 }
            L.pop()
            if let paramNames, paramNames.count != positions.count {
                throw LuaError("state dict param_groups[\(g)]: \(positions.count) params but \(paramNames.count) param_names")
            }
            groups.append(.init(options: options, params: positions, initialLR: initialLR, names: paramNames))
        }
        L.pop()
        var state: [Int: OptimizerStateDict.Entry] = [:]
        if L.rawGet(i, "state") == LUA_TYPE_TABLE {
            let s = L.absIndex(-1)
            try L.forEachPair(s) {
                let position: Int
                if L.type(-2) == LUA_TYPE_STRING, let name = L.string(at: -2) {
                    guard let p = positionOfName[name] else {
                        throw LuaError("state dict: state for parameter '\(name)', which no param_groups entry lists")
                    }
                    position = p + 1
                } else {
                    // Int(exactly:): a key 2^63 or math.huge must be an error, not a conversion trap.
                    guard let key = L.number(at: -2), let p = Int(exactly: key), p >= 1, p <= 1 << 31 else {
                        throw LuaError("state dict: state keys must be parameter positions 1, 2, ... or names, got \(L.display(-2))")
                    }
                    position = p
                }
                try L.checkTable(-1, "state dict state[\(position)]")
                let e = L.absIndex(-1)
                var entry = OptimizerStateDict.Entry(step: 0)
                for key in try L.stringKeys(e, "state") {
                    L.rawGet(e, key)
                    defer { L.pop() }
                    if key == "step" { entry.step = try L.integer(-1, "step", in: 0...LuaState.maxCount) } else if let t = tensors.to(L, -1) {
                        entry.buffers[key] = t
                    } else {
                        entry.scalars[key] = try L.number(-1, "state '\(key)'")
                    }
                }
                state[position - 1] = entry
            }
        }
        L.pop()
        return OptimizerStateDict(algorithm: algorithm, groups: groups, state: state)
    }

    /// `optim.split(named, rule)`: `{name = tensor}` → (the entries the rule selects, the rest),
    /// both `{name = tensor}` tables. `rule` is a function(name, tensor) → boolean, or a table
    /// `{dim = n, match = "text", exclude = "text"}` whose given keys must all hold (`match`: the
    /// name contains the text; `exclude`: it does not).
    func splitParameters(_ L: LuaState) throws -> Int32 {
        try L.checkTable(1, "argument 1 (a {name = tensor} table, e.g. model:named_parameters())")
        guard let named = try namedTensors(L, 1, "optim.split: argument 1") else {
            L.newTable(); L.newTable()
            return 2
        }
        let isFunction = L.type(2) == LUA_TYPE_FUNCTION
        var dim: Int? = nil, match: String? = nil, exclude: String? = nil
        if !isFunction {
            let o = try Options(L, 2, "split", allowed: ["dim", "match", "exclude"])
            dim = try o.integer("dim")
            match = try o.string("match")
            exclude = try o.string("exclude")
            guard dim != nil || match != nil || exclude != nil else {
                throw LuaError("optim.split: argument 2 expected a function(name, tensor) or a rule table {dim, match, exclude}, got \(L.typeName(2))")
            }
        }
        try L.reserve(8)
        L.newTable()
        let selected = L.absIndex(-1)
        L.newTable()
        let rest = L.absIndex(-1)
        for (name, t) in zip(named.names, named.tensors) {
            var take: Bool
            if isFunction {
                L.pushValue(2)
                L.push(name)
                _ = push(L, t)
                try L.pcall(2, 1)
                // Lua truth: everything but nil and false.
                take = L.type(-1) != LUA_TYPE_NIL && !(L.type(-1) == LUA_TYPE_BOOLEAN && !((try? L.boolean(-1, "rule")) ?? false))
                L.pop()
            } else {
                take = dim.map { t.shape.count == $0 } ?? true
                if let match { take = take && name.contains(match) }
                if let exclude { take = take && !name.contains(exclude) }
            }
            _ = push(L, t)
            L.rawSet(take ? selected : rest, name)
        }
        return 2
    }
}
