import Tensors

/// A pass that also sums two per-element quantities (LAMB's ‖θ‖² and ‖u‖², NovoGrad's ‖g‖²):
/// `reduce(i, n)` may update state like a `LaneKernel` and returns the two contributions of
/// elements i..<i+n (missing lanes must be 0). Chunks are those of `Parallel.forEachChunk`,
/// summed in Double and combined in chunk order, so the sums do not depend on the thread count.
protocol LaneReduction {
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes)
}

extension LaneReduction {
    /// Runs the pass over `count` elements and returns the two sums.
    func sums(count: Int) -> (Double, Double) {
        if count <= 0 { return (0, 0) }
        let chunk = Parallel.defaultChunk
        let chunks = (count + chunk - 1) / chunk
        if chunks == 1 { return sums(range: 0..<count) }
        var parts = [Double](repeating: 0, count: 2 * chunks)
        parts.withUnsafeMutableBufferPointer { out in
            let out = out
            Parallel.forEachChunk(count: count, chunk: chunk) { r in
                let (a, b) = self.sums(range: r)
                let k = r.lowerBound / chunk
                out[2 * k] = a
                out[2 * k + 1] = b
            }
        }
        var a = 0.0, b = 0.0
        for k in 0..<chunks { a += parts[2 * k]; b += parts[2 * k + 1] }
        return (a, b)
    }

    /// One chunk, out of line for the same reason as `LaneKernel.run(range:)`.
    @inline(never)
    func sums(range r: Range<Int>) -> (Double, Double) {
        var a = SIMD8<Double>(repeating: 0), b = SIMD8<Double>(repeating: 0)
        var i = r.lowerBound
        let full = r.lowerBound + (r.count / laneCount) * laneCount
        while i < full {
            let (x, y) = reduce(i, laneCount)
            a += SIMD8<Double>(x); b += SIMD8<Double>(y)
            i += laneCount
        }
        if i < r.upperBound {
            let (x, y) = reduce(i, r.upperBound - i)
            a += SIMD8<Double>(x); b += SIMD8<Double>(y)
        }
        return (a.sum(), b.sum())
    }
}

/// Lanes with the first `n` kept and the rest zeroed (reductions over a partial block).
@inline(__always)
func lanesMasked(_ x: Lanes, _ n: Int) -> Lanes {
    n == laneCount ? x : Lanes(repeating: 0).replacing(with: x, where: SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(n))
}

/// OptionSpec check for a triple of numbers in [0, 1) (Adan's and AdEMAMix's betas).
let betaTriple: @Sendable (OptionValue) -> String? = { v in
    if case .triple(let a, let b, let c) = v, [a, b, c].allSatisfy({ $0 >= 0 && $0 < 1 }) { return nil }
    return "three numbers in [0, 1)"
}

/// A copy of `param`'s values as a new state buffer (MADGRAD's x0, schedule-free's z).
func copyBuffer(_ state: ParamState, _ name: String, from param: Tensor) throws {
    state.buffers[name] = try cloneData(param)
}
