import Testing
import Tensors
import NN

extension NNSuite {
    /// Zero-size batches reach every kernel from scripts (e.g. a final empty slice): they must
    /// give empty results (or a clear error), never a crash.
    @Suite struct EmptyInputTests {
        func empty(_ shape: [Int]) throws -> Tensor {
            let t = try Tensor(uninitializedShape: shape)
            t.requiresGrad = true
            return t
        }

        func backwardRuns(_ y: Tensor, _ x: Tensor) throws {
            let g = try Tensor([Float](repeating: 1, count: y.count), shape: y.shape)
            #expect(try analyticGrads(y, g, [x])[0]?.shape == x.shape)
        }

        @Test func emptyBatches() throws {
            let x = try empty([0, 4])
            let y = try Functional.linear(x, weight: try randomTensor([3, 4], seed: 1))
            #expect(y.shape == [0, 3])
            try backwardRuns(y, x)
            let img = try empty([0, 3, 5, 5])
            let c = try Functional.conv2d(img, weight: try randomTensor([2, 3, 3, 3], seed: 2), padding: [1])
            #expect(c.shape == [0, 2, 5, 5])
            try backwardRuns(c, img)
            // 64 outputs per sample: conv2d's per-sample path, with its input and weight gradients.
            let big = try empty([0, 3, 8, 8]), w = try randomTensor([2, 3, 3, 3], seed: 3, grad: true)
            let cb = try Functional.conv2d(big, weight: w, padding: [1])
            #expect(cb.shape == [0, 2, 8, 8])
            let gs = try analyticGrads(cb, try Tensor([], shape: [0, 2, 8, 8]), [big, w])
            #expect(gs[0]?.shape == big.shape && gs[1]?.toArray() == [Float](repeating: 0, count: 54))
            let mp = try Functional.maxPool2d(img, kernel: [2])
            #expect(mp.shape == [0, 3, 2, 2])
            try backwardRuns(mp, img)
            try backwardRuns(try Functional.avgPool2d(img, kernel: [2]), img)
            let rm = try Tensor([0, 0, 0], shape: [3]), rv = try Tensor([1, 1, 1], shape: [3])
            try backwardRuns(try Functional.batchNorm(img, runningMean: rm, runningVar: rv, training: false), img)
            #expect(errorMessage { try Functional.batchNorm(img, runningMean: rm, runningVar: rv, training: true) }?
                        .hasPrefix("batch_norm: expected more than 1 value per channel") == true)
            let noChannels = try empty([4, 0])
            try backwardRuns(try Functional.batchNorm(noChannels, runningMean: nil, runningVar: nil, training: true), noChannels)
            let ln = try Functional.layerNorm(x, normalizedShape: [4])
            try backwardRuns(ln, x)
            try backwardRuns(try Functional.dropout(x, p: 0.5), x)
            let logits = try empty([0, 3])
            let ce = try Functional.crossEntropy(logits, labels: try Tensor([], shape: [0]), reduction: "sum")
            #expect(ce.toArray() == [0])
            try backwardRuns(ce, logits)
            #expect(try Functional.crossEntropy(logits, labels: try Tensor([], shape: [0])).toArray()[0].isNaN)  // 0/0, as PyTorch
            try backwardRuns(try Functional.mseLoss(x, try Tensor([], shape: [0, 4]), reduction: "sum"), x)
            let e = try Functional.embedding(try Tensor([], shape: [0]), weight: try randomTensor([5, 2], seed: 3))
            #expect(e.shape == [0, 2])
        }
    }
}
