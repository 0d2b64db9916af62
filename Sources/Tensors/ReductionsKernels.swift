/// The loops behind reductions. A reduction over an adjacent block of dimensions of a contiguous
/// input sees it as `[outer, length, inner]`: one lane of `length` elements (stride `inner`) per
/// output element. Each lane is reduced by one thread in a fixed order, and a reduction over all
/// elements combines fixed-size chunk partials in chunk order, so results never depend on the
/// thread count. Accumulation is in Double.

/// The `[outer, length, inner]` layout of a reduction.
struct Lanes {
    let outer: Int, length: Int, inner: Int

    /// `shape` reduced over the adjacent dimensions `first...last`.
    init(_ shape: [Int], first: Int, last: Int) {
        outer = shape[..<first].reduce(1, *)
        length = shape[first...last].reduce(1, *)
        inner = shape[(last + 1)...].reduce(1, *)
    }

    init(outer: Int, length: Int, inner: Int) {
        self.outer = outer; self.length = length; self.inner = inner
    }

    /// Number of lanes (= output elements).
    var count: Int { outer * inner }
    /// One lane over everything: a full reduction, done in parallel chunks instead.
    var isFull: Bool { outer == 1 && inner == 1 }

    /// Offset of lane `l`'s first element.
    @inline(__always) func start(_ l: Int) -> Int { (l / inner) * length * inner + l % inner }

    /// Calls `body` on ranges of lanes, about `Parallel.defaultChunk` elements per call.
    @inline(__always)
    func forEachChunk(_ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: count, chunk: max(1, Parallel.defaultChunk / max(length, 1)), body)
    }
}

/// Reduction kernels: the tensor reductions, and `rowSum` for nn's per-channel sums.
public enum Reduce {
    /// Per-chunk results of `partial` over `0..<count`, in chunk order.
    @inline(__always)
    static func chunked<T>(_ count: Int, _ initial: T, _ partial: (Range<Int>) -> T) -> [T] {
        let chunk = Parallel.defaultChunk
        var parts = [T](repeating: initial, count: (count + chunk - 1) / chunk)
        parts.withUnsafeMutableBufferPointer { buf in
            guard let p = buf.baseAddress else { return }
            Parallel.forEachChunk(count: count, chunk: chunk) { r in p[r.lowerBound / chunk] = partial(r) }
        }
        return parts
    }

    /// Σ term(i) for i in 0..<n in a fixed order: blocks of 256 terms are summed in 16 float
    /// lanes (`lanes(i)` gives terms i..<i+8; 16 additions per lane, so no real loss), the block
    /// sums accumulate in Double, and the last n mod 16 terms come from `term` one by one.
    /// A single float accumulator would be bound by the addition's latency (4 cycles a term).
    @inlinable @inline(__always)
    public static func blockedSum(_ n: Int, lanes: (Int) -> SIMD8<Float>, term: (Int) -> Float) -> Double {
        var total = 0.0
        var i = 0
        while i + 16 <= n {
            let end = i + Swift.min(256, (n - i) & ~15)
            var a = SIMD8<Float>(), b = SIMD8<Float>()
            while i < end {
                a += lanes(i)
                b += lanes(i + 8)
                i += 16
            }
            let c = a + b
            total += Double((c.lowHalf + c.highHalf).sum())
        }
        var tail = 0.0
        while i < n { tail += Double(term(i)); i += 1 }
        return total + tail
    }

    /// Sum of `n` contiguous floats in a fixed order (`blockedSum`).
    @inlinable @inline(__always)
    public static func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
        let raw = UnsafeRawPointer(p)
        return blockedSum(n, lanes: { raw.loadUnaligned(fromByteOffset: $0 * 4, as: SIMD8<Float>.self) }, term: { p[$0] })
    }

    /// Σ a[i]·b[i] over `n` contiguous floats (`blockedSum`).
    @inlinable @inline(__always)
    public static func rowDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        return blockedSum(n, lanes: {
            ra.loadUnaligned(fromByteOffset: $0 * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: $0 * 4, as: SIMD8<Float>.self)
        }, term: { a[$0] * b[$0] })
    }

    /// Σ (p[i] − mean)² over `n` contiguous floats (`blockedSum`): a variance's numerator.
    @inlinable @inline(__always)
    public static func squaredDeviationSum(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Double {
        let raw = UnsafeRawPointer(p), m = SIMD8<Float>(repeating: mean)
        return blockedSum(n, lanes: { let d = raw.loadUnaligned(fromByteOffset: $0 * 4, as: SIMD8<Float>.self) - m; return d * d },
                          term: { let d = p[$0] - mean; return d * d })
    }

    /// Σ g[i]·(x[i] − mean) over `n` contiguous floats (`blockedSum`): a normalisation's backward.
    @inlinable @inline(__always)
    public static func deviationDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> Double {
        let rg = UnsafeRawPointer(g), rx = UnsafeRawPointer(x), m = SIMD8<Float>(repeating: mean)
        return blockedSum(n, lanes: {
            rg.loadUnaligned(fromByteOffset: $0 * 4, as: SIMD8<Float>.self) * (rx.loadUnaligned(fromByteOffset: $0 * 4, as: SIMD8<Float>.self) - m)
        }, term: { g[$0] * (x[$0] - mean) })
    }

    /// `out[lane] = scale * sum(lane)`.
    static func sum(_ x: UnsafePointer<Float>, _ lanes: Lanes, _ out: UnsafeMutablePointer<Float>, scale: Double) {
        let n = lanes.length, inner = lanes.inner
        if lanes.isFull {
            let parts = chunked(n, 0.0) { r in rowSum(x + r.lowerBound, r.count) }
            out[0] = Float(parts.reduce(0, +) * scale)
        } else if inner == 1 {
            lanes.forEachChunk { r in
                for l in r { out[l] = Float(rowSum(x + l * n, n) * scale) }
            }
        } else {
            // Reduce over a non-innermost dimension: add whole rows into a strip of accumulators,
            // which stays contiguous and vectorizes, instead of walking each lane with a stride.
            let width = 256
            let strips = (inner + width - 1) / width
            let perChunk = max(1, Parallel.defaultChunk / max(n * width, 1))
            Parallel.forEachChunk(count: lanes.outer * strips, chunk: perChunk) { tasks in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: width) { buf in
                    guard let acc = buf.baseAddress else { return }
                    for t in tasks {
                        let o = t / strips, j0 = (t % strips) * width, w = min(width, inner - j0)
                        acc.initialize(repeating: 0, count: w)
                        var row = x + o * n * inner + j0
                        for _ in 0..<n {
                            for j in 0..<w { acc[j] += Double(row[j]) }
                            row += inner
                        }
                        let dst = out + o * inner + j0
                        for j in 0..<w { dst[j] = Float(acc[j] * scale) }
                    }
                }
            }
        }
    }

    /// `out[lane] = finish(fold of step over the lane)`; a full reduction folds chunks from
    /// `initial` and merges the chunk results with `combine`, in order.
    @inline(__always)
    static func fold(
        _ x: UnsafePointer<Float>, _ lanes: Lanes, _ out: UnsafeMutablePointer<Float>, initial: Double,
        _ step: (Double, Float) -> Double, combine: (Double, Double) -> Double, finish: (Double) -> Double
    ) {
        let n = lanes.length, stride = lanes.inner
        if lanes.isFull {
            let parts = chunked(n, initial) { r in
                var acc = initial
                for i in r { acc = step(acc, x[i]) }
                return acc
            }
            out[0] = Float(finish(parts.reduce(initial, combine)))
            return
        }
        lanes.forEachChunk { r in
            for l in r {
                let p = x + lanes.start(l)
                var acc = initial
                for i in 0..<n { acc = step(acc, p[i &* stride]) }
                out[l] = Float(finish(acc))
            }
        }
    }

    /// The first position of the largest (`better` = `>`) or smallest (`<`) element of each lane
    /// (NaN counts as the extreme, as in PyTorch); writes values and/or 0-based positions.
    /// Lanes must not be empty.
    @inline(__always)
    static func extremum(
        _ x: UnsafePointer<Float>, _ lanes: Lanes, values: UnsafeMutablePointer<Float>?,
        positions: UnsafeMutablePointer<Int>?, _ better: (Float, Float) -> Bool
    ) {
        @inline(__always) func wins(_ v: Float, _ best: Float) -> Bool { better(v, best) || (v != v && best == best) }
        let n = lanes.length, stride = lanes.inner
        if lanes.isFull {
            let parts = chunked(n, (Float(0), 0)) { r in
                var best = x[r.lowerBound], at = r.lowerBound
                for i in r where wins(x[i], best) { best = x[i]; at = i }
                return (best, at)
            }
            var best = parts[0]
            for p in parts.dropFirst() where wins(p.0, best.0) { best = p }
            values?[0] = best.0
            positions?[0] = best.1
            return
        }
        lanes.forEachChunk { r in
            for l in r {
                let p = x + lanes.start(l)
                var best = p[0], at = 0
                for i in 1..<max(n, 1) where wins(p[i &* stride], best) { best = p[i &* stride]; at = i }
                values?[l] = best
                positions?[l] = at
            }
        }
    }
}

extension Reduce {
    /// `out[lane]` = variance (or standard deviation) of the lane with `correction`, two-pass.
    static func variance(
        _ x: UnsafePointer<Float>, _ lanes: Lanes, _ out: UnsafeMutablePointer<Float>, correction: Int, sqrt: Bool
    ) {
        let n = lanes.length, stride = lanes.inner
        let denom = Double(Swift.max(n - correction, 0))
        @inline(__always) func finish(_ ss: Double) -> Float { Float(sqrt ? (ss / denom).squareRoot() : ss / denom) }
        if lanes.isFull {
            let mean = chunked(n, 0.0) { r in rowSum(x + r.lowerBound, r.count) }.reduce(0, +) / Double(n)
            let ss = chunked(n, 0.0) { r in
                var acc = 0.0
                for i in r { let d = Double(x[i]) - mean; acc += d * d }
                return acc
            }.reduce(0, +)
            out[0] = finish(ss)
            return
        }
        lanes.forEachChunk { r in
            for l in r {
                let p = x + lanes.start(l)
                var sum = 0.0
                for i in 0..<n { sum += Double(p[i &* stride]) }
                let mean = sum / Double(n)
                var ss = 0.0
                for i in 0..<n { let d = Double(p[i &* stride]) - mean; ss += d * d }
                out[l] = finish(ss)
            }
        }
    }

    /// Gradient of each lane's product: `out[i] = g[lane] * product of the lane's other
    /// elements`, from prefix and suffix products (exact with zeros, unlike `g * prod / x`).
    static func productGrad(
        _ x: UnsafePointer<Float>, _ lanes: Lanes, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
    ) {
        let n = lanes.length, s = lanes.inner
        Parallel.forEachChunk(count: lanes.count, chunk: Swift.max(1, Parallel.defaultChunk / Swift.max(n, 1))) { r in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(n, 1)) { buf in
                guard let prefix = buf.baseAddress else { return }
                for l in r {
                    let p = x + lanes.start(l), q = out + lanes.start(l)
                    var acc = 1.0
                    for i in 0..<n { prefix[i] = acc; acc *= Double(p[i &* s]) }
                    let gl = Double(g[l])
                    acc = 1
                    for i in stride(from: n - 1, through: 0, by: -1) {
                        q[i &* s] = Float(gl * prefix[i] * acc)
                        acc *= Double(p[i &* s])
                    }
                }
            }
        }
    }
}
