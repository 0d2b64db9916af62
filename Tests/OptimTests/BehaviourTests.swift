import Optim
import Tensors
import Testing

@Suite struct BehaviourTests {
    static let allNames = Optimizers.names

    /// A step of any built-in with the gradients already set: closure optimizers (LBFGS, SAM)
    /// get a closure that puts the same gradients back and returns a constant loss; Sophia gets
    /// gradients that carry a graph (θ·0 + g: the same values, a zero Hessian), which its
    /// Hessian-estimate steps need; the others a plain step.
    static func step(_ opt: Optimizer) throws {
        let params = opt.groups.flatMap(\.params)
        if opt.name == "Sophia" {
            for p in params {
                guard let g = p.grad, g.gradFn == nil else { continue }
                p.requiresGrad = true
                p.grad = try GradMode.withGrad { try p.mul(0).add(g) }
            }
        }
        let grads = params.map(\.grad)
        if opt.requiresClosure {
            try opt.step {
                for (p, g) in zip(params, grads) { p.grad = g }
                return 0
            }
        } else {
            try opt.step()
        }
    }

    /// Muon takes matrices only: `shape` as a one-row matrix for it.
    static func shape(_ shape: [Int], for name: String) -> [Int] {
        name == "muon" && shape.count == 1 ? [1] + shape : shape
    }

    /// Large tensors are split into chunks; the result must not depend on the thread count.
    @Test(arguments: allNames)
    func threadCountIndependent(_ name: String) throws {
        func run(threads: Int) throws -> [Float] {
            let saved = Parallel.threads
            Parallel.threads = threads
            defer { Parallel.threads = saved }
            let n = Parallel.defaultChunk + 37
            let shape = name == "muon" ? [n / 37, 37] : [n]
            let w = try Formula.param(0, shape: shape)
            let opt = try Optimizers.build(name: name, params: [w], options: ["lr": .number(0.01)])
            for s in 1...2 {
                w.grad = try Formula.grad(step: s, param: 0, shape: shape)
                try Self.step(opt)
            }
            return w.toArray()
        }
        #expect(try run(threads: 1) == run(threads: 2))
    }

    /// LBFGS is left out: a whole-step method over the flattened parameters, it treats a missing
    /// gradient as zeros and keeps its state on the first parameter, as PyTorch's.
    @Test(arguments: allNames.filter { $0 != "lbfgs" })
    func paramWithoutGradIsSkipped(_ name: String) throws {
        let a = try Tensor([1, 2, 3], shape: Self.shape([3], for: name)), b = try Tensor([4, 5], shape: Self.shape([2], for: name))
        var options: [String: OptionValue] = ["lr": .number(0.1)]
        if try Optimizers.build(name: name, params: [a]).groups[0].options["weight_decay"] != nil {
            options["weight_decay"] = .number(0.5)
        }
        let opt = try Optimizers.build(name: name, params: [a, b], options: options)
        a.grad = try Tensor([0.1, 0.2, 0.3], shape: a.shape)
        try Self.step(opt)
        #expect(b.toArray() == [4, 5], "no decay, no update without a grad")
        #expect(opt.state(for: b) == nil)
        #expect(opt.state(for: a)?.step == 1)
        b.grad = try Tensor([1, 1], shape: b.shape)
        a.grad = nil
        try Self.step(opt)
        #expect(opt.state(for: a)?.step == 1, "no step increment without a grad")
        #expect(opt.state(for: b)?.step == 1)
    }

    @Test(arguments: allNames)
    func zeroSizeParams(_ name: String) throws {
        let empty = try Tensor([], shape: [0, 3]), w = try Tensor([1, 2], shape: Self.shape([2], for: name))
        let opt = try Optimizers.build(name: name, params: [empty, w])
        empty.grad = try Tensor([], shape: [0, 3])
        w.grad = try Tensor([1, -1], shape: w.shape)
        try Self.step(opt)
        try Self.step(opt)
        // LBFGS counts iterations (several per step) on its first parameter.
        if name != "lbfgs" { #expect(opt.state(for: empty)?.step == 2) }
        #expect(w.toArray() != [1, 2])
    }

    @Test func nonContiguousGradIsRead() throws {
        // grad = transpose of [[1, 2, 3], [4, 5, 6]], i.e. [[1, 4], [2, 5], [3, 6]].
        let base = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let gT = Tensor(storage: base.storage, shape: [3, 2], strides: [1, 3], offset: 0)
        let w = try Tensor([0, 0, 0, 0, 0, 0], shape: [3, 2])
        let opt = try Optimizer(SGD(), params: [w], options: ["lr": .number(1)])
        w.grad = gT
        try opt.step()
        #expect(w.toArray() == [-1, -4, -2, -5, -3, -6])
    }

    @Test func gradShapeMismatchIsAnError() throws {
        let w = try Tensor([1, 2, 3], shape: [3])
        let opt = try Optimizer(Adam(), params: [w])
        w.grad = try Tensor([1, 2], shape: [2])
        #expect(throws: TensorError("Adam: gradient of parameter 1 in group 1 has shape [2], expected [3]")) { try opt.step() }
    }

    @Test func learningRateAccessors() throws {
        let a = try Tensor([1], shape: [1]), b = try Tensor([2], shape: [1])
        let opt = try Optimizer(SGD(), groups: [ParamGroupSpec(params: [a]), ParamGroupSpec(params: [b], options: ["lr": .number(0.5)])],
                                options: ["lr": .number(0.1)])
        #expect(try opt.getLR() == 0.1)
        #expect(try opt.getLR(group: 1) == 0.5)
        try opt.setLR(0.2, group: 1)
        #expect(opt.groups.map(\.lr) == [0.1, 0.2])
        try opt.setLR(0.3)
        #expect(opt.groups.map(\.lr) == [0.3, 0.3])
        #expect(throws: TensorError("SGD: group index expected 0..<2, got 2")) { try opt.getLR(group: 2) }
        #expect(throws: TensorError("SGD: option 'lr' expected a non-negative number, got -1")) { try opt.setLR(-1) }
        // Writing lr on the group takes effect at the next step.
        opt.groups[0].lr = 1
        a.grad = try Tensor([1], shape: [1])
        try opt.step()
        #expect(a.toArray() == [0])
    }

    @Test func registry() throws {
        // The PyTorch ones first, the optax-referenced ones (registryOrder 200+) last.
        #expect(Array(Optimizers.names.prefix(16)) == ["sgd", "adam", "adamw", "amsgrad", "nadam", "radam", "adagrad", "rmsprop", "adamax", "lion",
                                                      "adadelta", "adafactor", "asgd", "rprop", "muon", "lbfgs"])
        #expect(Array(Optimizers.names.suffix(20)) == ["adabelief", "adan", "lamb", "lars", "yogi", "novograd", "sign_sgd", "signum", "ademamix",
                                                       "adopt", "madgrad", "schedule_free_adamw", "schedule_free_sgd", "prodigy", "dadapt_adamw", "mars",
                                                       "shampoo", "soap", "sophia", "sam"])
        let w = try Tensor([1], shape: [1])
        let opt = try Optimizers.build(name: "AdamW", params: [w])
        #expect(opt.name == "AdamW")
        #expect(opt.groups[0].options["weight_decay"] == .number(1e-2))
        #expect(opt.groups[0].options["decoupled_weight_decay"] == .bool(true))
        #expect(try Optimizers.build(name: "amsGRAD", params: [w]).groups[0].options["amsgrad"] == .bool(true))
        #expect(throws: TensorError("optim.build: unknown optimizer 'adamz' (valid: \(Optimizers.names.joined(separator: ", ")))")) {
            try Optimizers.build(name: "adamz", params: [w])
        }
    }

    @Test func customOptimizer() throws {
        // Sign SGD with a step counter buffer, through groups, maximize, state dicts and schedulers.
        let signSGD = CustomOptimizer(
            name: "SignSGD", defaults: ["lr": .number(0.1), "maximize": .bool(false)],
            initState: { state, param, _ in state.buffers["seen"] = try Tensor([0], shape: [1]) },
            update: { p, g, state, group in
                let lr = Float(group.lr)
                for i in 0..<p.count { p.pointer[i] -= lr * (g.pointer[i] > 0 ? 1 : -1) }
                state.buffers["seen"]?.pointer[0] = Float(state.step)
            })
        var registry = OptimizerRegistry.builtins
        registry.register(signSGD)
        #expect(registry.names.last == "signsgd")
        let w = try Tensor([1, 1], shape: [2])
        let opt = try registry.build(name: "signsgd", params: [w], options: ["maximize": .bool(true)])
        let sched = try StepLR(opt, stepSize: 1, gamma: 0.5)
        w.grad = try Tensor([2, -3], shape: [2])
        try opt.step()
        try sched.step()
        #expect(w.toArray() == [1.1, 0.9])
        #expect(try opt.getLR() == 0.05)
        #expect(opt.state(for: w)?.buffers["seen"]?.toArray() == [1])
        #expect(throws: TensorError("SignSGD: unknown option 'momentum' (valid: lr, maximize)")) {
            try registry.build(name: "SignSGD", params: [w], options: ["momentum": .number(0.9)])
        }
        #expect(throws: TensorError("SignSGD: option 'lr' expected a non-negative number, got -1")) {
            try registry.build(name: "SignSGD", params: [w], options: ["lr": .number(-1)])
        }
        // State dicts work unchanged, buffers of any shape included.
        let other = try registry.build(name: "signsgd", params: [try Tensor([0, 0], shape: [2])])
        try other.loadStateDict(try opt.stateDict())
        #expect(other.state(for: other.groups[0].params[0])?.step == 1)
    }
}
