/// A counter-based random generator (Philox4x32-10, Salmon et al. 2011).
///
/// Element `i` of a fill is a pure function of (seed, offset + i), so a tensor's random values do
/// not depend on how the fill is split over threads, and a generator's state is two integers
/// that a checkpoint can save and restore exactly.
public final class Generator {
    public private(set) var seed: UInt64
    /// Number of 128-bit blocks consumed so far.
    public var offset: UInt64

    public init(seed: UInt64) { self.seed = seed; self.offset = 0 }

    /// The process-wide generator that `tensor.manual_seed` and `--seed` reset.
    nonisolated(unsafe) public static var shared = Generator(seed: 0)

    public func reseed(_ seed: UInt64) { self.seed = seed; self.offset = 0 }

    @inline(__always)
    static func mulhilo(_ a: UInt32, _ b: UInt32) -> (hi: UInt32, lo: UInt32) {
        let p = UInt64(a) &* UInt64(b)
        return (UInt32(truncatingIfNeeded: p >> 32), UInt32(truncatingIfNeeded: p))
    }

    /// Four 32-bit random words for block `counter`.
    @inline(__always)
    public static func block(seed: UInt64, counter: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2: UInt32 = 0, c3: UInt32 = 0
        var k0 = UInt32(truncatingIfNeeded: seed), k1 = UInt32(truncatingIfNeeded: seed >> 32)
        for _ in 0..<10 {
            let (hi0, lo0) = mulhilo(0xD251_1F53, c0)
            let (hi1, lo1) = mulhilo(0xCD9E_8D57, c2)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    @inline(__always)
    static func unit(_ x: UInt32) -> Float { Float(x >> 8) * (1.0 / 16_777_216.0) }  // [0, 1)

    /// Fills `n` floats with U[lo, hi) and advances the state.
    public func fillUniform(_ out: UnsafeMutablePointer<Float>, count n: Int, from lo: Float = 0, to hi: Float = 1) {
        let seed = self.seed, start = offset
        let scale = hi - lo
        Parallel.forEachChunk(count: (n + 3) / 4, chunk: 1 << 14) { blocks in
            for b in blocks {
                let r = Generator.block(seed: seed, counter: start &+ UInt64(b))
                let i = b * 4
                out[i] = lo + scale * Generator.unit(r.0)
                if i + 1 < n { out[i + 1] = lo + scale * Generator.unit(r.1) }
                if i + 2 < n { out[i + 2] = lo + scale * Generator.unit(r.2) }
                if i + 3 < n { out[i + 3] = lo + scale * Generator.unit(r.3) }
            }
        }
        offset &+= UInt64((n + 3) / 4)
    }

    /// Fills `n` floats with N(mean, std²) (Box–Muller, two normals per pair of words).
    public func fillNormal(_ out: UnsafeMutablePointer<Float>, count n: Int, mean: Float = 0, std: Float = 1) {
        let seed = self.seed, start = offset
        Parallel.forEachChunk(count: (n + 3) / 4, chunk: 1 << 14) { blocks in
            for b in blocks {
                let r = Generator.block(seed: seed, counter: start &+ UInt64(b))
                let (z0, z1) = Generator.boxMuller(r.0, r.1)
                let (z2, z3) = Generator.boxMuller(r.2, r.3)
                let i = b * 4
                out[i] = mean + std * z0
                if i + 1 < n { out[i + 1] = mean + std * z1 }
                if i + 2 < n { out[i + 2] = mean + std * z2 }
                if i + 3 < n { out[i + 3] = mean + std * z3 }
            }
        }
        offset &+= UInt64((n + 3) / 4)
    }

    @inline(__always)
    static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
        // u1 in (0, 1] so the log is finite.
        let u1 = (Double(a) + 1) / 4_294_967_296.0, u2 = Double(b) / 4_294_967_296.0
        let r = (-2 * _log(u1)).squareRoot(), theta = 2 * Double.pi * u2
        return (Float(r * _cos(theta)), Float(r * _sin(theta)))
    }

    /// A uniform integer in `lo..<hi` (hi > lo), for shuffles and sampling.
    public func nextInt(_ lo: Int, _ hi: Int) -> Int {
        let r = Generator.block(seed: seed, counter: offset)
        offset &+= 1
        let x = (UInt64(r.0) << 32) | UInt64(r.1)
        return lo + Int(x % UInt64(hi - lo))
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#endif
