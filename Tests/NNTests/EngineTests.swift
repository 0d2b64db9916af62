import Testing
import Tensors
import NN

extension NNSuite {
    /// The functional ops inside real graphs, driven by the autograd engine.
    @Suite struct EngineTests {
        @Test func smallCNNPassesGradcheck() throws {
            let x = try randomTensor([2, 1, 6, 6], seed: 1, grad: true)
            let w = try randomTensor([3, 1, 3, 3], seed: 2, grad: true, scale: 0.5)
            let b = try randomTensor([3], seed: 3, grad: true)
            let fw = try randomTensor([4, 12], seed: 4, grad: true, scale: 0.3)
            let labels = try tensor([2, 4], [2])
            let result = try Autograd.gradcheck({ t in
                let c = try Functional.conv2d(t[0], weight: t[1], bias: t[2], padding: [1]).relu()
                let p = try Functional.avgPool2d(c, kernel: [3])
                let z = try Functional.linear(p.flatten(startDim: 1), weight: t[3])
                return try Functional.crossEntropy(z, labels: labels)
            }, inputs: [x, w, b, fw])
            #expect(result.passed, "\(result)")
        }

        @Test func backwardAccumulatesIntoLeaves() throws {
            let x = try randomTensor([5, 4], seed: 5)
            let w = try randomTensor([3, 4], seed: 6, grad: true), b = try randomTensor([3], seed: 7, grad: true)
            let g = try randomTensor([4], seed: 8, grad: true), beta = try randomTensor([4], seed: 9, grad: true)
            let h = try Functional.layerNorm(x, normalizedShape: [4], weight: g, bias: beta)
            let loss = try Functional.mseLoss(Functional.linear(h, weight: w, bias: b), try randomTensor([5, 3], seed: 10))
            try loss.backward()
            #expect(w.grad?.shape == [3, 4] && b.grad?.shape == [3] && g.grad?.shape == [4] && beta.grad?.shape == [4])
            let r = try Autograd.gradcheck({ t in
                let h = try Functional.layerNorm(x, normalizedShape: [4], weight: t[2], bias: t[3])
                return try Functional.mseLoss(Functional.linear(h, weight: t[0], bias: t[1]), try randomTensor([5, 3], seed: 10))
            }, inputs: [w, b, g, beta])
            #expect(r.passed, "\(r)")
        }
    }
}
