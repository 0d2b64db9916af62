import Testing
@testable import NN
import Tensors

/// Second-order gradcheck for the fused layers and losses: their create_graph backward (the
/// composite formulas) must agree with finite differences of their gradients.
@Suite struct HigherOrderNNTests {
    static func u(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1, seed: UInt64) throws -> Tensor {
        let t = try Tensor(uninitializedShape: shape)
        Generator(seed: seed).fillUniform(t.pointer, count: t.count, from: lo, to: hi)
        t.requiresGrad = true
        return t
    }

    /// gradgradcheck of `f`, squared when `square` (for ops linear in their inputs).
    static func check(_ name: String, _ inputs: [Tensor], square: Bool = true, atol: Double = 2e-2, rtol: Double = 2e-2,
                      _ f: @escaping ([Tensor]) throws -> Tensor, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try Autograd.gradgradcheck({ square ? try f($0).square() : try f($0) }, inputs: inputs,
                                           eps: 1e-3, atol: atol, rtol: rtol)
        #expect(r.passed, "\(name): \(r)", sourceLocation: sourceLocation)
        // The first-order gradient on the create_graph path equals the fused kernel's.
        let plain = try Autograd.gradcheck({ try f($0) }, inputs: inputs, eps: 1e-3, atol: atol, rtol: rtol)
        #expect(plain.passed, "\(name) first order: \(plain)", sourceLocation: sourceLocation)
        // gradgradcheck differentiates the recorded gradient, so it cannot see one that is wrong
        // but smooth: the recorded gradient must equal the fused backward's.
        let xs = inputs.map { t -> Tensor in
            let leaf = t.detach()
            leaf.requiresGrad = t.requiresGrad
            return leaf
        }
        let wrt = xs.filter { $0.requiresGrad }
        let loss = { try GradMode.withGrad { square ? try f(xs).square().sum() : try f(xs).sum() } }
        let fused = try Autograd.grad(outputs: [loss()], inputs: wrt)
        let recorded = try Autograd.grad(outputs: [loss()], inputs: wrt, createGraph: true)
        for (k, (p, q)) in zip(fused, recorded).enumerated() {
            guard let p, let q else { #expect((p == nil) == (q == nil), "\(name) input \(k + 1)"); continue }
            let scale = try 1 + Double(p.absolute().amax().item())
            let diff = try Double(p.sub(q.detach()).absolute().amax().item())
            #expect(diff <= 1e-4 * scale, "\(name) input \(k + 1): recorded gradient differs by \(diff)", sourceLocation: sourceLocation)
        }
    }

    @Test func layers() throws {
        let x = try Self.u([3, 4], seed: 1), w = try Self.u([2, 4], seed: 2), b = try Self.u([2], seed: 3)
        try Self.check("linear", [x, w, b]) { try Functional.linear($0[0], weight: $0[1], bias: $0[2]) }
        let x3 = try Self.u([2, 3, 4], seed: 4)
        try Self.check("linear 3-d", [x3, w]) { try Functional.linear($0[0], weight: $0[1]) }
        let img = try Self.u([2, 2, 5, 5], seed: 5), k = try Self.u([3, 2, 3, 3], seed: 6), kb = try Self.u([3], seed: 7)
        try Self.check("conv2d", [img, k, kb]) {
            try Functional.conv2d($0[0], weight: $0[1], bias: $0[2], stride: [2], padding: [1])
        }
        try Self.check("conv2d dilated unbatched", [try Self.u([2, 5, 5], seed: 8), k]) {
            try Functional.conv2d($0[0], weight: $0[1], dilation: [2])
        }
        try Self.check("max_pool2d", [img]) { try Functional.maxPool2d($0[0], kernel: [2]) }
        try Self.check("max_pool2d padded", [img]) { try Functional.maxPool2d($0[0], kernel: [3], stride: [2], padding: [1]) }
        try Self.check("avg_pool2d", [img]) { try Functional.avgPool2d($0[0], kernel: [3], stride: [2], padding: [1]) }
        try Self.check("avg_pool2d no pad count", [img]) {
            try Functional.avgPool2d($0[0], kernel: [3], stride: [2], padding: [1], countIncludePad: false)
        }
        let g = try Self.u([4], 0.5, 1.5, seed: 9), beta = try Self.u([4], seed: 10)
        try Self.check("layer_norm", [x, g, beta], square: false) {
            try Functional.layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2]).mul($0[0])
        }
        try Self.check("layer_norm no affine", [x3], square: false) {
            try Functional.layerNorm($0[0], normalizedShape: [3, 4]).sin()
        }
        let cw = try Self.u([2], 0.5, 1.5, seed: 11), cb = try Self.u([2], seed: 12)
        try Self.check("batch_norm train", [img, cw, cb], square: false) {
            try Functional.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true).sin()
        }
        let rm = try Tensor([0.1, -0.2], shape: [2]), rv = try Tensor([0.5, 2], shape: [2])
        try Self.check("batch_norm eval", [x.detach().reshape([6, 2]).clone(), cw, cb]) { xs in
            try Functional.batchNorm(xs[0], runningMean: rm, runningVar: rv, weight: xs[1], bias: xs[2], training: false)
        }
        let table = try Self.u([5, 3], seed: 13), ids = try Tensor([1, 5, 5, 2], shape: [2, 2])
        try Self.check("embedding", [table]) { try Functional.embedding(ids, weight: $0[0]) }
        try Self.check("dropout", [x]) { try Functional.dropout($0[0], p: 0.5, training: true, generator: Generator(seed: 3)) }
    }

    @Test func activations() throws {
        let x = try Self.u([3, 4], seed: 14)
        try Self.check("relu", [x]) { try $0[0].relu() }
        try Self.check("gelu", [x], square: false) { try $0[0].gelu() }
        try Self.check("tanh", [x], square: false) { try $0[0].tanh() }
        try Self.check("sigmoid", [x], square: false) { try $0[0].sigmoid() }
        try Self.check("softmax", [x], square: false) { try $0[0].softmax(dim: 1).mul($0[0]) }
        try Self.check("log_softmax", [x], square: false) { try $0[0].logSoftmax(dim: 1).square() }
    }

    @Test func losses() throws {
        let logits = try Self.u([4, 3], seed: 15), labels = try Tensor([1, 3, 2, 3], shape: [4])
        try Self.check("cross_entropy", [logits], square: false) { try Functional.crossEntropy($0[0], labels: labels) }
        let cw = try Tensor([0.5, 1, 2], shape: [3])
        try Self.check("cross_entropy weighted smoothed", [logits], square: false) {
            try Functional.crossEntropy($0[0], labels: labels, weight: cw, ignoreIndex: 2, labelSmoothing: 0.1, reduction: "sum")
        }
        let spatial = try Self.u([2, 3, 2, 2], seed: 16), sl = try Tensor([1, 2, 3, 1, 2, 2, 3, 1], shape: [2, 2, 2])
        try Self.check("cross_entropy spatial none", [spatial], square: false) {
            try Functional.crossEntropy($0[0], labels: sl, reduction: "none").square()
        }
        let probs = try Self.u([4, 3], 0.1, 1, seed: 17)
        try Self.check("cross_entropy soft", [logits, probs], square: false) {
            try Functional.crossEntropy($0[0], labels: $0[1], labelSmoothing: 0.2)
        }
        try Self.check("nll_loss", [logits]) { try Functional.nllLoss($0[0], labels: labels, weight: cw) }
        let p = try Self.u([6], seed: 18), t = try Self.u([6], seed: 19)
        try Self.check("mse_loss", [p, t], square: false) { try Functional.mseLoss($0[0], $0[1]) }
        try Self.check("mse_loss none", [p, t], square: false) { try Functional.mseLoss($0[0], $0[1], reduction: "none").sin() }
        try Self.check("l1_loss", [p, t]) { try Functional.l1Loss($0[0], $0[1], reduction: "sum") }
        try Self.check("huber_loss", [p, t], square: false) { try Functional.huberLoss($0[0], $0[1], delta: 0.5) }
        let q = try Self.u([6], 0.1, 0.9, seed: 20), y = try Tensor([0, 1, 1, 0, 0.5, 1], shape: [6])
        try Self.check("binary_cross_entropy", [q], square: false) { try Functional.binaryCrossEntropy($0[0], y) }
        let pw = try Tensor([2], shape: [1])
        try Self.check("bce_with_logits", [p], square: false) { try Functional.bceWithLogits($0[0], y, posWeight: pw) }
    }
}
