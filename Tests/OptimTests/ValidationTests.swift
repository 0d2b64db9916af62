import Optim
import Tensors
import Testing

/// Every validation error, with its exact message.
@Suite struct ValidationTests {
    static let w = try? Tensor([1, 2], shape: [2])

    static func build(_ name: String, _ options: [String: OptionValue]) throws {
        _ = try Optimizers.build(name: name, params: [try #require(w)], options: options)
    }

    @Test(arguments: [
        ("adam", ["betas2": OptionValue.number(0.9)],
         "Adam: unknown option 'betas2' (valid: lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay, bias_correction, eps_mode, cautious)"),
        ("adam", ["lr": .string("fast")], "Adam: option 'lr' expected a number, got string"),
        ("adam", ["amsgrad": .number(1)], "Adam: option 'amsgrad' expected a boolean, got number"),
        ("adam", ["betas": .number(0.9)], "Adam: option 'betas' expected a pair of numbers, got number"),
        ("adam", ["eps_mode": .bool(true)], "Adam: option 'eps_mode' expected a string, got boolean"),
        ("adam", ["lr": .number(-1)], "Adam: option 'lr' expected a non-negative number, got -1"),
        ("adam", ["lr": .number(.nan)], "Adam: option 'lr' expected a finite number, got nan"),
        ("adamw", ["betas": .pair(0.9, 1)], "AdamW: option 'betas' expected two numbers in [0, 1), got {0.9, 1}"),
        ("amsgrad", ["betas": .pair(-0.1, 0.9)], "AMSGrad: option 'betas' expected two numbers in [0, 1), got {-0.1, 0.9}"),
        ("adam", ["eps": .number(-1e-8)], "Adam: option 'eps' expected a non-negative number, got -1e-08"),
        ("adam", ["eps_mode": .string("before_sqrt")],
         "Adam: option 'eps_mode' expected one of \"after_sqrt\", \"eps_hat\", \"inside_sqrt\", got \"before_sqrt\""),
        ("adam", ["weight_decay": .number(-0.1)], "Adam: option 'weight_decay' expected a non-negative number, got -0.1"),
        ("sgd", ["nesterov": .bool(true)],
         "SGD: nesterov requires a momentum > 0 and zero dampening, got momentum 0 and dampening 0"),
        ("sgd", ["nesterov": .bool(true), "momentum": .number(0.9), "dampening": .number(0.1)],
         "SGD: nesterov requires a momentum > 0 and zero dampening, got momentum 0.9 and dampening 0.1"),
        ("sgd", ["momentum": .number(-0.9)], "SGD: option 'momentum' expected a non-negative number, got -0.9"),
        ("rmsprop", ["alpha": .number(-1)], "RMSprop: option 'alpha' expected a non-negative number, got -1"),
        ("adagrad", ["lr_decay": .number(-1)], "Adagrad: option 'lr_decay' expected a non-negative number, got -1"),
        ("nadam", ["momentum_decay": .number(-1)], "NAdam: option 'momentum_decay' expected a non-negative number, got -1"),
        ("lion", ["eps": .number(1e-8)], "Lion: unknown option 'eps' (valid: lr, betas, weight_decay, maximize, cautious)"),
    ] as [(String, [String: OptionValue], String)])
    func optionErrors(_ name: String, _ options: [String: OptionValue], _ message: String) throws {
        #expect(throws: TensorError(message)) { try Self.build(name, options) }
    }

    @Test func groupOptionsAreValidatedToo() throws {
        let w = try #require(Self.w)
        #expect(throws: TensorError("RAdam: option 'lr' expected a number, got boolean")) {
            try Optimizer(RAdam(), groups: [ParamGroupSpec(params: [w], options: ["lr": .bool(true)])])
        }
    }

    @Test func parameterListErrors() throws {
        let w = try #require(Self.w)
        #expect(throws: TensorError("Adam: optimizer got an empty parameter list")) { try Optimizer(Adam(), params: []) }
        #expect(throws: TensorError("SGD: optimizer got an empty parameter list")) {
            try Optimizer(SGD(), groups: [ParamGroupSpec(params: [])])
        }
        #expect(throws: TensorError("Adam: parameter 1 of group 2 appears more than once in the parameter list")) {
            try Optimizer(Adam(), groups: [ParamGroupSpec(params: [w]), ParamGroupSpec(params: [w])])
        }
        let base = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let view = Tensor(storage: base.storage, shape: [3, 2], strides: [1, 3], offset: 0)
        #expect(throws: TensorError("Adam: parameter 1 of group 1 must be contiguous, got a non-contiguous view of shape [3, 2]")) {
            try Optimizer(Adam(), params: [view])
        }
    }

    @Test func nonLeafParameterIsAnError() throws {
        let w = try #require(Self.w)
        let y = Tensor(storage: w.storage, shape: [2], strides: [1], offset: 0)
        y.gradFn = GradNode(name: "mul", inputs: [w]) { g in [g] }
        #expect(throws: TensorError("Adam: parameter 1 of group 1 must be a leaf tensor, got the result of 'mul'")) {
            try Optimizer(Adam(), params: [y])
        }
    }

    @Test func setOptionIsValidated() throws {
        let opt = try Optimizer(SGD(), params: [try #require(Self.w)], options: ["momentum": .number(0.9)])
        try opt.setOption("nesterov", .bool(true), group: 0)
        #expect(opt.groups[0].options["nesterov"] == .bool(true))
        #expect(throws: TensorError("SGD: nesterov requires a momentum > 0 and zero dampening, got momentum 0.9 and dampening 0.5")) {
            try opt.setOption("dampening", .number(0.5), group: 0)
        }
        #expect(throws: TensorError("SGD: option 'momentum' expected a number, got string")) {
            try opt.setOption("momentum", .string("high"), group: 0)
        }
        #expect(opt.groups[0].options["dampening"] == .number(0))
    }

    @Test func schedulerErrors() throws {
        let opt = try Optimizer(Adagrad(), params: [try #require(Self.w)])
        #expect(throws: TensorError("StepLR: step_size expected a positive integer, got 0")) { try StepLR(opt, stepSize: 0) }
        #expect(throws: TensorError("CosineAnnealingLR: T_max expected a positive integer, got -3")) { try CosineAnnealingLR(opt, tMax: -3) }
        #expect(throws: TensorError("LinearLR: start_factor expected a number in (0, 1], got 0.0")) { try LinearLR(opt, startFactor: 0) }
        #expect(throws: TensorError("LinearLR: end_factor expected a number in [0, 1], got 2.0")) { try LinearLR(opt, endFactor: 2) }
        #expect(throws: TensorError("OneCycleLR: optimizer Adagrad has no momentum or betas option to cycle; pass cycle_momentum = false")) {
            try OneCycleLR(opt, maxLR: [0.1], totalSteps: 10)
        }
        #expect(throws: TensorError("OneCycleLR: max_lr expected 1 or 1 values (one per group), got 2")) {
            try OneCycleLR(opt, maxLR: [0.1, 0.2], totalSteps: 10, cycleMomentum: false)
        }
        let one = try OneCycleLR(opt, maxLR: [0.1], totalSteps: 2, cycleMomentum: false)
        try one.step(); try one.step()
        #expect(throws: TensorError("OneCycleLR: tried to step 3 times; total_steps is 2")) { try one.step() }
        let step = try StepLR(opt, stepSize: 2)
        #expect(throws: TensorError("SequentialLR: expected 0 milestones (one fewer than schedulers), got 1")) {
            try SequentialLR(opt, schedulers: [step], milestones: [3])
        }
        let other = try Optimizer(Adagrad(), params: [try Tensor([1], shape: [1])])
        #expect(throws: TensorError("SequentialLR: scheduler 1 belongs to a different optimizer")) {
            try SequentialLR(other, schedulers: [step], milestones: [])
        }
        #expect(throws: TensorError("LambdaLR: expected 1 functions (one per group), got 2")) {
            try LambdaLR(opt, lambdas: [{ _ in 1 }, { _ in 1 }])
        }
    }
}
