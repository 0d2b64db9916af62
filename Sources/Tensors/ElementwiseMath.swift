/// Float math written as plain arithmetic and bit operations, so that loops calling it
/// vectorize (libm's `expf` is an opaque call per element, several times slower).
/// Accuracy is within a couple of ulp of libm over the whole float range. Public and inlinable
/// so that kernels in other modules (NN's fused recurrent cells) vectorize with it too.
public enum FastMath {
    /// e^x: range reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 polynomial for e^r (Cephes
    /// `expf` coefficients) and 2^n built in the exponent bits as 2^⌊n/2⌋·2^⌈n/2⌉ so that both
    /// factors are normal floats from n = -150 to 128. Overflow gives inf, NaN stays NaN.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let xc = x < -104 ? -104 : (x > 88.8 ? 88.8 : x)  // NaN passes through
        // Round x·log2(e) to the nearest integer with the 1.5·2^23 trick (no float→int trap).
        let t = xc * 1.44269504088896341 + 12_582_912
        let n = t - 12_582_912
        let r = (xc - n * 0.693359375) + n * 2.12194440e-4
        // The polynomial by Estrin's scheme (pairs, then r², r⁴): a shorter dependency chain
        // than Horner's, so vectorized loops are not bound by multiply-add latency.
        let r2 = r * r, r4 = r2 * r2
        let p01: Float = 5.0000001201e-1 + 1.6666665459e-1 * r
        let p23: Float = 4.1665795894e-2 + 8.3334519073e-3 * r
        let p45: Float = 1.3981999507e-3 + 1.9875691500e-4 * r
        let p = p01 + p23 * r2 + p45 * r4
        let er = p * r2 + r + 1
        let k = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000
        let k1 = k >> 1, k2 = k &- k1
        let s1 = Float(bitPattern: UInt32(bitPattern: (k1 &+ 127) << 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (k2 &+ 127) << 23))
        let scaled = er * s1 * s2
        return x > 88.72283 ? .infinity : (x < -103.972 ? 0 : scaled)
    }

    /// 1 / (1 + e^-x).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// Φ(x) = (1 + erf(x/√2))/2, the standard normal CDF (GELU's gate). Relative error against
    /// double-precision erfc: at most 1.2e-6 for x ≥ −3, and growing with x² below (the exponent
    /// −x²/2 is rounded to a float) to 1.7e-5 at Φ = 1e-30 (`FastMathTests`).
    /// Φ(x) = erfc(−x/√2)/2 with erfc(z) = t·e^(−z² + P(t)), t = 1/(1 + z/2), z ≥ 0, and P the
    /// degree-9 Chebyshev fit of Press et al., Numerical Recipes §6.2 (fractional error < 1.2e-7);
    /// for x > 0, Φ(x) = 1 − erfc(x/√2)/2. No cancellation on either side, unlike 1 + erff(x/√2),
    /// and no libm call, so that GELU's loops vectorize.
    @inlinable @inline(__always)
    public static func normalCDF(_ x: Float) -> Float {
        let z = (x < 0 ? -x : x) * 0.70710678118654752
        let t = 1 / (1 + 0.5 * z)
        // Estrin's scheme: pairs, then powers t², t⁴, t⁸ — a dependency chain of 4 multiply-adds
        // instead of Horner's 9, so the vectorized loop is not bound by their latency.
        let t2 = t * t, t4 = t2 * t2, t8 = t4 * t4
        let p01 = -1.26551223 + 1.00002368 * t, p23 = 0.37409196 + 0.09678418 * t
        let p45 = -0.18628806 + 0.27886807 * t, p67 = -1.13520398 + 1.48851587 * t
        let p89 = -0.82215223 + 0.17087277 * t
        let p = (p01 + p23 * t2) + (p45 + p67 * t2) * t4 + p89 * t8
        let half = 0.5 * t * exp(p - z * z)   // erfc(z)/2
        return x < 0 ? half : 1 - half
    }

    /// tanh: an odd polynomial for |x| < 0.625 (Cephes `tanhf`), else ±(1 − 2/(e^{2|x|} + 1)).
    @inlinable @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let a = x < 0 ? -x : x
        let z = x * x
        var p: Float = -5.70498872745e-3
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        let big = 1 - 2 / (exp(2 * a) + 1)
        let signed = x < 0 ? -big : big
        return a < 0.625 ? small : signed
    }
}
