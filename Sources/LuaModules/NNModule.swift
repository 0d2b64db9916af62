import LuaHost
import NN
import Tensors

/// The Swift half of `nn`: `nn.functional`, `nn.init`, `nn.utils` (see Sources/NN). The module
/// system and the layers are Lua (NNLibrary.swift), built on these.
extension Runtime {
    func installNNModule() throws {
        host.register(module: "nn", [])
        let main = host.mainState  // set-up before the script runs: no binding is active
        main.pushGlobal("nn")
        main.newTable()
        host.setFunctions(functionalBindings(), prefix: "")
        host.setFunctions(recurrentBindings(), prefix: "")
        main.rawSet(-2, "functional")
        main.newTable()
        host.setFunctions(initBindings(), prefix: "")
        main.rawSet(-2, "init")
        main.newTable()
        host.setFunctions(utilsBindings(), prefix: "")
        main.rawSet(-2, "utils")
        main.pop()
        try runLibrary(EmbeddedLua.nn, module: "nn")
        // Recurrent, attention and the other layers of the second round (lua/nn_layers.lua).
        try runLibrary(EmbeddedLua.nn_layers, module: "nn")
    }

    /// An optional tensor argument (nil or absent → nil).
    func optionalTensor(_ L: LuaState, _ i: Int32, _ what: @autoclosure () -> String) throws -> Tensor? {
        L.isNoneOrNil(i) ? nil : try tensor(L, i, what())
    }

    /// A size given as a number or a table of numbers (`2` or `{2, 3}`).
    func sizes(_ L: LuaState, _ i: Int32, _ what: String) throws -> [Int] {
        if L.type(i) == LUA_TYPE_TABLE { return try L.integers(from: i, what) }
        return [try L.integer(i, what)]
    }

    func optionalSizes(_ opts: Options, _ key: String) throws -> [Int]? {
        let type = opts.push(key)
        defer { opts.L.pop() }
        if type == LUA_TYPE_NIL { return nil }
        return try sizes(opts.L, -1, "option '\(key)'")
    }

    func optionalTensorOption(_ opts: Options, _ key: String) throws -> Tensor? {
        let type = opts.push(key)
        defer { opts.L.pop() }
        if type == LUA_TYPE_NIL { return nil }
        return try tensor(opts.L, -1, "option '\(key)'")
    }

    func functionalBindings() -> [(String, LuaFunction)] {
        [
            ("linear", { [unowned self] L in
                self.push(L, try Functional.linear(try self.tensor(L, 1, "argument 1 (input)"),
                                                   weight: try self.tensor(L, 2, "argument 2 (weight)"),
                                                   bias: try self.optionalTensor(L, 3, "argument 3 (bias)")))
            }),
            ("conv2d", { [unowned self] L in
                let opts = try Options(L, 4, "conv2d", allowed: ["stride", "padding", "dilation"])
                return self.push(L, try Functional.conv2d(
                    try self.tensor(L, 1, "argument 1 (input)"), weight: try self.tensor(L, 2, "argument 2 (weight)"),
                    bias: try self.optionalTensor(L, 3, "argument 3 (bias)"),
                    stride: try self.optionalSizes(opts, "stride") ?? [1], padding: try self.optionalSizes(opts, "padding") ?? [0],
                    dilation: try self.optionalSizes(opts, "dilation") ?? [1]))
            }),
            ("max_pool2d", { [unowned self] L in
                let opts = try Options(L, 3, "max_pool2d", allowed: ["stride", "padding"])
                return self.push(L, try Functional.maxPool2d(
                    try self.tensor(L, 1, "argument 1 (input)"), kernel: try self.sizes(L, 2, "argument 2 (kernel)"),
                    stride: try self.optionalSizes(opts, "stride"), padding: try self.optionalSizes(opts, "padding") ?? [0]))
            }),
            ("avg_pool2d", { [unowned self] L in
                let opts = try Options(L, 3, "avg_pool2d", allowed: ["stride", "padding", "count_include_pad"])
                return self.push(L, try Functional.avgPool2d(
                    try self.tensor(L, 1, "argument 1 (input)"), kernel: try self.sizes(L, 2, "argument 2 (kernel)"),
                    stride: try self.optionalSizes(opts, "stride"), padding: try self.optionalSizes(opts, "padding") ?? [0],
                    countIncludePad: try opts.bool("count_include_pad") ?? true))
            }),
            ("dropout", { [unowned self] L in
                let p = try L.optionalNumber(2, "argument 2 (p)") ?? 0.5
                let training = L.isNoneOrNil(3) ? true : try L.boolean(3, "argument 3 (training)")
                return self.push(L, try Functional.dropout(try self.tensor(L, 1, "argument 1 (input)"), p: p, training: training))
            }),
            ("batch_norm", { [unowned self] L in
                self.push(L, try Functional.batchNorm(
                    try self.tensor(L, 1, "argument 1 (input)"),
                    runningMean: try self.optionalTensor(L, 2, "argument 2 (running_mean)"),
                    runningVar: try self.optionalTensor(L, 3, "argument 3 (running_var)"),
                    weight: try self.optionalTensor(L, 4, "argument 4 (weight)"),
                    bias: try self.optionalTensor(L, 5, "argument 5 (bias)"),
                    training: L.isNoneOrNil(6) ? false : try L.boolean(6, "argument 6 (training)"),
                    momentum: try L.optionalNumber(7, "argument 7 (momentum)") ?? 0.1,
                    eps: try L.optionalNumber(8, "argument 8 (eps)") ?? 1e-5))
            }),
            ("layer_norm", { [unowned self] L in
                self.push(L, try Functional.layerNorm(
                    try self.tensor(L, 1, "argument 1 (input)"), normalizedShape: try self.sizes(L, 2, "argument 2 (normalized_shape)"),
                    weight: try self.optionalTensor(L, 3, "argument 3 (weight)"), bias: try self.optionalTensor(L, 4, "argument 4 (bias)"),
                    eps: try L.optionalNumber(5, "argument 5 (eps)") ?? 1e-5))
            }),
            // _sdpa(q [B, L, E], k [B, S, E], v [B, S, Ev], causal, scale): the fused attention core
            // behind scaled_dot_product_attention and MultiheadAttention (lua/nn_layers.lua);
            // internal (`_`), so it may change with them.
            ("_sdpa", { [unowned self] L in
                self.push(L, try Functional.scaledDotProductAttention(
                    try self.tensor(L, 1, "argument 1 (query)"), try self.tensor(L, 2, "argument 2 (key)"),
                    try self.tensor(L, 3, "argument 3 (value)"), causal: try L.boolean(4, "argument 4 (causal)"),
                    scale: try L.number(5, "argument 5 (scale)")))
            }),
            ("embedding", { [unowned self] L in
                self.push(L, try Functional.embedding(try self.tensor(L, 1, "argument 1 (indices)"),
                                                      weight: try self.tensor(L, 2, "argument 2 (weight)")))
            }),
            ("mse_loss", pointwiseLoss("mse_loss") { try Functional.mseLoss($0, $1, reduction: $2) }),
            ("l1_loss", pointwiseLoss("l1_loss") { try Functional.l1Loss($0, $1, reduction: $2) }),
            ("huber_loss", { [unowned self] L in
                let opts = try Options(L, 3, "huber_loss", allowed: ["reduction", "delta"])
                return self.push(L, try Functional.huberLoss(
                    try self.tensor(L, 1, "argument 1 (input)"), try self.tensor(L, 2, "argument 2 (target)"),
                    delta: try opts.number("delta") ?? 1, reduction: try opts.string("reduction") ?? "mean"))
            }),
            ("binary_cross_entropy", { [unowned self] L in
                let opts = try Options(L, 3, "binary_cross_entropy", allowed: ["reduction", "weight"])
                return self.push(L, try Functional.binaryCrossEntropy(
                    try self.tensor(L, 1, "argument 1 (input)"), try self.tensor(L, 2, "argument 2 (target)"),
                    weight: try self.optionalTensorOption(opts, "weight"), reduction: try opts.string("reduction") ?? "mean"))
            }),
            ("bce_with_logits", { [unowned self] L in
                let opts = try Options(L, 3, "bce_with_logits", allowed: ["reduction", "weight", "pos_weight"])
                return self.push(L, try Functional.bceWithLogits(
                    try self.tensor(L, 1, "argument 1 (input)"), try self.tensor(L, 2, "argument 2 (target)"),
                    weight: try self.optionalTensorOption(opts, "weight"), posWeight: try self.optionalTensorOption(opts, "pos_weight"),
                    reduction: try opts.string("reduction") ?? "mean"))
            }),
            ("cross_entropy", { [unowned self] L in
                let opts = try Options(L, 3, "cross_entropy", allowed: ["reduction", "weight", "ignore_index", "label_smoothing"])
                return self.push(L, try Functional.crossEntropy(
                    try self.tensor(L, 1, "argument 1 (logits)"), labels: try self.tensor(L, 2, "argument 2 (labels)"),
                    weight: try self.optionalTensorOption(opts, "weight"), ignoreIndex: try opts.integer("ignore_index"),
                    labelSmoothing: try opts.number("label_smoothing") ?? 0, reduction: try opts.string("reduction") ?? "mean"))
            }),
            ("nll_loss", { [unowned self] L in
                let opts = try Options(L, 3, "nll_loss", allowed: ["reduction", "weight", "ignore_index"])
                return self.push(L, try Functional.nllLoss(
                    try self.tensor(L, 1, "argument 1 (log_probs)"), labels: try self.tensor(L, 2, "argument 2 (labels)"),
                    weight: try self.optionalTensorOption(opts, "weight"), ignoreIndex: try opts.integer("ignore_index"),
                    reduction: try opts.string("reduction") ?? "mean"))
            }),
        ]
    }

    func pointwiseLoss(_ name: String, _ f: @escaping (Tensor, Tensor, String) throws -> Tensor) -> LuaFunction {
        { [unowned self] L in
            let opts = try Options(L, 3, name, allowed: ["reduction"])
            return self.push(L, try f(try self.tensor(L, 1, "argument 1 (input)"), try self.tensor(L, 2, "argument 2 (target)"),
                                     try opts.string("reduction") ?? "mean"))
        }
    }

    func initBindings() -> [(String, LuaFunction)] {
        /// In-place initialisers return their tensor (argument 1).
        func inPlace(_ body: @escaping (LuaState, Tensor) throws -> Void) -> LuaFunction {
            { [unowned self] L in
                let t = try self.tensor(L, 1, "argument 1 (tensor)")
                try GradMode.withoutGrad { try body(L, t) }
                L.setTop(1)
                return 1
            }
        }
        func kaiming(_ name: String, _ f: @escaping (Tensor, Double, String, String) throws -> Tensor) -> LuaFunction {
            inPlace { L, t in
                let opts = try Options(L, 2, name, allowed: ["a", "mode", "nonlinearity"])
                _ = try f(t, try opts.number("a") ?? 0, try opts.string("mode") ?? "fan_in", try opts.string("nonlinearity") ?? "leaky_relu")
            }
        }
        func xavier(_ name: String, _ f: @escaping (Tensor, Double) throws -> Tensor) -> LuaFunction {
            inPlace { L, t in
                let opts = try Options(L, 2, name, allowed: ["gain"])
                _ = try f(t, try opts.number("gain") ?? 1)
            }
        }
        return [
            ("kaiming_uniform_", kaiming("kaiming_uniform_") { try Init.kaimingUniform_($0, a: $1, mode: $2, nonlinearity: $3) }),
            ("kaiming_normal_", kaiming("kaiming_normal_") { try Init.kaimingNormal_($0, a: $1, mode: $2, nonlinearity: $3) }),
            ("xavier_uniform_", xavier("xavier_uniform_") { try Init.xavierUniform_($0, gain: $1) }),
            ("xavier_normal_", xavier("xavier_normal_") { try Init.xavierNormal_($0, gain: $1) }),
            ("zeros_", inPlace { _, t in _ = try Init.zeros_(t) }),
            ("ones_", inPlace { _, t in _ = try Init.ones_(t) }),
            ("constant_", inPlace { L, t in _ = try Init.constant_(t, try L.number(2, "argument 2 (value)")) }),
            ("normal_", inPlace { L, t in
                _ = try Init.normal_(t, mean: try L.optionalNumber(2, "argument 2 (mean)") ?? 0, std: try L.optionalNumber(3, "argument 3 (std)") ?? 1)
            }),
            ("uniform_", inPlace { L, t in
                _ = try Init.uniform_(t, from: try L.optionalNumber(2, "argument 2 (a)") ?? 0, to: try L.optionalNumber(3, "argument 3 (b)") ?? 1)
            }),
            ("fans", { [unowned self] L in
                let f = try Init.fans(try self.tensor(L, 1, "argument 1 (tensor)"))
                L.push(f.fanIn)
                L.push(f.fanOut)
                return 2
            }),
        ]
    }

    func utilsBindings() -> [(String, LuaFunction)] {
        [
            ("clip_grad_norm_", { [unowned self] L in
                let params = try self.oneOrMany(L, 1, "argument 1 (parameters)")
                let norm = try GradClip.clipGradNorm_(params, maxNorm: try L.number(2, "argument 2 (max_norm)"),
                                                      normType: try L.optionalNumber(3, "argument 3 (norm_type)") ?? 2)
                L.push(norm)
                return 1
            }),
            ("clip_grad_value_", { [unowned self] L in
                try GradClip.clipGradValue_(try self.oneOrMany(L, 1, "argument 1 (parameters)"), value: try L.number(2, "argument 2 (clip_value)"))
                return 0
            }),
            ("save_safetensors", { [unowned self] L in
                try L.checkTable(1, "argument 1 (entries)")
                let path = try L.string(2, "argument 2 (path)")
                try self.checkFileAccess(path, write: true)
                var entries: [(String, Tensor)] = []
                for k in stride(from: 1, through: L.rawLength(1), by: 1) {
                    L.rawGet(1, k)
                    guard L.type(-1) == LUA_TYPE_TABLE else { throw LuaError("entry \(k) expected a {name, tensor} pair, got \(L.typeName(-1))") }
                    L.rawGet(-1, 1)
                    L.rawGet(-2, 2)
                    entries.append((try L.string(-2, "entry \(k) name"), try self.tensor(L, -1, "entry \(k) tensor")))
                    L.pop(3)
                }
                var metadata: [String: String] = [:]
                if !L.isNoneOrNil(3) {
                    try L.checkTable(3, "argument 3 (metadata)")
                    for key in try L.stringKeys(3, "metadata") {
                        L.rawGet(3, key)
                        metadata[key] = try L.string(-1, "metadata '\(key)'")
                        L.pop()
                    }
                }
                try Safetensors.save(entries, to: path, metadata: metadata)
                return 0
            }),
            ("load_safetensors", { [unowned self] L in
                let path = try L.string(1, "argument 1 (path)")
                try self.checkFileAccess(path, write: false)
                let (tensors, metadata) = try Safetensors.read(path)
                L.newTable(array: Int32(tensors.count))
                for (k, entry) in tensors.enumerated() {
                    L.newTable(array: 2)
                    L.push(entry.0)
                    L.rawSet(-2, 1)
                    _ = self.push(L, entry.1)
                    L.rawSet(-2, 2)
                    L.rawSet(-2, k + 1)
                }
                L.newTable()
                for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { L.push(value); L.rawSet(-2, key) }
                return 2
            }),
        ]
    }
}
