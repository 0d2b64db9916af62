import Testing
import Tensors
import NN

extension NNSuite {
    /// The fused recurrence (RecurrentLayers.swift): gradients of every input by finite
    /// differences, for each kind and both directions, and its argument checks. (Values against
    /// PyTorch for whole layers: EndToEndTests/LayerFixtureTests.)
    @Suite struct RecurrentLayerTests {
        static let cases: [(Functional.RecurrentKind, Bool)] = [
            (.rnnTanh, false), (.rnnRelu, true), (.lstm, false), (.lstm, true), (.gru, false), (.gru, true),
        ]

        @Test(arguments: 0..<cases.count)
        func recurrentLayerPassesGradcheck(_ k: Int) throws {
            let (kind, reverse) = Self.cases[k]
            let (t, b, h) = (3, 2, 3), g = kind.gates
            let xp = try randomTensor([t, b, g * h], seed: 1, grad: true)
            let w = try randomTensor([g * h, h], seed: 2, grad: true, scale: 0.5)
            let bias = try randomTensor([g * h], seed: 3, grad: true)
            let h0 = try randomTensor([b, h], seed: 4, grad: true)
            let c0 = kind == .lstm ? try randomTensor([b, h], seed: 5, grad: true) : nil
            let ow = kind == .lstm ? 2 * h : h
            let weights = try randomTensor([t, b, ow], seed: 6)
            var inputs = [xp, w, bias, h0]
            if let c0 { inputs.append(c0) }
            let r = try Autograd.gradcheck({ x in
                try Functional.recurrentLayer(kind, xp: x[0], wHH: x[1], bHH: x[2], h0: x[3], c0: x.count > 4 ? x[4] : nil,
                                              reverse: reverse).mul(weights).sum()
            }, inputs: inputs)
            #expect(r.passed, "\(kind) reverse \(reverse): \(r)")
        }

        /// create_graph through the fused recurrence: its recorded backward (the step-by-step
        /// composite) is checked by second-order gradcheck, and its first-order gradient agrees
        /// with the fused kernel's.
        @Test(arguments: 0..<cases.count)
        func recurrentLayerPassesGradgradcheck(_ k: Int) throws {
            let (kind, reverse) = Self.cases[k]
            let (t, b, h) = (2, 2, 2), g = kind.gates
            let xp = try randomTensor([t, b, g * h], seed: 11, grad: true)
            let w = try randomTensor([g * h, h], seed: 12, grad: true, scale: 0.5)
            let bias = try randomTensor([g * h], seed: 13, grad: true)
            let h0 = try randomTensor([b, h], seed: 14, grad: true)
            let c0 = kind == .lstm ? try randomTensor([b, h], seed: 15, grad: true) : nil
            let ow = kind == .lstm ? 2 * h : h
            let weights = try randomTensor([t, b, ow], seed: 16)
            var inputs = [xp, w, bias, h0]
            if let c0 { inputs.append(c0) }
            let f: ([Tensor]) throws -> Tensor = { x in
                try Functional.recurrentLayer(kind, xp: x[0], wHH: x[1], bHH: x[2], h0: x[3], c0: x.count > 4 ? x[4] : nil,
                                              reverse: reverse).mul(weights).sum().square()
            }
            let r = try Autograd.gradgradcheck(f, inputs: inputs, eps: 1e-3, atol: 3e-2, rtol: 3e-2)
            #expect(r.passed, "\(kind) reverse \(reverse): \(r)")
            let leaves = inputs.map { x -> Tensor in let l = x.detach(); l.requiresGrad = true; return l }
            let fused = try Autograd.grad(outputs: [try f(leaves)], inputs: leaves)
            let recorded = try Autograd.grad(outputs: [try f(leaves)], inputs: leaves, createGraph: true)
            for (a, c) in zip(fused, recorded) {
                let diff = try #require(a).sub(try #require(c)).absolute().amax().item()
                #expect(diff < 1e-4, "\(kind): create_graph gradient differs by \(diff)")
            }
        }

        @Test func reverseRunsFromTheLastStep() throws {
            // One step of input at time 0 only: forward, it reaches every later output; reversed,
            // none (later times are processed first, from h0 = 0).
            let (t, b, h) = (3, 1, 2)
            let xp = try Tensor.zeros([t, b, h])
            xp.pointer[0] = 1
            let w = try Tensor.zeros([h, h]), h0 = try Tensor.zeros([b, h])
            let fwd = try Functional.recurrentLayer(.rnnTanh, xp: xp, wHH: w.add(1), bHH: nil, h0: h0, c0: nil, reverse: false).toArray()
            let rev = try Functional.recurrentLayer(.rnnTanh, xp: xp, wHH: w.add(1), bHH: nil, h0: h0, c0: nil, reverse: true).toArray()
            #expect(fwd[4] != 0 && rev[4] == 0 && rev[0] != 0)
        }

        @Test func argumentsAreChecked() throws {
            let xp = try Tensor.zeros([2, 1, 8]), w = try Tensor.zeros([8, 2]), h0 = try Tensor.zeros([1, 2])
            #expect(throws: TensorError.self) { try Functional.recurrentLayer(.lstm, xp: xp, wHH: w, bHH: nil, h0: h0, c0: nil, reverse: false) }
            #expect(throws: TensorError.self) { try Functional.recurrentLayer(.gru, xp: xp, wHH: w, bHH: nil, h0: h0, c0: nil, reverse: false) }
            #expect(throws: TensorError.self) {
                try Functional.recurrentLayer(.rnnTanh, xp: try Tensor.zeros([0, 1, 2]), wHH: try Tensor.zeros([2, 2]), bHH: nil, h0: h0, c0: nil, reverse: false)
            }
            #expect(throws: TensorError.self) {
                try Functional.recurrentLayer(.rnnTanh, xp: try Tensor.zeros([2, 1, 2]), wHH: try Tensor.zeros([2, 2]), bHH: nil, h0: h0, c0: h0, reverse: false)
            }
        }
    }
}
