#if canImport(Glibc)
import Glibc
#endif
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

extension Lanes {
    /// Every lane `x` (rounded to Float): a kernel's per-step coefficient, splatted once when the
    /// kernel is built. Kept as `Float` fields and splatted per block, some kernels' coefficients
    /// were packed by LLVM into vectors of their own and the lanes rebuilt with shuffles and
    /// scalar arithmetic, at up to 3x the step's time (docs/performance.md).
    @inline(__always)
    init(splat x: Double) { self.init(repeating: Float(x)) }

    @inline(__always)
    init(splat x: Float) { self.init(repeating: x) }
}

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

/// Cube root of every lane, within 1 ulp of the exact root as glibc's `cbrtf` (no vector
/// instruction exists; `cbrtf` one lane at a time held MADGRAD's 10M step at 47 ms, a fifth of
/// the bandwidth).
///
/// Without a divide: r ≈ x^(−1/3) from the exponent bits (B − bits/3, within 3.5 %), two
/// Newton steps r ← r·(4 − x·r³)/3 (each squares the error: 1e-5 after two), y = x·r², then one
/// Newton step for y³ = x with r² standing in for 1/y² (which squares it again). Measured
/// over 2·10⁶ random floats: never more than 1 ulp from the rounded exact root, 88 % equal to it.
/// (A last step in Double made every lane correctly rounded but cost 40 % more time per step.)
/// Zeros, and blocks whose lanes all lie in [2^−120, 2^127), take this path; a block with any
/// other lane (negative, tiny, huge, infinite, NaN: where y³ would leave Float's normal range)
/// goes to `cbrtf` lane by lane.
///
/// ```swift
/// let r = lanesCbrt(Lanes(repeating: 27))   // 3 in every lane
/// ```
@inline(__always)
func lanesCbrt(_ x: Lanes) -> Lanes {
    let zero = x .== 0
    let ordinary = (x .>= 0x1p-120) .& (x .< 0x1p127)
    guard all(ordinary .| zero) else { return lanesCbrtLibm(x) }
    // B = 1_419_915_869 minimises the first guess's worst error over all mantissas (searched).
    var r = unsafeBitCast(SIMD8<UInt32>(repeating: 1_419_915_869) &- unsafeBitCast(x, to: SIMD8<UInt32>.self) / 3,
                          to: Lanes.self)
    // Constants splatted once and x·r beside r²: the chain of dependent operations bounds the
    // time, and this form halves it against r·(4 − x·r·r·r)/3 (no FMA: the baseline build has
    // none, and both builds must round alike). (x·r)·r² stays in Float's normal range (r³ alone
    // underflows for large x).
    let fourThirds = Lanes(repeating: 4 / 3 as Float), third = Lanes(repeating: 1 / 3 as Float)
    for _ in 0..<2 {
        let xr3 = (x * r) * (r * r)
        r = r * fourThirds - (r * third) * xr3
    }
    let y = x * r * r
    let excess = (y * y) * y - x
    // Zeros ran through the steps as junk (r is huge); their root is themselves, sign included.
    return (y - (excess * third) * (r * r)).replacing(with: x, where: zero)
}

/// `cbrtf` lane by lane: `lanesCbrt`'s path for blocks holding a special value. Out of line, so
/// its scalar calls do not make LLVM scalarize the callers' vector code.
@inline(never)
func lanesCbrtLibm(_ x: Lanes) -> Lanes {
    var r = Lanes(repeating: 0)
    for k in 0..<laneCount { r[k] = cbrtf(x[k]) }
    return r
}
