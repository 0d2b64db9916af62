import Testing
import Tensors
import NN

extension NNSuite {
    @Suite struct InitTests {
        @Test func fansAndGains() throws {
            let conv = try Tensor(uninitializedShape: [16, 3, 5, 5])
            #expect(try Init.fans(conv) == (75, 400))
            #expect(try Init.fans(try Tensor(uninitializedShape: [10, 784])) == (784, 10))
            #expect(errorMessage { try Init.fans(try Tensor(uninitializedShape: [5])) }?.hasPrefix("init: fan in and fan out cannot be computed") == true)
            #expect(try Init.gain("relu") == 2.0.squareRoot())
            #expect(try Init.gain("tanh") == 5.0 / 3)
            #expect(abs(try Init.gain("leaky_relu", param: 5.0.squareRoot()) - (1.0 / 3).squareRoot()) < 1e-12)
            #expect(errorMessage { try Init.gain("swish") }?.hasPrefix("init: unsupported nonlinearity \"swish\"") == true)
        }

        @Test func uniformRulesStayInBoundsAndFillThem() throws {
            let w = try Tensor(uninitializedShape: [200, 300])
            try Init.xavierUniform_(w, generator: Generator(seed: 1))
            let xb = Float((6.0 / 500).squareRoot())
            #expect(w.toArray().allSatisfy { abs($0) <= xb })
            #expect(w.toArray().max()! > 0.95 * xb)
            try Init.kaimingUniform_(w, mode: "fan_out", nonlinearity: "relu", generator: Generator(seed: 2))
            let kb = Float(3.0.squareRoot() * 2.0.squareRoot() / 200.0.squareRoot())
            #expect(w.toArray().allSatisfy { abs($0) <= kb })
            #expect(w.toArray().max()! > 0.95 * kb)
            // PyTorch's nn.Linear default: everything within 1/sqrt(fan_in).
            let b = try Tensor(uninitializedShape: [200])
            try Init.defaultLinear_(weight: w, bias: b, generator: Generator(seed: 3))
            let lb = Float(1 / 300.0.squareRoot())
            #expect(w.toArray().allSatisfy { abs($0) <= lb } && b.toArray().allSatisfy { abs($0) <= lb })
            #expect(w.toArray().max()! > 0.95 * lb)
        }

        @Test func normalRulesHaveTheRightSpread() throws {
            let w = try Tensor(uninitializedShape: [400, 250])
            try Init.kaimingNormal_(w, nonlinearity: "relu", generator: Generator(seed: 4))
            let v = w.toArray().map(Double.init)
            let std = (v.map { $0 * $0 }.reduce(0, +) / Double(v.count)).squareRoot()
            #expect(abs(std - (2.0 / 250).squareRoot()) < 0.01 * std * 3)
            try Init.xavierNormal_(w, gain: 2, generator: Generator(seed: 5))
            let u = w.toArray().map(Double.init)
            let std2 = (u.map { $0 * $0 }.reduce(0, +) / Double(u.count)).squareRoot()
            #expect(abs(std2 - 2 * (2.0 / 650).squareRoot()) < 0.01 * std2 * 3)
        }

        @Test func deterministicAndWorksOnStridedViews() throws {
            let a = try Tensor(uninitializedShape: [4, 6]), b = try Tensor(uninitializedShape: [4, 6])
            try Init.normal_(a, mean: 1, std: 2, generator: Generator(seed: 9))
            try Init.normal_(b, mean: 1, std: 2, generator: Generator(seed: 9))
            #expect(a.toArray() == b.toArray())
            // The transpose of a [4, 6] buffer: zeros_ must reach every element through the strides.
            let t = Tensor(storage: a.storage, shape: [6, 4], strides: [1, 6], offset: 0)
            try Init.zeros_(t)
            #expect(a.toArray().allSatisfy { $0 == 0 })
            try Init.uniform_(t, from: 2, to: 3, generator: Generator(seed: 1))
            #expect(a.toArray().allSatisfy { $0 >= 2 && $0 < 3 })
            #expect(errorMessage { try Init.kaimingUniform_(a, mode: "fan_avg") } == "init: mode must be \"fan_in\" or \"fan_out\", got \"fan_avg\"")
        }
    }
}

extension NNSuite {
    @Suite struct GradClipTests {
        func params() throws -> [Tensor] {
            let p1 = try tensor([0, 0], [2]), p2 = try tensor([0], [1]), p3 = try tensor([0], [1])
            p1.grad = try tensor([3, 0], [2])
            p2.grad = try tensor([-4], [1])
            return [p1, p2, p3]   // p3 has no gradient and is skipped
        }

        @Test func clipGradNormScalesAllGradients() throws {
            let ps = try params()
            let total = try GradClip.clipGradNorm_(ps, maxNorm: 1)
            #expect(total == 5)
            let c = Float(1 / (5 + 1e-6))
            #expect(close(ps[0].grad!.toArray(), [3 * c, 0]) && close(ps[1].grad!.toArray(), [-4 * c]))
            // Below the limit nothing changes.
            let qs = try params()
            #expect(try GradClip.clipGradNorm_(qs, maxNorm: 10) == 5)
            #expect(qs[0].grad!.toArray() == [3, 0])
            // Infinity and 1 norms.
            let rs = try params()
            #expect(try GradClip.clipGradNorm_(rs, maxNorm: 2, normType: .infinity) == 4)
            #expect(close(rs[1].grad!.toArray(), [-4 * Float(2 / (4 + 1e-6))]))
            #expect(abs(try GradClip.clipGradNorm_(try params(), maxNorm: 100, normType: 1) - 7) < 1e-9)
        }

        @Test func clipGradValueClamps() throws {
            let ps = try params()
            try GradClip.clipGradValue_(ps, value: 2)
            #expect(ps[0].grad!.toArray() == [2, 0] && ps[1].grad!.toArray() == [-2])
            #expect(errorMessage { try GradClip.clipGradValue_(ps, value: -1) } == "clip_grad_value_: expected clip_value >= 0, got -1.0")
        }
    }
}
