import Testing
@testable import Tensors

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Helpers shared by the elementwise/reduction/in-place tests

/// Values in [-2, 2) from a fixed seed, away from 0 when `awayFromZero` (for log, div, ...).
func elemRandom(_ shape: [Int], seed: UInt64 = 1, awayFromZero: Bool = false) throws -> Tensor {
    let t = try Tensor.rand(shape, generator: Generator(seed: seed))
    let p = t.pointer
    for i in 0..<t.count {
        p[i] = p[i] * 4 - 2
        if awayFromZero { p[i] = p[i] < 0 ? p[i] - 0.5 : p[i] + 0.5 }
    }
    return t
}

/// The transpose of a fresh [cols, rows] tensor, built directly as a non-contiguous view.
func elemTransposed(rows: Int, cols: Int, seed: UInt64 = 2, awayFromZero: Bool = false) throws -> Tensor {
    let base = try elemRandom([cols, rows], seed: seed, awayFromZero: awayFromZero)
    return Tensor(storage: base.storage, shape: [rows, cols], strides: [1, rows], offset: 0)
}

func elemClose(_ a: [Float], _ b: [Double], tol: Double = 1e-5) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        if x.isNaN && y.isNaN { continue }
        if x.isInfinite || y.isInfinite { if Double(x) != y { return false } else { continue } }
        if Swift.abs(Double(x) - y) > tol * Swift.max(1, Swift.abs(y)) { return false }
    }
    return true
}

/// Row-major index → multi-index → broadcast source index (NumPy rules), for naive references.
func elemBroadcastIndex(_ flat: Int, out: [Int], src: [Int]) -> Int {
    var idx = [Int](repeating: 0, count: out.count)
    var rest = flat
    for d in stride(from: out.count - 1, through: 0, by: -1) { idx[d] = rest % out[d]; rest /= out[d] }
    let pad = out.count - src.count
    var s = 0
    for d in 0..<src.count { s = s * src[d] + (src[d] == 1 ? 0 : idx[d + pad]) }
    return s
}

/// Naive broadcasting binary reference in Double.
func elemReference(_ a: Tensor, _ b: Tensor, _ op: (Double, Double) -> Double) throws -> [Double] {
    let shape = try Tensor.broadcastShapes(a.shape, b.shape)
    let av = a.toArray(), bv = b.toArray()
    let n = shape.reduce(1, *)
    return (0..<n).map { i in
        op(Double(av[elemBroadcastIndex(i, out: shape, src: a.shape)]), Double(bv[elemBroadcastIndex(i, out: shape, src: b.shape)]))
    }
}

/// Checks d(sum(w * f(inputs)))/d(input) against central finite differences, for random fixed w.
func elemGradCheck(
    _ inputs: [Tensor], eps: Float = 1e-2, tol: Double = 2e-2, _ f: ([Tensor]) throws -> Tensor
) throws -> Bool {
    let xs = try inputs.map { try Tensor($0.toArray(), shape: $0.shape) }
    for x in xs { x.requiresGrad = true }
    let y = try f(xs)
    let w = try elemRandom(y.shape, seed: 99)
    try y.mul(w).sum().backward()
    func loss() throws -> Double {
        let out = try GradMode.withoutGrad { try f(xs) }
        return zip(out.toArray(), w.toArray()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    for x in xs {
        let analytic = x.grad?.toArray() ?? [Float](repeating: 0, count: x.count)
        for j in 0..<x.count {
            let saved = x.pointer[j]
            x.pointer[j] = saved + eps
            let lp = try loss()
            x.pointer[j] = saved - eps
            let lm = try loss()
            x.pointer[j] = saved
            let numeric = (lp - lm) / (2 * Double(eps))
            if Swift.abs(Double(analytic[j]) - numeric) > tol * Swift.max(1, Swift.abs(numeric)) {
                Issue.record("grad mismatch at \(j): analytic \(analytic[j]), numeric \(numeric)")
                return false
            }
        }
    }
    return true
}

// MARK: - Broadcasting

@Test func broadcastShapesRules() throws {
    #expect(try Tensor.broadcastShapes([3, 1], [4]) == [3, 4])
    #expect(try Tensor.broadcastShapes([], [2, 3]) == [2, 3])
    #expect(try Tensor.broadcastShapes([1], [3, 1]) == [3, 1])
    #expect(try Tensor.broadcastShapes([0, 1], [1, 5]) == [0, 5])
    #expect(throws: TensorError("shapes [3, 4] and [5] cannot be broadcast")) { try Tensor.broadcastShapes([3, 4], [5]) }
    #expect(throws: TensorError("add: shapes [3, 4] and [5] cannot be broadcast")) {
        try Tensor.zeros([3, 4]).add(Tensor.zeros([5]))
    }
}

@Test func binaryOpsMatchReferenceWithBroadcasting() throws {
    let cases: [([Int], [Int])] = [([3, 4], [3, 4]), ([3, 4], [4]), ([3, 1], [1, 4]), ([2, 3, 4], [3, 1]),
                                   ([], [2, 2]), ([1], [3, 1]), ([0, 3], [3]), ([5], [])]
    let ops: [(String, (Tensor, Tensor) throws -> Tensor, (Double, Double) -> Double)] = [
        ("add", { try $0.add($1) }, { $0 + $1 }), ("sub", { try $0.sub($1) }, { $0 - $1 }),
        ("mul", { try $0.mul($1) }, { $0 * $1 }), ("div", { try $0.div($1) }, { $0 / $1 }),
        ("maximum", { try $0.maximum($1) }, { Swift.max($0, $1) }), ("minimum", { try $0.minimum($1) }, { Swift.min($0, $1) }),
        ("pow", { try $0.absolute().pow($1) }, { Glibc.pow(Swift.abs($0), $1) }),
        ("gt", { try $0.gt($1) }, { $0 > $1 ? 1 : 0 }), ("le", { try $0.le($1) }, { $0 <= $1 ? 1 : 0 }),
        ("eq", { try $0.eq($1) }, { $0 == $1 ? 1 : 0 }), ("ne", { try $0.ne($1) }, { $0 != $1 ? 1 : 0 }),
        ("lt", { try $0.lt($1) }, { $0 < $1 ? 1 : 0 }), ("ge", { try $0.ge($1) }, { $0 >= $1 ? 1 : 0 }),
    ]
    for (sa, sb) in cases {
        let a = try elemRandom(sa, seed: 3, awayFromZero: true), b = try elemRandom(sb, seed: 4, awayFromZero: true)
        for (name, f, ref) in ops {
            let out = try f(a, b)
            #expect(out.shape == (try Tensor.broadcastShapes(sa, sb)), "\(name) \(sa) \(sb)")
            #expect(elemClose(out.toArray(), try elemReference(a, b, ref), tol: 1e-5), "\(name) \(sa) \(sb)")
        }
    }
}

@Test func binaryOpsOnNonContiguousViews() throws {
    let a = try elemTransposed(rows: 5, cols: 7), b = try elemRandom([5, 7], seed: 8)
    #expect(!a.isContiguous)
    #expect(elemClose(try a.add(b).toArray(), try elemReference(a, b, +)))
    #expect(elemClose(try b.mul(a).toArray(), try elemReference(b, a, *)))
    let row = try elemRandom([7], seed: 9)
    #expect(elemClose(try a.sub(row).toArray(), try elemReference(a, row, -)))
    let col = Tensor(storage: a.storage, shape: [5, 1], strides: [1, 0], offset: 0)  // a strided column
    #expect(elemClose(try b.div(col).toArray(), try elemReference(b, col, /)))
}

@Test func largeTensorsSplitOverThreads() throws {
    let saved = Parallel.threads
    defer { Parallel.threads = saved }
    let a = try elemRandom([100, 700], seed: 5), b = try elemRandom([700], seed: 6)
    Parallel.threads = 1
    let one = try a.mul(b).add(a).toArray()
    let sum1 = try a.sum().toArray()
    Parallel.threads = 2
    #expect(try a.mul(b).add(a).toArray() == one)
    #expect(try a.sum().toArray() == sum1)
    let av = a.toArray()
    #expect(elemClose(one, try elemReference(a, b) { $0 * $1 }.enumerated().map { $0.element + Double(av[$0.offset]) }))
}

@Test func scalarForms() throws {
    let x = try elemRandom([2, 3], seed: 10, awayFromZero: true)
    let v = x.toArray().map(Double.init)
    #expect(elemClose(try x.add(2).toArray(), v.map { $0 + 2 }))
    #expect(elemClose(try x.sub(2).toArray(), v.map { $0 - 2 }))
    #expect(elemClose(try x.mul(3).toArray(), v.map { $0 * 3 }))
    #expect(elemClose(try x.div(4).toArray(), v.map { $0 / 4 }))
    #expect(elemClose(try x.rsub(1).toArray(), v.map { 1 - $0 }))
    #expect(elemClose(try x.rdiv(2).toArray(), v.map { 2 / $0 }))
    #expect(elemClose(try x.rpow(2).toArray(), v.map { Glibc.pow(2, $0) }))
    #expect(elemClose(try x.pow(2).toArray(), v.map { $0 * $0 }))
    #expect(elemClose(try x.absolute().pow(1.5).toArray(), v.map { Glibc.pow(Swift.abs($0), 1.5) }))
    #expect(elemClose(try x.neg().toArray(), v.map { -$0 }))
    #expect(elemClose(try x.maximum(0.5).toArray(), v.map { Swift.max($0, 0.5) }))
    #expect(elemClose(try x.minimum(0.5).toArray(), v.map { Swift.min($0, 0.5) }))
    #expect(elemClose(try x.gt(0).toArray(), v.map { $0 > 0 ? 1 : 0 }))
    #expect(elemClose(try x.le(0).toArray(), v.map { $0 <= 0 ? 1 : 0 }))
    // 0-d with 0-d and scalar with 0-d
    let s = try Tensor.scalar(3)
    #expect(try s.add(Tensor.scalar(4)).shape == [])
    #expect(try s.add(Tensor.scalar(4)).toArray() == [7])
    #expect(try s.mul(2).toArray() == [6])
}

@Test func whereSelectsAndBroadcasts() throws {
    let mask = try Tensor([1, 0, 1], shape: [3])
    let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), b = try Tensor.scalar(-1)
    #expect(try Tensor.where(mask, a, b).toArray() == [1, -1, 3, 4, -1, 6])
    #expect(try elemGradCheck([a, b]) { try Tensor.where(mask, $0[0], $0[1]) })
}

@Test func maximumSplitsGradientOnTies() throws {
    let a = try Tensor([1, 2, 3], shape: [3]), b = try Tensor([1, 1, 4], shape: [3])
    a.requiresGrad = true; b.requiresGrad = true
    try a.maximum(b).sum().backward()
    #expect(a.grad?.toArray() == [0.5, 1, 0])
    #expect(b.grad?.toArray() == [0.5, 0, 1])
}

@Test func binaryGradients() throws {
    let a = try elemRandom([2, 3], seed: 11, awayFromZero: true), b = try elemRandom([3], seed: 12, awayFromZero: true)
    #expect(try elemGradCheck([a, b]) { try $0[0].add($0[1]) })
    #expect(try elemGradCheck([a, b]) { try $0[0].sub($0[1]) })
    #expect(try elemGradCheck([a, b]) { try $0[0].mul($0[1]) })
    #expect(try elemGradCheck([a, b]) { try $0[0].div($0[1]) })
    #expect(try elemGradCheck([a, b]) { try $0[0].maximum($0[1]) })
    #expect(try elemGradCheck([a, b]) { try $0[0].minimum($0[1]) })
    let pa = try Tensor.rand([2, 3], generator: Generator(seed: 13)).add(0.5)
    #expect(try elemGradCheck([pa, b], eps: 1e-3) { try $0[0].pow($0[1]) })
    let col = try elemRandom([2, 1], seed: 14, awayFromZero: true)
    #expect(try elemGradCheck([col, b]) { try $0[0].mul($0[1]) })  // [2,1] * [3] -> [2,3]
    for f: (Tensor) throws -> Tensor in [
        { try $0.add(2) }, { try $0.sub(2) }, { try $0.mul(3) }, { try $0.div(3) }, { try $0.rsub(1) },
        { try $0.rdiv(2) }, { try $0.rpow(2) }, { try $0.pow(2) }, { try $0.pow(3) }, { try $0.neg() },
        { try $0.maximum(0.3) }, { try $0.minimum(0.3) },
    ] {
        #expect(try elemGradCheck([a], eps: 1e-3) { try f($0[0]) })
    }
}

// MARK: - Unary

@Test func unaryOpsMatchReference() throws {
    let x = try elemRandom([4, 5], seed: 20, awayFromZero: true)
    let pos = try x.absolute()
    let v = x.toArray().map(Double.init), p = pos.toArray().map(Double.init)
    let erfGelu: (Double) -> Double = { 0.5 * $0 * (1 + Glibc.erf($0 / 2.0.squareRoot())) }
    #expect(elemClose(try x.absolute().toArray(), v.map { Swift.abs($0) }))
    #expect(elemClose(try x.exp().toArray(), v.map { Glibc.exp($0) }))
    #expect(elemClose(try pos.log().toArray(), p.map { Glibc.log($0) }))
    #expect(elemClose(try pos.log1p().toArray(), p.map { Glibc.log1p($0) }))
    #expect(elemClose(try pos.sqrt().toArray(), p.map { $0.squareRoot() }))
    #expect(elemClose(try pos.rsqrt().toArray(), p.map { 1 / $0.squareRoot() }))
    #expect(elemClose(try x.sin().toArray(), v.map { Glibc.sin($0) }))
    #expect(elemClose(try x.cos().toArray(), v.map { Glibc.cos($0) }))
    #expect(elemClose(try x.tanh().toArray(), v.map { Glibc.tanh($0) }))
    #expect(elemClose(try x.sigmoid().toArray(), v.map { 1 / (1 + Glibc.exp(-$0)) }))
    #expect(elemClose(try x.relu().toArray(), v.map { Swift.max($0, 0) }))
    #expect(elemClose(try x.gelu().toArray(), v.map(erfGelu)))
    #expect(elemClose(try x.sign().toArray(), v.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }))
    #expect(elemClose(try x.floor().toArray(), v.map { $0.rounded(.down) }))
    #expect(elemClose(try x.ceil().toArray(), v.map { $0.rounded(.up) }))
    #expect(elemClose(try x.square().toArray(), v.map { $0 * $0 }))
    #expect(elemClose(try x.clamp(min: -1, max: 0.5).toArray(), v.map { Swift.min(Swift.max($0, -1), 0.5) }))
    #expect(elemClose(try x.clamp(min: nil, max: 0.5).toArray(), v.map { Swift.min($0, 0.5) }))
    #expect(try Tensor([0.5, 1.5, 2.5, -0.5, -2.5, 2.6], shape: [6]).round().toArray() == [0, 2, 2, -0, -2, 3])
    #expect(throws: TensorError("clamp: at least one of min and max must be given")) { try x.clamp(min: nil, max: nil) }
    // non-contiguous input
    let t = try elemTransposed(rows: 3, cols: 4)
    #expect(elemClose(try t.exp().toArray(), t.toArray().map { Glibc.exp(Double($0)) }))
    // NaN handling
    let n = try Tensor([.nan, 1], shape: [2])
    #expect(try n.relu().toArray()[0].isNaN)
    #expect(try n.clamp(min: 0, max: 0.5).toArray()[0].isNaN)
    #expect(try n.maximum(Tensor.zeros([2])).toArray()[0].isNaN)
}

@Test func unaryGradients() throws {
    let x = try elemRandom([2, 3], seed: 21, awayFromZero: true)
    let pos = try x.absolute()
    let ops: [(Tensor) throws -> Tensor] = [
        { try $0.exp() }, { try $0.sin() }, { try $0.cos() }, { try $0.tanh() }, { try $0.sigmoid() },
        { try $0.relu() }, { try $0.gelu() }, { try $0.square() }, { try $0.absolute() },
        { try $0.clamp(min: -1, max: 1) }, { try $0.sign() }, { try $0.floor() },
    ]
    for f in ops { #expect(try elemGradCheck([x], eps: 1e-3) { try f($0[0]) }) }
    let posOps: [(Tensor) throws -> Tensor] = [{ try $0.log() }, { try $0.log1p() }, { try $0.sqrt() }, { try $0.rsqrt() },
                                               { try $0.pow(1.5) }]
    for f in posOps { #expect(try elemGradCheck([pos], eps: 1e-3) { try f($0[0]) }) }
}

@Test func opsRecordOnlyWhenNeeded() throws {
    let a = try Tensor.ones([2]), b = try Tensor.ones([2])
    #expect(try a.add(b).gradFn == nil)
    b.requiresGrad = true
    #expect(try a.add(b).gradFn != nil)
    #expect(try GradMode.withoutGrad { try a.add(b) }.gradFn == nil)
    #expect(try b.gt(0).gradFn == nil)
}
