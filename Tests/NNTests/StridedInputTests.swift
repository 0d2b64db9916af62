import Testing
import Tensors
import NN

extension NNSuite {
    /// Every op must accept strided views (transposes) and give the same values and gradients as
    /// on a contiguous copy; this also catches backward closures that outlive a temporary copy.
    @Suite struct StridedInputTests {
        /// A transposed view of a fresh `[shape[1], shape[0], rest...]` buffer, with `shape`.
        func stridedView(_ shape: [Int], seed: UInt64) throws -> Tensor {
            var baseShape = shape
            baseShape.swapAt(0, 1)
            let base = try randomTensor(baseShape, seed: seed)
            var strides = Tensor.rowMajorStrides(baseShape)
            strides.swapAt(0, 1)
            let view = Tensor(storage: base.storage, shape: shape, strides: strides, offset: 0)
            view.requiresGrad = true
            return view
        }

        func expectSame(_ what: String, _ shape: [Int], _ f: (Tensor) throws -> Tensor) throws {
            let view = try stridedView(shape, seed: 11)
            #expect(!view.isContiguous)
            let copy = try Tensor(view.toArray(), shape: shape)
            copy.requiresGrad = true
            let a = try f(view), b = try f(copy)
            let g = try randomTensor(a.shape, seed: 12)
            let ga = try analyticGrads(a, g, [view])[0]?.toArray(), gb = try analyticGrads(b, g, [copy])[0]?.toArray()
            let same = a.toArray() == b.toArray() && ga != nil && ga == gb
            #expect(same, "\(what): strided input differs from its contiguous copy")
        }

        @Test func everyOpAcceptsStridedViews() throws {
            let w = try randomTensor([3, 4], seed: 1)
            try expectSame("linear", [5, 4]) { try Functional.linear($0, weight: w) }
            let k = try randomTensor([2, 3, 3, 3], seed: 2)
            try expectSame("conv2d", [2, 3, 5, 5]) { try Functional.conv2d($0, weight: k, padding: [1]) }
            try expectSame("max_pool2d", [2, 3, 4, 4]) { try Functional.maxPool2d($0, kernel: [2]) }
            try expectSame("avg_pool2d", [2, 3, 4, 4]) { try Functional.avgPool2d($0, kernel: [2]) }
            try expectSame("batch_norm", [4, 3, 2]) { try Functional.batchNorm($0, runningMean: nil, runningVar: nil, training: true) }
            try expectSame("layer_norm", [4, 3, 2]) { try Functional.layerNorm($0, normalizedShape: [3, 2]) }
            try expectSame("dropout", [4, 6]) { try Functional.dropout($0, p: 0.5, generator: Generator(seed: 1)) }
            let labels = try tensor([1, 3, 2, 2, 1], [5])
            try expectSame("cross_entropy", [5, 3]) { try Functional.crossEntropy($0, labels: labels, reduction: "none") }
            let probs = try tensor([0.2, 0.3, 0.5, 1, 0, 0, 0, 1, 0, 0.5, 0.5, 0, 0.1, 0.1, 0.8], [5, 3])
            try expectSame("cross_entropy (probabilities)", [5, 3]) { try Functional.crossEntropy($0, labels: probs) }
            try expectSame("nll_loss", [5, 3]) { try Functional.nllLoss($0, labels: labels) }
            let target = try randomTensor([5, 3], seed: 3)
            try expectSame("mse_loss", [5, 3]) { try Functional.mseLoss($0, target) }
            try expectSame("bce_with_logits", [5, 3]) { try Functional.bceWithLogits($0, probs) }
            let table = try stridedView([6, 4], seed: 4)
            let e = try Functional.embedding(try tensor([2, 6, 1], [3]), weight: table)
            #expect(e.toArray() == [Array(table.toArray()[4..<8]), Array(table.toArray()[20..<24]), Array(table.toArray()[0..<4])].flatMap { $0 })
        }
    }
}
