import Testing
import Tensors
@testable import NN

extension NNSuite {
    /// `recurrentLayer` runs its time loops in blocks of batch rows (two from 32 rows up), each
    /// block concurrently on its own thread: the blocks must give the layer's exact function and
    /// the same bits for any thread count.
    @Suite struct RecurrentBlocksTests {
        /// One layer's inputs (6 steps, hidden size 5): xp, W_hh, b_hh, h0 requiring gradients,
        /// and c0 for an LSTM. The GRU runs reversed, so both directions are covered.
        struct Inputs {
            let xp, w, bias, h0: Tensor
            let c0: Tensor?
            var differentiable: [Tensor] { [xp, w, bias, h0] }

            init(_ kind: Functional.RecurrentKind, batch: Int) throws {
                let t = 6, h = 5, g = kind.gates
                xp = try randomTensor([t, batch, g * h], seed: 1, grad: true)
                w = try randomTensor([g * h, h], seed: 2, grad: true, scale: 0.5)
                bias = try randomTensor([g * h], seed: 3, grad: true)
                h0 = try randomTensor([batch, h], seed: 4, grad: true)
                c0 = kind == .lstm ? try randomTensor([batch, h], seed: 5) : nil
            }
        }

        /// Output, and gradients of xp, W_hh, b_hh and h0, for a random upstream gradient.
        func run(_ kind: Functional.RecurrentKind, batch: Int, threads: Int) throws -> [[Float]] {
            let saved = Parallel.threads
            Parallel.threads = threads
            defer { Parallel.threads = saved }
            let x = try Inputs(kind, batch: batch)
            let y = try Functional.recurrentLayer(kind, xp: x.xp, wHH: x.w, bHH: x.bias, h0: x.h0, c0: x.c0, reverse: kind == .gru)
            let grads = try analyticGrads(y, try randomTensor(y.shape, seed: 6), x.differentiable)
            return [y.toArray()] + grads.map { $0?.toArray() ?? [] }
        }

        @Test(arguments: [Functional.RecurrentKind.lstm, .gru, .rnnTanh])
        func blocksAreExactAndThreadCountIndependent(_ kind: Functional.RecurrentKind) throws {
            #expect(Functional.recurrentRowBlock(31) == 31)
            #expect(Functional.recurrentRowBlock(32) == 16)
            #expect(Functional.recurrentRowBlock(33) == 17)   // blocks of 17 and 16 rows
            for batch in [33, 40] {
                let one = try run(kind, batch: batch, threads: 1), two = try run(kind, batch: batch, threads: 2)
                #expect(one == two, "\(kind) batch \(batch): 1 and 2 threads differ")
                // Against the same layer written step by step with recorded ops (no blocks).
                let x = try Inputs(kind, batch: batch)
                let y = try Functional.recurrentComposite(kind, xp: x.xp, wHH: x.w, bHH: x.bias, h0: x.h0, c0: x.c0, reverse: kind == .gru)
                try y.mul(try randomTensor(y.shape, seed: 6)).sum().backward()
                let reference = [y.toArray()] + x.differentiable.map { $0.grad?.toArray() ?? [] }
                for (got, want) in zip(one, reference) {
                    #expect(got.count == want.count && !got.isEmpty)
                    let worst = zip(got, want).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
                    #expect(worst < 1e-5, "\(kind) batch \(batch): worst difference \(worst) from the step-by-step layer")
                }
            }
        }
    }
}
