import Testing
import Tensors
import NN

extension NNSuite {
    /// descent's own kernels split work over threads in fixed chunks: results must be
    /// bit-identical for any thread count. Sizes are chosen to span several chunks.
    @Suite struct ThreadingTests {
        /// Forward values and input gradients of `f`, with `threads` threads.
        func run(threads: Int, _ x: Tensor, _ f: (Tensor) throws -> Tensor) throws -> ([Float], [Float]) {
            let saved = Parallel.threads
            Parallel.threads = threads
            defer { Parallel.threads = saved }
            let y = try f(x)
            let g = try analyticGrads(y, try randomTensor(y.shape, seed: 42), [x])[0]
            return (y.toArray(), g?.toArray() ?? [])
        }

        func expectSameForAnyThreadCount(
            _ what: String, _ x: Tensor, _ f: (Tensor) throws -> Tensor
        ) throws {
            let one = try run(threads: 1, x, f), two = try run(threads: 2, x, f)
            // Compared outside #expect, which would print a million floats on failure.
            let sameValues = one.0 == two.0, sameGrads = one.1 == two.1
            #expect(sameValues, "\(what): values differ between 1 and 2 threads")
            #expect(sameGrads, "\(what): gradients differ between 1 and 2 threads")
            #expect(!one.1.isEmpty)
        }

        @Test func deterministicAcrossThreadCounts() throws {
            let img = try randomTensor([8, 16, 32, 32], seed: 1, grad: true)
            try expectSameForAnyThreadCount("max_pool2d", img) { try Functional.maxPool2d($0, kernel: [2]) }
            try expectSameForAnyThreadCount("avg_pool2d", img) { try Functional.avgPool2d($0, kernel: [3], stride: [2]) }
            try expectSameForAnyThreadCount("batch_norm", img) {
                try Functional.batchNorm($0, runningMean: nil, runningVar: nil, training: true)
            }
            let rows = try randomTensor([2048, 64], seed: 3, grad: true)
            try expectSameForAnyThreadCount("layer_norm", rows) { try Functional.layerNorm($0, normalizedShape: [64]) }
            let logits = try randomTensor([10000, 10], seed: 4, grad: true)
            let labels = try Tensor((0..<10000).map { Float($0 % 10 + 1) }, shape: [10000])
            try expectSameForAnyThreadCount("cross_entropy", logits) { try Functional.crossEntropy($0, labels: labels) }
        }

        /// Matrix products run OpenBLAS single-threaded on panels fixed by the shape (BLAS.swift),
        /// and conv2d sums its weight gradient in a fixed number of sample blocks.
        @Test func productsAndConvolutionsDeterministic() throws {
            let img = try randomTensor([10, 16, 14, 14], seed: 5, grad: true)
            let w = try randomTensor([32, 16, 5, 5], seed: 6, grad: true)
            // 100 outputs per sample: conv2d's per-sample strategy; 4 outputs: the grouped one.
            try expectSameForAnyThreadCount("conv2d input", img) { try Functional.conv2d($0, weight: w) }
            try expectSameForAnyThreadCount("conv2d weight", w) { try Functional.conv2d(img, weight: $0) }
            try expectSameForAnyThreadCount("conv2d strided", w) { try Functional.conv2d(img, weight: $0, stride: [4]) }
            let a = try randomTensor([300, 500], seed: 7, grad: true), b = try randomTensor([500, 400], seed: 8)
            try expectSameForAnyThreadCount("matmul", a) { try $0.matmul(b) }
            // A weight gradient: C [64, 96], K = 2048 rows of batch, split along K (BLAS.splitDepth).
            let x = try randomTensor([2048, 96], seed: 9), lw = try randomTensor([64, 96], seed: 10, grad: true)
            try expectSameForAnyThreadCount("linear weight (K split)", lw) { try Functional.linear(x, weight: $0) }
        }

        /// The K split's partial sums, added in slice order, agree with one product over all of K.
        @Test func depthSplitAgreesWithOneProduct() throws {
            #expect(BLAS.depthChunkCount(panels: 1, m: 64, n: 96, k: 2048) == 8)
            #expect(BLAS.depthChunkCount(panels: 8, m: 2048, n: 96, k: 64) == 1)
            let a = try randomTensor([2048, 64], seed: 11), b = try randomTensor([2048, 96], seed: 12)
            let c = try Tensor(uninitializedShape: [64, 96]), reference = try Tensor(uninitializedShape: [64, 96])
            try BLAS.sgemm(transA: true, transB: false, m: 64, n: 96, k: 2048, a.pointer, lda: 64, b.pointer, ldb: 96,
                           beta: 0, c.pointer, ldc: 96)
            BLAS.sgemm(transA: true, transB: false, m: 64, n: 96, k: 2048, a.pointer, lda: 64, b.pointer, ldb: 96,
                       beta: 0, reference.pointer, ldc: 96, parallel: false)
            let worst = zip(c.toArray(), reference.toArray()).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-3, "largest difference \(worst)")
            // beta = 1 accumulates onto C once (slice 0 carries it).
            try BLAS.sgemm(transA: true, transB: false, m: 64, n: 96, k: 2048, a.pointer, lda: 64, b.pointer, ldb: 96,
                           beta: 1, c.pointer, ldc: 96)
            let doubled = zip(c.toArray(), reference.toArray()).map { abs($0 - 2 * $1) }.max() ?? .infinity
            #expect(doubled < 2e-3, "largest difference \(doubled)")
        }
    }
}
