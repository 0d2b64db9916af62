import Testing
import Tensors
import NN

extension NNSuite {
    @Suite struct LayerTests {
        @Test func batchNormTrainingMatchesPyTorch() throws {
            let x = try tensor([1, 2, 3, 6, 5, 1], [3, 2])
            let rm = try tensor([0, 1], [2]), rv = try tensor([1, 2], [2])
            let y = try Functional.batchNorm(x, runningMean: rm, runningVar: rv, weight: try tensor([2, 1], [2]),
                                             bias: try tensor([0, 1], [2]), training: true, momentum: 0.1)
            #expect(close(y.toArray(), [-2.449485, 0.53709, 0, 2.388729, 2.449485, 0.074181], atol: 1e-5))
            #expect(close(rm.toArray(), [0.3, 1.2]))
            #expect(close(rv.toArray(), [1.3, 2.5]))
            let e = try Functional.batchNorm(x, runningMean: rm, runningVar: rv, training: false)
            #expect(close(e.toArray(), [0.613938, 0.505963, 2.368048, 3.03578, 4.122157, -0.126491]))
        }

        @Test func batchNormGradients() throws {
            let x = try randomTensor([3, 2, 2, 3], seed: 1, grad: true)
            let w = try randomTensor([2], seed: 2, grad: true), b = try randomTensor([2], seed: 3, grad: true)
            let rm = try Tensor([0, 0], shape: [2]), rv = try Tensor([1, 1], shape: [2])
            try checkGradients([x, w, b], h: 1e-3) {
                try Functional.batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: true)
            }
            try checkGradients([x, w, b], h: 1e-3) {
                try Functional.batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
            }
            let x2 = try randomTensor([4, 3], seed: 4, grad: true)
            try checkGradients([x2], h: 1e-3) { try Functional.batchNorm($0[0], runningMean: nil, runningVar: nil, training: true) }
            #expect(errorMessage { try Functional.batchNorm(try randomTensor([1, 3], seed: 1), runningMean: nil, runningVar: nil, training: true) }
                    == "batch_norm: expected more than 1 value per channel when training, got input of shape [1, 3]")
            #expect(errorMessage { try Functional.batchNorm(x2, runningMean: rm, runningVar: rv, training: true) }
                    == "batch_norm: expected running_mean of shape [3], got shape [2]")
        }

        @Test func layerNorm() throws {
            let x = try tensor([1, 2, 4, 0, 0, 3], [2, 3])
            let y = try Functional.layerNorm(x, normalizedShape: [3], weight: try tensor([1, 2, 3], [3]), bias: try tensor([0, 0, 1], [3]))
            #expect(close(y.toArray(), [-1.069041, -0.534521, 5.008905, -0.707105, -1.41421, 5.24263], atol: 1e-5))
            let r = try randomTensor([2, 3, 4], seed: 5, grad: true)
            let w = try randomTensor([3, 4], seed: 6, grad: true), b = try randomTensor([3, 4], seed: 7, grad: true)
            try checkGradients([r, w, b], h: 1e-3) { try Functional.layerNorm($0[0], normalizedShape: [3, 4], weight: $0[1], bias: $0[2]) }
            try checkGradients([r], h: 1e-3) { try Functional.layerNorm($0[0], normalizedShape: [4]) }
            #expect(errorMessage { try Functional.layerNorm(r, normalizedShape: [3]) }
                    == "layer_norm: expected input with trailing dimensions [3], got shape [2, 3, 4]")
        }

        @Test func dropoutIsDeterministicInvertedAndOffInEval() throws {
            let x = try Tensor([Float](repeating: 1, count: 1000), shape: [10, 100])
            let a = try Functional.dropout(x, p: 0.3, training: true, generator: Generator(seed: 7)).toArray()
            let b = try Functional.dropout(x, p: 0.3, training: true, generator: Generator(seed: 7)).toArray()
            #expect(a == b)
            let kept = a.filter { $0 != 0 }
            #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
            #expect(kept.count > 620 && kept.count < 780)
            #expect(try Functional.dropout(x, p: 0.3, training: false) === x)
            #expect(try Functional.dropout(x, p: 1, training: true).toArray().allSatisfy { $0 == 0 })
            let r = try randomTensor([3, 4], seed: 1, grad: true)
            try checkGradients([r]) { try Functional.dropout($0[0], p: 0.5, training: true, generator: Generator(seed: 3)) }
            #expect(errorMessage { try Functional.dropout(x, p: 1.5) } == "dropout: expected p in [0, 1], got 1.5")
        }

        @Test func embedding() throws {
            let w = try tensor([1, 2, 3, 4, 5, 6], [3, 2], grad: true)
            let idx = try tensor([3, 1, 3, 2], [2, 2])
            let e = try Functional.embedding(idx, weight: w)
            #expect(e.shape == [2, 2, 2])
            #expect(e.toArray() == [5, 6, 1, 2, 5, 6, 3, 4])
            let g = try tensor([1, 1, 2, 2, 3, 3, 4, 4], [2, 2, 2])
            #expect(try analyticGrads(e, g, [w])[0]?.toArray() == [2, 2, 4, 4, 4, 4])
            #expect(errorMessage { try Functional.embedding(try tensor([1, 4], [2]), weight: w) }
                    == "embedding: index 4 out of range 1..3 at position 2")
        }
    }
}
