import Optim
import Tensors
import Testing

/// 10 steps + save + load into a fresh optimizer + 10 steps == 20 steps, bit for bit.
@Suite struct StateDictTests {
    /// A fixture case's setup, used for its parameters, options and groups.
    static let cases = ["sgd_momentum_dampening_l2", "sgd_nesterov_maximize", "adam_skip_zero_size",
                        "adamw_amsgrad_maximize", "nadam_decoupled", "radam_default", "adagrad_decay_l2_init",
                        "rmsprop_centered_momentum", "adamax_l2", "groups_frozen", "lion_wd_maximize",
                        "adam_inside_sqrt_amsgrad"]

    @Test(arguments: cases)
    func roundTripIsExact(_ name: String) throws {
        let fixture = try #require(FixtureFile.named(name))
        let straight = try FixtureRun(fixture)
        try straight.run(steps: 1..<21)

        let first = try FixtureRun(fixture)
        try first.run(steps: 1..<11)
        let saved = try first.optimizer.stateDict()
        // A fresh optimizer over fresh parameters holding the first run's values.
        let second = try FixtureRun(fixture)
        for (dst, src) in zip(second.params, first.params) { dst.pointer.update(from: src.pointer, count: src.count) }
        try second.optimizer.loadStateDict(saved)
        // Later steps of the first run must not leak into the saved copy.
        try first.run(steps: 11..<13)
        try second.run(steps: 11..<21)
        for (a, b) in zip(second.params, straight.params) {
            #expect(a.toArray() == b.toArray(), "\(name): resumed run differs from the straight run")
        }
    }

    @Test func savedStateHoldsStepsBuffersAndScalars() throws {
        let w = try Tensor([1, 2, 3], shape: [3])
        let opt = try Optimizer(NAdam(), params: [w])
        w.grad = try Tensor([0.1, -0.2, 0.3], shape: [3])
        try opt.step(); try opt.step()
        let sd = try opt.stateDict()
        let entry = try #require(sd.state[0])
        #expect(entry.step == 2)
        #expect(Set(entry.buffers.keys) == ["exp_avg", "exp_avg_sq"])
        #expect(entry.scalars["mu_product"] != nil)
        #expect(sd.groups.count == 1 && sd.groups[0].params == [0])
        #expect(sd.groups[0].options["lr"] == .number(2e-3))
        #expect(sd.algorithm == "NAdam")
    }

    @Test func loadRestoresOptions() throws {
        let w = try Tensor([1, 2], shape: [2])
        let a = try Optimizer(Adam(), params: [w], options: ["lr": .number(0.5)])
        let b = try Optimizer(Adam(), params: [w])
        try b.loadStateDict(try a.stateDict())
        #expect(try b.getLR() == 0.5)
    }

    @Test func mismatchedGroupsAndParamsAreErrors() throws {
        let w = try Tensor([1, 2, 3], shape: [3]), v = try Tensor([1, 2], shape: [2])
        let one = try Optimizer(Adam(), params: [w])
        w.grad = try Tensor([1, 1, 1], shape: [3])
        try one.step()
        let saved = try one.stateDict()

        let two = try Optimizer(Adam(), params: [w, v])
        #expect(throws: TensorError("Adam.loadStateDict: group 1 expected 2 parameters, got 1")) { try two.loadStateDict(saved) }

        let grouped = try Optimizer(Adam(), groups: [ParamGroupSpec(params: [w]), ParamGroupSpec(params: [v])])
        #expect(throws: TensorError("Adam.loadStateDict: expected 2 parameter groups, got 1")) { try grouped.loadStateDict(saved) }

        let wrongShape = try Optimizer(Adam(), params: [try Tensor([1, 2, 3, 4], shape: [4])])
        #expect(throws: TensorError("Adam.loadStateDict: state 'exp_avg' of parameter 1 has shape [3], expected [4]")) {
            var s = saved
            s.state[0]?.buffers = ["exp_avg": try Tensor([0, 0, 0], shape: [3])]
            try wrongShape.loadStateDict(s)
        }

        var badOption = saved
        badOption.groups[0].options["betas2"] = .number(1)
        #expect(throws: TensorError("Adam: unknown option 'betas2' (valid: lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay, bias_correction, eps_mode, cautious)")) {
            try one.loadStateDict(badOption)
        }
    }

    @Test func schedulerStateResumes() throws {
        func make() throws -> (Optimizer, SequentialLR) {
            let opt = try Optimizer(SGD(), params: [try Tensor([1], shape: [1])], options: ["lr": .number(0.1)])
            let s = try SequentialLR(opt, schedulers: [try LinearLR(opt, startFactor: 0.1, totalIters: 3),
                                                       try CosineAnnealingLR(opt, tMax: 8)], milestones: [3])
            return (opt, s)
        }
        let (o1, s1) = try make()
        for _ in 0..<5 { try s1.step() }
        let optState = try o1.stateDict(), schedState = s1.state()
        for _ in 0..<4 { try s1.step() }

        let (o2, s2) = try make()
        try o2.loadStateDict(optState)
        try s2.loadState(schedState)
        for _ in 0..<4 { try s2.step() }
        #expect(s2.lastLR == s1.lastLR)
        #expect(try o2.getLR() == o1.getLR())
        #expect(s2.lastEpoch == 9)
    }
}
