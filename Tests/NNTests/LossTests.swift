import Testing
import Tensors
import NN
import Foundation

/// Reference values below come from PyTorch 2.13 (torch.nn.functional) on the same inputs.
extension NNSuite {
    @Suite struct LossTests {
        let logits: [Float] = [1, 2, 0.5, -1, 0, 3, 0.2, 0.2, 0.2, 5, -5, 0]
        let labels: [Float] = [2, 3, 1, 1]

        func crossEntropy(_ reduction: String = "mean", weight: [Float]? = nil, ignore: Int? = nil,
                          smoothing: Double = 0) throws -> (loss: [Float], grad: [Float]) {
            let z = try tensor(logits, [4, 3], grad: true)
            let w = try weight.map { try tensor($0, [3]) }
            let l = try Functional.crossEntropy(z, labels: try tensor(labels, [4]), weight: w, ignoreIndex: ignore,
                                                labelSmoothing: smoothing, reduction: reduction)
            let ones = try Tensor([Float](repeating: 1, count: l.count), shape: l.shape)
            return (l.toArray(), try analyticGrads(l, ones, [z])[0]?.toArray() ?? [])
        }

        @Test func crossEntropyMatchesPyTorch() throws {
            let mean = try crossEntropy()
            #expect(close(mean.loss, [0.408906]))
            #expect(close(mean.grad, [0.057806, -0.092867, 0.035061, 0.004287, 0.011653, -0.01594,
                                      -0.166667, 0.083333, 0.083333, -0.001684, 1.1e-05, 0.001673], atol: 2e-6))
            #expect(close(try crossEntropy("sum").loss, [1.635625]))
            let none = try crossEntropy("none")
            #expect(close(none.loss, [0.464369, 0.065884, 1.098612, 0.00676]))
            #expect(close(none.grad, [0.231224, -0.371468, 0.140244, 0.017148, 0.046613, -0.06376,
                                      -0.666667, 0.333333, 0.333333, -0.006738, 4.5e-05, 0.006693], atol: 2e-6))
            let weighted = try crossEntropy(weight: [1, 2, 0.5])
            #expect(close(weighted.loss, [0.459345]))
            #expect(close(weighted.grad, [0.102766, -0.165097, 0.062331, 0.001905, 0.005179, -0.007084,
                                          -0.148148, 0.074074, 0.074074, -0.001497, 1e-05, 0.001487], atol: 2e-6))
            let smooth = try crossEntropy(smoothing: 0.1)
            #expect(close(smooth.loss, [0.613073]))
            #expect(close(smooth.grad, [0.049473, -0.0762, 0.026728, -0.004046, 0.00332, 0.000727,
                                        -0.15, 0.075, 0.075, 0.014982, -0.008322, -0.00666], atol: 2e-6))
            let all = try crossEntropy(weight: [1, 2, 0.5], ignore: 1, smoothing: 0.2)
            #expect(close(all.loss, [0.670561]))
            #expect(close(all.grad, [0.142898, -0.23241, 0.089513, -0.022323, -0.041525, 0.063847,
                                     0, 0, 0, 0, 0, 0], atol: 2e-6))
        }

        @Test func crossEntropyWithProbabilitiesMatchesPyTorch() throws {
            func run(_ reduction: String = "mean", weight: [Float]? = nil, smoothing: Double = 0) throws -> [[Float]] {
                let z = try tensor([1, 2, 0.5, -1, 0, 3], [2, 3], grad: true)
                let y = try tensor([0.2, 0.7, 0.1, 0, 0.5, 0.5], [2, 3], grad: true)
                let l = try Functional.crossEntropy(z, labels: y, weight: try weight.map { try tensor($0, [3]) },
                                                    labelSmoothing: smoothing, reduction: reduction)
                let ones = try Tensor([Float](repeating: 1, count: l.count), shape: l.shape)
                let g = try analyticGrads(l, ones, [z, y])
                return [l.toArray(), g[0]?.toArray() ?? [], g[1]?.toArray() ?? []]
            }
            let mean = try run()
            #expect(close(mean[0], [1.190126]))
            #expect(close(mean[1], [0.015612, -0.035734, 0.020122, 0.008574, -0.226694, 0.21812], atol: 2e-6))
            #expect(close(mean[2], [0.732184, 0.232184, 0.982184, 2.032942, 1.532942, 0.032942], atol: 2e-6))
            let none = try run("none")
            #expect(close(none[0], [0.814369, 1.565884]))
            #expect(close(none[1], [0.031224, -0.071468, 0.040244, 0.017148, -0.453387, 0.43624], atol: 2e-6))
            let both = try run(weight: [1, 2, 0.5], smoothing: 0.1)
            #expect(close(both[0], [2.082368]))
            #expect(close(both[1], [0.078505, -0.159984, 0.081479, -0.006021, -0.454395, 0.460415], atol: 2e-6))
            #expect(close(both[2], [0.658966, 0.417932, 0.441983, 1.829648, 2.759295, 0.014824], atol: 2e-6))
            let z = try randomTensor([2, 3, 2], seed: 1, grad: true), q = try randomTensor([2, 3, 2], seed: 2, grad: true)
            try checkGradients([z, q]) { try Functional.crossEntropy($0[0], labels: $0[1], reduction: "none") }
        }

        @Test func crossEntropyIsStableAndSpatial() throws {
            let big = try Functional.crossEntropy(try tensor([1000, 0, -1000], [1, 3]), labels: try tensor([2], [1]))
            #expect(big.toArray() == [1000])
            // [N, K, L] logits with [N, L] labels equal the [N·L, K] form.
            let z = try randomTensor([2, 3, 4], seed: 1, grad: true)
            let y = try tensor([1, 2, 3, 1, 3, 3, 2, 1], [2, 4])
            try checkGradients([z]) { try Functional.crossEntropy($0[0], labels: y, reduction: "none") }
            try checkGradients([z]) { try Functional.crossEntropy($0[0], labels: y, labelSmoothing: 0.3) }
            let zv = z.toArray()
            var rows = [Float]()
            for n in 0..<2 { for l in 0..<4 { for k in 0..<3 { rows.append(zv[(n * 3 + k) * 4 + l]) } } }
            let flat = try Functional.crossEntropy(try tensor(rows, [8, 3]), labels: try tensor(y.toArray(), [8]))
            #expect(close(try Functional.crossEntropy(z, labels: y).toArray(), flat.toArray()))
            // Unbatched [K] logits with one label.
            #expect(close(try Functional.crossEntropy(try tensor([1, 2, 0.5], [3]), labels: try tensor([2], [])).toArray(),
                          [0.464369]))
        }

        @Test func crossEntropyErrors() throws {
            let z = try randomTensor([4, 10], seed: 1)
            #expect(errorMessage { try Functional.crossEntropy(z, labels: try tensor([1, 2, 12, 4], [4])) }
                    == "cross_entropy: label 12 out of range 1..10 at position 3")
            #expect(errorMessage { try Functional.crossEntropy(z, labels: try tensor([0, 2, 3, 4], [4])) }
                    == "cross_entropy: label 0 out of range 1..10 at position 1")
            #expect(errorMessage { try Functional.crossEntropy(z, labels: try tensor([1, 2.5, 3, 4], [4])) }
                    == "cross_entropy: label 2.5 at position 2 is not an integer")
            #expect(errorMessage { try Functional.crossEntropy(z, labels: try tensor([1, 2, 3, 4], [4, 1])) }
                    == "cross_entropy: expected labels of shape [4] for input of shape [4, 10], got shape [4, 1]")
            #expect(errorMessage { try Functional.crossEntropy(z, labels: try tensor([1, 2, 3, 4], [4]), reduction: "avg") }
                    == "cross_entropy: reduction must be \"mean\", \"sum\" or \"none\", got \"avg\"")
        }

        @Test func nllLossMatchesCrossEntropyOnLogSoftmax() throws {
            // log-softmax of the rows by hand, then NLL equals cross-entropy.
            var logp = [Float]()
            for r in 0..<4 {
                let row = logits[(r * 3)..<(r * 3 + 3)]
                let m = row.max()!, lse = m + Float(log(Double(row.map { exp(Double($0 - m)) }.reduce(0, +))))
                logp += row.map { $0 - lse }
            }
            let lp = try tensor(logp, [4, 3], grad: true)
            #expect(close(try Functional.nllLoss(lp, labels: try tensor(labels, [4])).toArray(), [0.408906]))
            let w = try tensor([1, 2, 0.5], [3])
            #expect(close(try Functional.nllLoss(lp, labels: try tensor(labels, [4]), weight: w).toArray(), [0.459345]))
            try checkGradients([lp]) { try Functional.nllLoss($0[0], labels: try tensor(labels, [4]), weight: w, ignoreIndex: 3) }
            #expect(errorMessage { try Functional.nllLoss(lp, labels: try tensor([1, 2, 3, 4], [4])) }
                    == "nll_loss: label 4 out of range 1..3 at position 4")
        }

        @Test func regressionLosses() throws {
            let x = try tensor([0, 0.5, 2, -3], [4], grad: true), t = try tensor([1, 0, 0, 0], [4], grad: true)
            #expect(close(try Functional.huberLoss(x, t, delta: 1.5, reduction: "none").toArray(), [0.5, 0.125, 1.875, 3.375]))
            #expect(close(try Functional.huberLoss(x, t).toArray(), [1.15625]))
            #expect(close(try Functional.mseLoss(x, t).toArray(), [(1 + 0.25 + 4 + 9) / 4]))
            #expect(close(try Functional.l1Loss(x, t, reduction: "sum").toArray(), [6.5]))
            let a = try randomTensor([3, 2], seed: 1, grad: true), b = try randomTensor([3, 2], seed: 2, grad: true)
            try checkGradients([a, b]) { try Functional.mseLoss($0[0], $0[1], reduction: "none") }
            try checkGradients([a, b]) { try Functional.mseLoss($0[0], $0[1]) }
            try checkGradients([a, b]) { try Functional.l1Loss($0[0], $0[1], reduction: "sum") }
            try checkGradients([a, b], h: 1e-3) { try Functional.huberLoss($0[0], $0[1], delta: 0.7) }
            #expect(errorMessage { try Functional.mseLoss(a, try randomTensor([6], seed: 1)) }
                    == "mse_loss: input shape [3, 2] and target shape [6] differ")
            #expect(errorMessage { try Functional.huberLoss(a, b, delta: 0) } == "huber_loss: expected delta > 0, got 0.0")
        }

        @Test func binaryLosses() throws {
            let p = try tensor([0.1, 0.9, 0.5, 0, 1], [5]), y = try tensor([0, 1, 1, 1, 0], [5])
            #expect(close(try Functional.binaryCrossEntropy(p, y, reduction: "none").toArray(),
                          [0.105361, 0.105361, 0.693147, 100, 100]))
            let z = try tensor([-30, -1, 0, 2, 40], [5])
            #expect(close(try Functional.bceWithLogits(z, y, reduction: "none").toArray(),
                          [0, 1.313262, 0.693147, 0.126928, 40]))
            let q = try tensor([0.2, 0.7, 0.4, 0.6], [4], grad: true), t = try tensor([0, 1, 0.3, 1], [4], grad: true)
            try checkGradients([q, t], h: 1e-3) { try Functional.binaryCrossEntropy($0[0], $0[1]) }
            let zl = try randomTensor([4], seed: 3, grad: true)
            try checkGradients([zl, t]) { try Functional.bceWithLogits($0[0], $0[1], reduction: "none") }
            // Weights broadcast from [2, 1], pos_weight from [3] (PyTorch 2.13 values).
            let z2 = try tensor([-2, 0.5, 3, 1, -0.5, 0], [2, 3], grad: true)
            let y2 = try tensor([0, 1, 1, 1, 0.3, 0], [2, 3], grad: true)
            let w2 = try tensor([1, 0.5], [2, 1]), pw = try tensor([2, 0.5, 3], [3])
            let l2 = try Functional.bceWithLogits(z2, y2, weight: w2, posWeight: pw, reduction: "none")
            #expect(close(l2.toArray(), [0.126928, 0.237038, 0.145762, 0.313262, 0.238983, 0.346574]))
            let g2 = try analyticGrads(l2, try Tensor([Float](repeating: 1, count: 6), shape: [2, 3]), [z2, y2])
            #expect(close(g2[0]?.toArray() ?? [], [0.119203, -0.18877, -0.142278, -0.268941, 0.085455, 0.25], atol: 2e-6))
            #expect(close(g2[1]?.toArray() ?? [], [4.126928, -0.737038, -2.902825, -0.343369, 0.006481, 0.693147], atol: 2e-6))
            let pr = try tensor([0.1, 0.5, 0.9, 0.7, 0.2, 0.4], [2, 3])
            #expect(close(try Functional.binaryCrossEntropy(pr, try tensor(y2.toArray(), [2, 3]), weight: w2, reduction: "sum").toArray(), [1.657134]))
            #expect(errorMessage { try Functional.bceWithLogits(z2, y2, posWeight: try tensor([1, 2], [2])) }
                    == "bce_with_logits: pos_weight of shape [2] cannot be broadcast to shape [2, 3]")
            #expect(errorMessage { try Functional.binaryCrossEntropy(try tensor([0.5, 1.5], [2]), try tensor([0, 1], [2])) }
                    == "binary_cross_entropy: expected input values in [0, 1], got 1.5 at position 2")
        }
    }
}
