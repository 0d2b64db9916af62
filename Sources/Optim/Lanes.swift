import Tensors

/// Eight floats processed together: one AVX register in the x86-64-v3 build, two SSE registers
/// in the baseline one (4 lanes left the v3 build's divide- and compute-bound kernels at half
/// width: NAdam, AdaBelief and the 1M-parameter steps ran 1.7–3x slower; docs/performance.md).
///
/// Kernels are written on `Lanes` so that each one is explicitly a vector loop. Every lane gets
/// the same correctly rounded IEEE operations as scalar code would, so results do not change,
/// only speed.
typealias Lanes = SIMD8<Float>
let laneCount = 8

/// One fused optimizer kernel: `apply(i, n)` updates elements i..<i+n (n ≤ 8) of every buffer it
/// holds. Conforming types are small structs of pointers and Float coefficients; `run`
/// specializes on them, so the loop body is inlined with the coefficients in registers.
protocol LaneKernel {
    func apply(_ i: Int, _ n: Int)
}

extension LaneKernel {
    /// Applies the kernel to `count` elements; blocks of `Parallel.defaultChunk` run in parallel.
    /// Results are elementwise, so any thread count gives identical results.
    @inline(__always)
    func run(count: Int) {
        Parallel.forEachChunk(count: count) { r in self.run(range: r) }
    }

    /// The loop over one chunk. A method rather than the body of `run`'s closure: inside that
    /// closure LLVM leaves the C shim behind `squareRoot()` as a call per lane (not inlined, not
    /// vectorized), here it becomes one `sqrtps`.
    @inline(never)
    func run(range r: Range<Int>) {
        var i = r.lowerBound
        let full = r.lowerBound + (r.count / laneCount) * laneCount
        while i < full { apply(i, laneCount); i += laneCount }
        if i < r.upperBound { apply(i, r.upperBound - i) }
    }
}

extension Lanes {
    /// Reads `n` ≤ 8 floats from `p + i`; missing lanes are 0.
    @inline(__always)
    init(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int) {
        self = n == laneCount ? UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self) : Lanes.partial(p + i, n)
    }

    /// Writes the first `n` ≤ 8 lanes to `p + i`.
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int) {
        if n == laneCount { UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: Lanes.self) } else { storePartial(p + i, n) }
    }

    // The partial-block paths stay out of line: inlined, their per-lane inserts make LLVM
    // scalarize the whole kernel body.
    @inline(never)
    static func partial(_ p: UnsafeMutablePointer<Float>, _ n: Int) -> Lanes {
        var x = Lanes(repeating: 0)
        for k in 0..<Swift.min(n, laneCount) { x[k] = p[k] }
        return x
    }

    @inline(never)
    func storePartial(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        for k in 0..<Swift.min(n, laneCount) { p[k] = self[k] }
    }
}

/// Square root of every lane (correctly rounded, as `Float.squareRoot()`): `sqrtps`, since the
/// kernel modules build with `-fno-math-errno` (see Package.swift).
@inline(__always)
func lanesSqrt(_ x: Lanes) -> Lanes { x.squareRoot() }

/// Lane-wise maximum; a NaN in `b` propagates (as `torch.maximum` does for the new value).
@inline(__always)
func lanesMax(_ a: Lanes, _ b: Lanes) -> Lanes {
    a.replacing(with: b, where: .!(a .>= b))
}

/// Lane-wise absolute value (NaN stays NaN).
@inline(__always)
func lanesAbs(_ x: Lanes) -> Lanes { lanesMax(x, -x) }

/// Lane-wise sign: 1, −1, or 0 for zero and NaN.
@inline(__always)
func lanesSign(_ x: Lanes) -> Lanes {
    Lanes(repeating: 0).replacing(with: 1, where: x .> 0).replacing(with: -1, where: x .< 0)
}

/// PyTorch's `lerp`: a + w·(b − a) for w < 0.5, else b − (b − a)·(1 − w) (exact at w = 1).
@inline(__always)
func lanesLerp(_ a: Lanes, _ b: Lanes, _ w: Float) -> Lanes {
    w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}

/// The coefficients of the moment update shared by the Adam family, read from a group's options
/// (`lr`, `betas`, `weight_decay`, `decoupled_weight_decay`): gradient sign (−1 to maximize), L2
/// decay folded into the gradient, or decoupled decay θ·(1 − lr·λ); 1 − β1, β2 and 1 − β2.
struct MomentCoefficients {
    let sign, l2, decay, w1, beta2, c2: Float

    init(_ o: Options, gradSign: Float) {
        let lr = o.number("lr"), (beta1, beta2) = o.pair("betas")
        let wd = o.number("weight_decay"), decoupled = o.bool("decoupled_weight_decay")
        sign = gradSign
        l2 = decoupled ? 0 : Float(wd)
        decay = decoupled ? Float(1 - lr * wd) : 1
        w1 = Float(1 - beta1)
        self.beta2 = Float(beta2)
        c2 = Float(1 - beta2)
    }
}

/// The moment update shared by the Adam family (Adam, AMSGrad, NAdam, RAdam): g ← sign·g + λ·θ
/// (L2 decay; λ = 0 when decoupled), m ← lerp(m, g, 1 − β1), v ← β2·v + (1 − β2)·g². Stores m
/// and v and returns θ, g, m, v for the algorithm's own parameter update.
@inline(__always)
func adamMoments(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int, _ k: MomentCoefficients
) -> (p: Lanes, g: Lanes, m: Lanes, v: Lanes) {
    let pi = Lanes(p, i, n)
    let gi = k.sign * Lanes(g, i, n) + k.l2 * pi
    let mi = lanesLerp(Lanes(m, i, n), gi, k.w1)
    let vi = Lanes(v, i, n) * k.beta2 + k.c2 * gi * gi
    mi.store(m, i, n); vi.store(v, i, n)
    return (pi, gi, mi, vi)
}
