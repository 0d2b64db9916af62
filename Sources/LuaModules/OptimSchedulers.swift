import LuaHost
import Optim
import Tensors

/// `optim.lr.*` schedulers and `optim.define`.
extension Runtime {
    func installSchedulers(_ schedulers: LuaClass<LRScheduler>, _ optimizers: LuaClass<Optimizer>) {
        /// A scheduler constructor taking `(opt, {options})`.
        func make(_ name: String, allowed: [String], _ build: @escaping (Optimizer, Options) throws -> LRScheduler) -> (String, LuaFunction) {
            (name, { L in
                let opt = try optimizers.check(L, 1, "argument 1 (optimizer)")
                let opts = try Options(L, 2, name, allowed: allowed)
                schedulers.push(L, try build(opt, opts))
                return 1
            })
        }
        /// A number or a list of numbers (one per group).
        func numberList(_ o: Options, _ key: String) throws -> [Double]? {
            let type = o.push(key)
            defer { o.L.pop() }
            if type == LUA_TYPE_NIL { return nil }
            if type == LUA_TYPE_NUMBER { return [try o.L.number(-1, "option '\(key)'")] }
            guard type == LUA_TYPE_TABLE else { throw LuaError("option '\(key)' expected a number or a list of numbers, got \(o.L.typeName(-1))") }
            let t = o.L.absIndex(-1)
            let n = o.L.rawLength(t)
            guard n > 0 else { throw LuaError("option '\(key)' expected a number or a non-empty list of numbers") }
            try o.L.reserve(2)
            return try (1...n).map { k in o.L.rawGet(t, k); defer { o.L.pop() }; return try o.L.number(-1, "option '\(key)'[\(k)]") }
        }
        func required<T>(_ value: T?, _ key: String, _ owner: String) throws -> T {
            guard let value else { throw LuaError("\(owner): option '\(key)' is required") }
            return value
        }
        let constructors: [(String, LuaFunction)] = [
            make("StepLR", allowed: ["step_size", "gamma"]) { opt, o in
                try StepLR(opt, stepSize: try required(try o.integer("step_size"), "step_size", "StepLR"), gamma: try o.number("gamma") ?? 0.1)
            },
            make("ExponentialLR", allowed: ["gamma"]) { opt, o in
                try ExponentialLR(opt, gamma: try required(try o.number("gamma"), "gamma", "ExponentialLR"))
            },
            make("CosineAnnealingLR", allowed: ["T_max", "eta_min"]) { opt, o in
                try CosineAnnealingLR(opt, tMax: try required(try o.integer("T_max"), "T_max", "CosineAnnealingLR"), etaMin: try o.number("eta_min") ?? 0)
            },
            make("LinearLR", allowed: ["start_factor", "end_factor", "total_iters"]) { opt, o in
                try LinearLR(opt, startFactor: try o.number("start_factor") ?? 1.0 / 3, endFactor: try o.number("end_factor") ?? 1,
                             totalIters: try o.integer("total_iters") ?? 5)
            },
            make("OneCycleLR", allowed: ["max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy",
                                         "cycle_momentum", "base_momentum", "max_momentum", "div_factor", "final_div_factor", "three_phase"]) { opt, o in
                var maxLR: [Double]
                if o.push("max_lr") == LUA_TYPE_TABLE {
                    let t = o.L.absIndex(-1)
                    maxLR = try (1...max(o.L.rawLength(t), 1)).map { k in o.L.rawGet(t, k); defer { o.L.pop() }; return try o.L.number(-1, "max_lr[\(k)]") }
                    o.L.pop()
                } else {
                    o.L.pop()
                    maxLR = [try required(try o.number("max_lr"), "max_lr", "OneCycleLR")]
                }
                var total = try o.integer("total_steps")
                if total == nil, let e = try o.integer("epochs"), let s = try o.integer("steps_per_epoch") {
                    let (product, overflow) = e.multipliedReportingOverflow(by: s)
                    guard !overflow, product <= LuaState.maxCount else {
                        throw LuaError("OneCycleLR: epochs * steps_per_epoch (\(e) * \(s)) exceeds \(LuaState.maxCount) steps")
                    }
                    total = product
                }
                if let t = total, t > LuaState.maxCount { throw LuaError("OneCycleLR: total_steps expected at most \(LuaState.maxCount), got \(t)") }
                let anneal = try o.string("anneal_strategy") ?? "cos"
                guard let strategy = OneCycleLR.Anneal(rawValue: anneal) else {
                    throw LuaError("OneCycleLR: option 'anneal_strategy' expected \"cos\" or \"linear\", got \"\(anneal)\"")
                }
                return try OneCycleLR(opt, maxLR: maxLR, totalSteps: try required(total, "total_steps (or epochs and steps_per_epoch)", "OneCycleLR"),
                                      pctStart: try o.number("pct_start") ?? 0.3, anneal: strategy,
                                      cycleMomentum: try o.bool("cycle_momentum") ?? true, baseMomentum: try o.number("base_momentum") ?? 0.85,
                                      maxMomentum: try o.number("max_momentum") ?? 0.95, divFactor: try o.number("div_factor") ?? 25,
                                      finalDivFactor: try o.number("final_div_factor") ?? 1e4, threePhase: try o.bool("three_phase") ?? false)
            },
            make("MultiStepLR", allowed: ["milestones", "gamma"]) { opt, o in
                guard o.push("milestones") == LUA_TYPE_TABLE else { o.L.pop(); throw LuaError("MultiStepLR: option 'milestones' expected a list of integers") }
                let milestones = try o.L.integers(from: o.L.absIndex(-1), "MultiStepLR milestones")
                o.L.pop()
                return try MultiStepLR(opt, milestones: milestones, gamma: try o.number("gamma") ?? 0.1)
            },
            make("ConstantLR", allowed: ["factor", "total_iters"]) { opt, o in
                try ConstantLR(opt, factor: try o.number("factor") ?? 1.0 / 3, totalIters: try o.integer("total_iters") ?? 5)
            },
            make("PolynomialLR", allowed: ["total_iters", "power"]) { opt, o in
                try PolynomialLR(opt, totalIters: try o.integer("total_iters") ?? 5, power: try o.number("power") ?? 1)
            },
            make("CosineAnnealingWarmRestarts", allowed: ["T_0", "T_mult", "eta_min"]) { opt, o in
                try CosineAnnealingWarmRestarts(opt, t0: try required(try o.integer("T_0"), "T_0", "CosineAnnealingWarmRestarts"),
                                                tMult: try o.integer("T_mult") ?? 1, etaMin: try o.number("eta_min") ?? 0)
            },
            make("ReduceLROnPlateau", allowed: ["mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"]) { opt, o in
                let mode = try o.string("mode") ?? "min", thresholdMode = try o.string("threshold_mode") ?? "rel"
                guard let m = ReduceLROnPlateau.Mode(rawValue: mode) else {
                    throw LuaError("ReduceLROnPlateau: option 'mode' expected \"min\" or \"max\", got \"\(mode)\"")
                }
                guard let tm = ReduceLROnPlateau.ThresholdMode(rawValue: thresholdMode) else {
                    throw LuaError("ReduceLROnPlateau: option 'threshold_mode' expected \"rel\" or \"abs\", got \"\(thresholdMode)\"")
                }
                return try ReduceLROnPlateau(opt, mode: m, factor: try o.number("factor") ?? 0.1, patience: try o.integer("patience") ?? 10,
                                             threshold: try o.number("threshold") ?? 1e-4, thresholdMode: tm,
                                             cooldown: try o.integer("cooldown") ?? 0, minLR: try numberList(o, "min_lr") ?? [0],
                                             eps: try o.number("eps") ?? 1e-8)
            },
            ("CyclicLR", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "argument 1 (optimizer)")
                let o = try Options(L, 2, "CyclicLR", allowed: ["base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma",
                                                                 "scale_fn", "scale_mode", "cycle_momentum", "base_momentum", "max_momentum"])
                let mode = try o.string("mode") ?? "triangular"
                guard let policy = CyclicLR.Policy(rawValue: mode) else {
                    throw LuaError("CyclicLR: option 'mode' expected \"triangular\", \"triangular2\" or \"exp_range\", got \"\(mode)\"")
                }
                let scaleModeName = try o.string("scale_mode") ?? "cycle"
                guard let scaleMode = CyclicLR.ScaleMode(rawValue: scaleModeName) else {
                    throw LuaError("CyclicLR: option 'scale_mode' expected \"cycle\" or \"iterations\", got \"\(scaleModeName)\"")
                }
                var scaleFn: ((Double) throws -> Double)? = nil
                let fnType = o.push("scale_fn")
                if fnType == LUA_TYPE_FUNCTION {
                    let ref = self.host.reference(-1, in: L)
                    let host = self.host
                    scaleFn = { x in
                        // The state running now: the binding that steps the scheduler.
                        let L = host.state
                        try L.reserve(2)
                        ref.push(onto: L)
                        L.push(x)
                        try L.pcall(1, 1)
                        defer { L.pop() }
                        return try L.number(-1, "CyclicLR: scale_fn's result")
                    }
                } else if fnType != LUA_TYPE_NIL {
                    let got = L.typeName(-1)
                    L.pop()
                    throw LuaError("CyclicLR: option 'scale_fn' expected a function(x), got \(got)")
                }
                L.pop()
                let sched = try CyclicLR(
                    opt, baseLR: try required(try numberList(o, "base_lr"), "base_lr", "CyclicLR"),
                    maxLR: try required(try numberList(o, "max_lr"), "max_lr", "CyclicLR"),
                    stepSizeUp: try o.integer("step_size_up") ?? 2000, stepSizeDown: try o.integer("step_size_down"),
                    policy: policy, gamma: try o.number("gamma") ?? 1, scaleFn: scaleFn, scaleMode: scaleMode,
                    cycleMomentum: try o.bool("cycle_momentum") ?? true,
                    baseMomentum: try numberList(o, "base_momentum") ?? [0.8], maxMomentum: try numberList(o, "max_momentum") ?? [0.9])
                schedulers.push(L, sched)
                return 1
            }),
            ("ChainedScheduler", { L in
                try L.checkTable(1, "argument 1 (a list of schedulers)")
                var list: [LRScheduler] = []
                for k in stride(from: 1, through: L.rawLength(1), by: 1) {
                    L.rawGet(1, k)
                    defer { L.pop() }
                    list.append(try schedulers.check(L, -1, "ChainedScheduler schedulers[\(k)]"))
                }
                schedulers.push(L, try ChainedScheduler(list))
                return 1
            }),
            ("LambdaLR", { [unowned self] L in
                let opt = try optimizers.check(L, 1, "argument 1 (optimizer)")
                var functions: [LuaReference] = []
                if L.type(2) == LUA_TYPE_FUNCTION {
                    functions = [self.host.reference(2, in: L)]
                } else {
                    try L.checkTable(2, "argument 2 (a function, or one per group)")
                    for k in stride(from: 1, through: L.rawLength(2), by: 1) {
                        L.rawGet(2, k)
                        defer { L.pop() }
                        try L.checkFunction(-1, "argument 2 entry \(k)")
                        functions.append(self.host.reference(-1, in: L))
                    }
                }
                let host = self.host
                let lambdas: [(Int) throws -> Double] = functions.map { ref in
                    { epoch in
                        // The state running now: the binding that steps the scheduler.
                        let L = host.state
                        ref.push(onto: L)
                        L.push(epoch)
                        try L.pcall(1, 1)
                        defer { L.pop() }
                        let factor = try L.number(-1, "LambdaLR: the function's result")
                        // A NaN, infinite or negative rate would poison or reverse every step.
                        guard factor.isFinite, factor >= 0 else {
                            throw LuaError("LambdaLR: the function returned \(formatNumber(factor)) for step \(epoch); expected a finite factor >= 0")
                        }
                        return factor
                    }
                }
                let sched = functions.count == 1 ? try LambdaLR(opt, lambdas[0]) : try LambdaLR(opt, lambdas: lambdas)
                schedulers.push(L, sched)
                return 1
            }),
            ("SequentialLR", { L in
                let opt = try optimizers.check(L, 1, "argument 1 (optimizer)")
                let opts = try Options(L, 2, "SequentialLR", allowed: ["schedulers", "milestones"])
                guard opts.push("schedulers") == LUA_TYPE_TABLE else { L.pop(); throw LuaError("SequentialLR: option 'schedulers' expected a list of schedulers") }
                let t = L.absIndex(-1)
                var list: [LRScheduler] = []
                for k in stride(from: 1, through: L.rawLength(t), by: 1) {
                    L.rawGet(t, k)
                    defer { L.pop() }
                    list.append(try schedulers.check(L, -1, "SequentialLR schedulers[\(k)]"))
                }
                L.pop()
                guard opts.push("milestones") == LUA_TYPE_TABLE else { L.pop(); throw LuaError("SequentialLR: option 'milestones' expected a list of integers") }
                let milestones = try L.integers(from: L.absIndex(-1), "milestones")
                L.pop()
                schedulers.push(L, try SequentialLR(opt, schedulers: list, milestones: milestones))
                return 1
            }),
        ]
        host.getGlobal("optim")
        host.state.newTable()
        host.setFunctions(constructors)
        host.state.rawSet(-2, "lr")
        host.state.pop()

        host.addMethods(schedulers, [
            ("step", { [unowned self] L in
                let sched = try schedulers.check(L, 1, "self")
                if let plateau = sched as? ReduceLROnPlateau {
                    let metric: Double
                    if L.type(2) == LUA_TYPE_NUMBER, let x = L.number(at: 2) {
                        metric = x
                    } else if let t = self.tensors.to(L, 2), t.count == 1 {
                        metric = Double(try t.contiguousData().pointer[0])
                    } else {
                        throw LuaError("ReduceLROnPlateau:step: argument 1 (metric) expected a number or a one-element tensor, got \(L.typeName(2))")
                    }
                    try plateau.step(metric: metric)
                } else {
                    try sched.step()
                }
                return 0
            }),
            ("get_last_lr", { L in
                let lrs = try schedulers.check(L, 1, "self").lastLR
                L.newTable(array: Int32(lrs.count))
                for (k, v) in lrs.enumerated() { L.push(v); L.rawSet(-2, k + 1) }
                return 1
            }),
            ("state_dict", { L in
                let s = try schedulers.check(L, 1, "self").state()
                try pushSchedulerState(L, s)
                return 1
            }),
            ("load_state_dict", { L in
                let sched = try schedulers.check(L, 1, "self")
                try L.checkTable(2, "argument 1 (state dict)")
                try sched.loadState(try readSchedulerState(L, 2))
                return 0
            }),
        ])
    }

    /// `optim.define{name, defaults, init = fn(state, p, group), update = fn(p, grad, state, group, step)}`,
    /// or the whole-step form `optim.define{name, defaults, step = fn(groups, state, closure)}`.
    func defineOptimizer(_ L: LuaState) throws -> any OptimizerAlgorithm {
        let opts = try Options(L, 1, "define", allowed: ["name", "defaults", "init", "update", "step"])
        guard let name = try opts.string("name"), !name.isEmpty else { throw LuaError("option 'name' expected a non-empty string") }
        var defaults: [String: OptionValue] = [:]
        if opts.push("defaults") != LUA_TYPE_NIL { defaults = try optionValues(L, L.absIndex(-1), owner: name, skip: []) }
        L.pop()
        let stepType = opts.push("step")
        if stepType != LUA_TYPE_NIL {
            guard stepType == LUA_TYPE_FUNCTION else {
                let got = L.typeName(-1)
                L.pop()
                throw LuaError("option 'step' expected a function(groups, state, closure), got \(got)")
            }
            let ref = host.reference(-1)
            L.pop()
            for other in ["update", "init"] {
                let type = opts.push(other)
                L.pop()
                if type != LUA_TYPE_NIL {
                    throw LuaError("define: give either 'step' (a whole-step optimizer) or 'update' (per parameter), not '\(other)' with 'step'")
                }
            }
            return HostStepOptimizer(name: name, defaults: defaults, handle: LuaStepHandle(step: ref))
        }
        L.pop()
        guard opts.push("update") == LUA_TYPE_FUNCTION else { L.pop(); throw LuaError("option 'update' expected a function(p, grad, state, group, step), or give 'step' for a whole-step optimizer") }
        let update = host.reference(-1)
        L.pop()
        var initRef: LuaReference? = nil
        let initType = opts.push("init")
        if initType == LUA_TYPE_FUNCTION { initRef = host.reference(-1) } else if initType != LUA_TYPE_NIL {
            L.pop()
            throw LuaError("option 'init' expected a function(state, p, group), got \(L.typeName(-1))")
        }
        L.pop()
        let host = self.host
        /// Runs a Lua callback with the parameter state as a table and stores the table back.
        func call(_ ref: LuaReference, _ state: ParamState, _ group: ParamGroup, _ args: (LuaState, Int32) throws -> Int32) throws {
            let L = host.state
            ref.push()
            L.newTable()
            let stateIndex = L.absIndex(-1)
            for (k, t) in state.buffers { _ = self.push(L, t); L.rawSet(stateIndex, k) }
            for (k, v) in state.scalars { L.push(v); L.rawSet(stateIndex, k) }
            L.pushValue(stateIndex)
            let keep = host.reference(-1)  // the table, to read back after the call
            L.pop()
            let nargs = try args(L, stateIndex)
            try L.pcall(nargs, 0)
            keep.push()
            defer { L.pop() }
            var buffers: [String: Tensor] = [:], scalars: [String: Double] = [:]
            for key in try L.stringKeys(-1, "state") {
                L.rawGet(-1, key)
                defer { L.pop() }
                if let t = self.tensors.to(L, -1) { buffers[key] = t } else if let v = L.number(at: -1) { scalars[key] = v } else if !L.isNoneOrNil(-1) {
                    throw LuaError("\(name): state '\(key)' must hold a tensor or a number, got \(L.typeName(-1))")
                }
            }
            state.buffers = buffers
            state.scalars = scalars
        }
        func pushGroup(_ L: LuaState, _ group: ParamGroup) {
            L.newTable()
            for (k, v) in group.options.values { self.push(L, v); L.rawSet(-2, k) }
        }
        return CustomOptimizer(
            name: name, defaults: defaults,
            initState: initRef.map { ref in
                { state, param, group in
                    try call(ref, state, group) { L, _ in
                        _ = self.push(L, param)  // stack: fn, state, p, group
                        pushGroup(L, group)
                        return 3
                    }
                }
            },
            update: { param, grad, state, group in
                try GradMode.withoutGrad {
                    try call(update, state, group) { L, stateIndex in
                        // stack: fn, state → fn, p, grad, state, group, step
                        _ = self.push(L, param)
                        _ = self.push(L, grad)
                        L.pushValue(stateIndex)
                        pushGroup(L, group)
                        L.push(state.step)
                        L.remove(stateIndex)
                        return 5
                    }
                }
            })
    }
}

/// How deep SequentialLR states may nest in a state dict (each level is a Swift frame and a few
/// stack slots; a tampered dict nested 100,000 deep must be an error, not a stack overflow).
let maxSchedulerNesting = 64

func pushSchedulerState(_ L: LuaState, _ s: SchedulerState, depth: Int = 0) throws {
    guard depth < maxSchedulerNesting else { throw LuaError("scheduler state nests more than \(maxSchedulerNesting) levels deep") }
    try L.reserve(4)  // this level's table and its children list stay on the stack below the next
    L.newTable()
    L.push(s.lastEpoch); L.rawSet(-2, "last_epoch")
    L.push(s.stepCount); L.rawSet(-2, "step_count")
    for (key, list) in [("base_lrs", s.baseLRs), ("last_lr", s.lastLR)] {
        L.newTable(array: Int32(list.count))
        for (k, v) in list.enumerated() { L.push(v); L.rawSet(-2, k + 1) }
        L.rawSet(-2, key)
    }
    L.newTable(array: Int32(s.children.count))
    for (k, c) in s.children.enumerated() { try pushSchedulerState(L, c, depth: depth + 1); L.rawSet(-2, k + 1) }
    L.rawSet(-2, "children")
    // A scheduler's own counters (T_cur, best, ...) sit beside the common fields, as in PyTorch.
    for (key, v) in s.extra.sorted(by: { $0.key < $1.key }) { L.push(v); L.rawSet(-2, key) }
}

/// The numeric fields of a saved scheduler state other than the common ones.
private let commonSchedulerKeys: Set<String> = ["last_epoch", "step_count", "base_lrs", "last_lr", "children"]

func readSchedulerState(_ L: LuaState, _ i: Int32, depth: Int = 0) throws -> SchedulerState {
    guard depth < maxSchedulerNesting else { throw LuaError("scheduler state nests more than \(maxSchedulerNesting) levels deep") }
    try L.reserve(4)  // the children list and the child being read stay on the stack
    try L.checkTable(i, "scheduler state")
    let i = L.absIndex(i)
    func number(_ key: String) throws -> Int {
        L.rawGet(i, key)
        defer { L.pop() }
        // Bounded: the scheduler adds 1 at every step (Int.max would trap or wrap).
        return try L.integer(-1, "scheduler state '\(key)'", in: -1...LuaState.maxCount)
    }
    func list(_ key: String) throws -> [Double] {
        guard L.rawGet(i, key) == LUA_TYPE_TABLE else { L.pop(); throw LuaError("scheduler state: expected a '\(key)' list") }
        defer { L.pop() }
        let t = L.absIndex(-1)
        return try (0..<L.rawLength(t)).map { k in L.rawGet(t, k + 1); defer { L.pop() }; return try L.number(-1, "\(key)[\(k + 1)]") }
    }
    var children: [SchedulerState] = []
    if L.rawGet(i, "children") == LUA_TYPE_TABLE {
        let t = L.absIndex(-1)
        for k in stride(from: 1, through: L.rawLength(t), by: 1) {
            L.rawGet(t, k)
            defer { L.pop() }
            children.append(try readSchedulerState(L, -1, depth: depth + 1))
        }
    }
    L.pop()
    var extra: [String: Double] = [:]
    for key in try L.stringKeys(i, "scheduler state") where !commonSchedulerKeys.contains(key) {
        L.rawGet(i, key)
        defer { L.pop() }
        extra[key] = try L.number(-1, "scheduler state '\(key)'")
    }
    return SchedulerState(lastEpoch: try number("last_epoch"), stepCount: try number("step_count"),
                          baseLRs: try list("base_lrs"), lastLR: try list("last_lr"), children: children, extra: extra)
}
