import Foundation
import Testing
@testable import NN
import Tensors

/// Hessian-vector products by double backward against PyTorch 2.13
/// (Fixtures/hvp.json, made by scripts/reference/hvp_fixtures.py).
@Suite struct HVPFixtureTests {
    struct Case: Decodable {
        struct Values: Decodable { let shape: [Int]; let values: [Float] }
        let name: String
        let inputs: [Values]
        let v: [Values]
        let loss: Double
        let hvp: [[Double]]
    }
    struct File: Decodable { let torch: String; let cases: [Case] }

    static func load(_ name: String) -> File? {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(File.self, from: data)
    }

    /// hvp.json and hvp_recurrent.json (RNN, LSTM, GRU through the fused recurrence).
    static let file: File? = {
        guard let main = load("hvp"), let recurrent = load("hvp_recurrent") else { return nil }
        return File(torch: main.torch, cases: main.cases + recurrent.cases)
    }()

    /// One recurrent layer (T = 3, B = 2, I = 3, H = 2) as nn.RNN/LSTM/GRU run it: the input
    /// projection, then the fused recurrence; L = Σ (c·h)² over the hidden states.
    static func recurrentLoss(_ kind: Functional.RecurrentKind) -> ([Tensor]) throws -> Tensor {
        { xs in
            let g = kind.gates
            let xp = try Functional.linear(xs[0].reshape([6, 3]), weight: xs[1], bias: xs[3]).reshape([3, 2, g * 2])
            let out = try Functional.recurrentLayer(kind, xp: xp, wHH: xs[2], bHH: xs[4], h0: xs[5],
                                                    c0: kind == .lstm ? xs[6] : nil, reverse: false)
            let hs = try out.narrow(dim: 2, start: 0, length: 2).reshape([-1])
            return try hs.mul(const(hs.count)).square().sum()
        }
    }

    static var names: [String] { file?.cases.map(\.name) ?? [] }

    /// c_i = float32(scale·cos(0.7i + 0.3)), as the generator builds its constants.
    static func const(_ n: Int, _ scale: Double = 1) throws -> Tensor {
        try Tensor((0..<n).map { Float(scale * cos(0.7 * Double($0) + 0.3)) }, shape: [n])
    }

    static func activationLoss(_ act: @escaping (Tensor) throws -> Tensor) -> ([Tensor]) throws -> Tensor {
        { xs in
            let a = try act(xs[0]).reshape([-1])
            let c = try const(a.count), d = try const(a.count, 0.5)
            return try c.mul(a).sum().square().add(d.mul(a).mul(a).sum())
        }
    }

    /// The losses of the generator's cases, in descent's ops (labels 1-based).
    static func loss(_ name: String) throws -> ([Tensor]) throws -> Tensor {
        let labels = try Tensor([1, 3, 2, 3], shape: [4])
        switch name {
        case "linear_mse":
            let t = try const(6).reshape([3, 2])
            return { xs in try Functional.mseLoss(Functional.linear(xs[0], weight: xs[1], bias: xs[2]).tanh(), t) }
        case "conv2d":
            return { xs in try Functional.conv2d(xs[0], weight: xs[1], bias: xs[2], stride: [2], padding: [1]).square().mean() }
        case "conv2d_tanh_dilated":
            return { xs in try Functional.conv2d(xs[0], weight: xs[1], dilation: [2]).tanh().sum() }
        case "relu": return activationLoss { try $0.relu() }
        case "gelu": return activationLoss { try $0.gelu() }
        case "tanh": return activationLoss { try $0.tanh() }
        case "sigmoid": return activationLoss { try $0.sigmoid() }
        case "softmax": return { xs in try xs[0].softmax(dim: 1).reshape([-1]).mul(const(12)).sum() }
        case "log_softmax": return { xs in try xs[0].logSoftmax(dim: 1).reshape([-1]).mul(const(12)).square().sum() }
        case "layer_norm":
            return { xs in
                try Functional.layerNorm(xs[0], normalizedShape: [5], weight: xs[1], bias: xs[2]).reshape([-1])
                    .mul(const(15)).square().sum()
            }
        case "batch_norm":
            return { xs in
                try Functional.batchNorm(xs[0], runningMean: nil, runningVar: nil, weight: xs[1], bias: xs[2], training: true)
                    .reshape([-1]).mul(const(72)).square().sum()
            }
        case "cross_entropy": return { xs in try Functional.crossEntropy(xs[0], labels: labels) }
        case "cross_entropy_linear_weighted_smoothed":
            let w = try Tensor([0.5, 1, 2], shape: [3])
            return { xs in try Functional.crossEntropy(xs[0].matmul(xs[1].t()), labels: labels, weight: w, labelSmoothing: 0.1) }
        case "mse": return { xs in try Functional.mseLoss(xs[0].sin(), xs[1]) }
        case "max_pool2d": return { xs in try Functional.maxPool2d(xs[0], kernel: [2]).square().sum() }
        case "avg_pool2d":
            return { xs in try Functional.avgPool2d(xs[0], kernel: [3], stride: [2], padding: [1]).square().sum() }
        case "rnn_tanh": return recurrentLoss(.rnnTanh)
        case "lstm": return recurrentLoss(.lstm)
        case "gru": return recurrentLoss(.gru)
        default: throw TensorError("no formula for fixture case \(name)")
        }
    }

    @Test func fixtureFileIsPresent() {
        #expect(Self.file != nil)
        #expect(Self.names.count >= 19)
    }

    @Test(arguments: names)
    func hvpMatchesPyTorch(_ name: String) throws {
        let c = try #require(Self.file?.cases.first { $0.name == name })
        let inputs = try c.inputs.map { try Tensor($0.values, shape: $0.shape) }
        let v = try c.v.map { try Tensor($0.values, shape: $0.shape) }
        let (value, hv) = try Autograd.hvp(try Self.loss(name), inputs: inputs, v: v)
        let loss = Double(try value.item())
        #expect(abs(loss - c.loss) <= 1e-4 * max(abs(c.loss), 1), "\(name): loss \(loss) vs \(c.loss)")
        let scale = max(c.hvp.flatMap { $0 }.map(abs).max() ?? 0, 1e-6)
        for (k, (got, want)) in zip(hv, c.hvp).enumerated() {
            let g = got.toArray()
            #expect(g.count == want.count)
            let worst = zip(g, want).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * scale, "\(name): input \(k + 1): max |Δ| \(worst) vs 1e-4·\(scale)")
        }
    }
}
