import Testing
@testable import Tensors

#if canImport(Glibc)
import Glibc
#endif

/// Naive reduction of `t` along `dim` with `f` over each lane's values (Double).
func elemReduceReference(_ t: Tensor, dim: Int, _ f: ([Double]) -> Double) -> [Double] {
    let v = t.toArray().map(Double.init), s = t.shape
    let outer = s[..<dim].reduce(1, *), n = s[dim], inner = s[(dim + 1)...].reduce(1, *)
    var out = [Double]()
    for o in 0..<outer {
        for i in 0..<inner { out.append(f((0..<n).map { v[(o * n + $0) * inner + i] })) }
    }
    return out
}

let elemSum: ([Double]) -> Double = { $0.reduce(0, +) }
let elemMean: ([Double]) -> Double = { $0.reduce(0, +) / Double($0.count) }
let elemVar: ([Double]) -> Double = { xs in
    let m = elemMean(xs)
    return xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)
}

@Test func sumsAndMeansMatchReference() throws {
    let x = try elemRandom([3, 4, 5], seed: 30)
    let all = x.toArray().map(Double.init)
    #expect(elemClose(try x.sum().toArray(), [elemSum(all)]))
    #expect(try x.sum().shape == [])
    #expect(elemClose(try x.mean().toArray(), [elemMean(all)]))
    for d in 0..<3 {
        #expect(elemClose(try x.sum(dim: d).toArray(), elemReduceReference(x, dim: d, elemSum)))
        #expect(elemClose(try x.mean(dim: d).toArray(), elemReduceReference(x, dim: d, elemMean)))
        #expect(elemClose(try x.variance(dim: d).toArray(), elemReduceReference(x, dim: d, elemVar)))
        #expect(elemClose(try x.std(dim: d).toArray(), elemReduceReference(x, dim: d) { elemVar($0).squareRoot() }))
        #expect(elemClose(try x.prod(dim: d).toArray(), elemReduceReference(x, dim: d) { $0.reduce(1, *) }))
        #expect(elemClose(try x.norm(dim: d).toArray(), elemReduceReference(x, dim: d) { $0.map { $0 * $0 }.reduce(0, +).squareRoot() }))
    }
    #expect(try x.sum(dim: -1, keepdim: true).shape == [3, 4, 1])
    #expect(try x.sum(dim: 1).shape == [3, 5])
    let s02 = try x.sum(dims: [0, 2])
    #expect(s02.shape == [4])
    #expect(elemClose(s02.toArray(), elemReduceReference(try x.sum(dim: 2), dim: 0, elemSum)))
    #expect(try x.sum(dims: [2, 0], keepdim: true).shape == [1, 4, 1])
    #expect(throws: TensorError.self) { try x.sum(dim: 3) }
    #expect(throws: TensorError.self) { try x.sum(dims: [1, -2]) }
    // non-contiguous input
    let t = try elemTransposed(rows: 6, cols: 7)
    #expect(elemClose(try t.sum(dim: 0).toArray(), elemReduceReference(t, dim: 0, elemSum)))
    #expect(elemClose(try t.sum(dim: 1).toArray(), elemReduceReference(t, dim: 1, elemSum)))
    // variance over everything, population form
    let pop = try x.variance(correction: 0).item()
    let m = elemMean(all)
    #expect(Swift.abs(Double(pop) - all.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(all.count)) < 1e-5)
}

@Test func emptyAndZeroDimReductions() throws {
    let e = try Tensor.zeros([0, 3])
    #expect(try e.sum().item() == 0)
    #expect(try e.mean().item().isNaN)
    #expect(try e.sum(dim: 0).toArray() == [0, 0, 0])
    #expect(try e.sum(dim: 1).shape == [0])
    #expect(try e.prod().item() == 1)
    #expect(throws: TensorError("max: cannot reduce an empty tensor")) { try e.amax() }
    #expect(throws: TensorError.self) { try e.extremum(dim: 0, keepdim: false, op: "max", >) }
    #expect(try e.extremum(dim: 1, keepdim: false, op: "max", >).values.shape == [0])
    let s = try Tensor.scalar(4)
    #expect(try s.sum().item() == 4)
    #expect(try s.sum(dim: 0).shape == [])
    #expect(try s.mean(dim: -1).item() == 4)
    #expect(try s.argmax().item() == 1)
}

@Test func extremaAndIndicesAreOneBased() throws {
    let x = try Tensor([1, 5, 3, 7, 2, 7], shape: [2, 3])
    #expect(try x.amax().item() == 7)
    #expect(try x.amin().item() == 1)
    let (v, i) = try x.extremum(dim: 1, keepdim: false, op: "max", >)
    #expect(v.toArray() == [5, 7] && i.toArray() == [2, 1])  // first of the tied 7s
    let (v0, i0) = try x.extremum(dim: 0, keepdim: true, op: "min", <)
    #expect(v0.shape == [1, 3] && v0.toArray() == [1, 2, 3] && i0.toArray() == [1, 2, 1])
    #expect(try x.argmax().item() == 4)
    #expect(try x.argmin().item() == 1)
    #expect(try x.argmax(dim: 0).toArray() == [2, 1, 2])
    #expect(try x.argmin(dim: 1, keepdim: true).shape == [2, 1])
    #expect(try Tensor([1, .nan, 3], shape: [3]).amax().item().isNaN)
    #expect(try Tensor([1, .nan, 3], shape: [3]).argmax().item() == 2)
    // large, multi-chunk: deterministic and first occurrence
    let big = try Tensor.zeros([200_000])
    big.pointer[150_000] = 3; big.pointer[170_000] = 3
    #expect(try big.argmax().item() == 150_001)
}

@Test func normsMatchReference() throws {
    let x = try Tensor([3, -4, 0, 1], shape: [4])
    #expect(try x.norm().item() == 26.0.squareRoot().float)
    #expect(try x.norm(p: 1).item() == 8)
    #expect(try x.norm(p: .infinity).item() == 4)
    #expect(try x.norm(p: -.infinity).item() == 0)
    #expect(try x.norm(p: 0).item() == 3)
    #expect(Swift.abs(try x.norm(p: 3).item() - Float(Glibc.pow(27.0 + 64 + 1, 1.0 / 3))) < 1e-5)
}

@Test func softmaxFamily() throws {
    let x = try elemRandom([3, 4], seed: 31).mul(5)
    let v = x.toArray().map(Double.init)
    var ref = [Double](), logRef = [Double](), lse = [Double]()
    for r in 0..<3 {
        let row = Array(v[(r * 4)..<(r * 4 + 4)])
        let s = row.map { Glibc.exp($0) }.reduce(0, +)
        ref += row.map { Glibc.exp($0) / s }
        logRef += row.map { $0 - Glibc.log(s) }
        lse.append(Glibc.log(s))
    }
    #expect(elemClose(try x.softmax(dim: 1).toArray(), ref))
    #expect(elemClose(try x.logSoftmax(dim: -1).toArray(), logRef))
    #expect(elemClose(try x.logsumexp(dim: 1).toArray(), lse))
    // along dim 0 (strided lanes) equals the transpose's dim-1 result
    let xt = try Tensor(x.toArray(), shape: [3, 4])
    let viaT = try Tensor(xt.toArray(), shape: [3, 4]).softmax(dim: 0).toArray()
    let cols = elemReduceReference(x, dim: 0) { $0.map { Glibc.exp($0) }.reduce(0, +) }
    #expect(elemClose(viaT, v.enumerated().map { Glibc.exp($0.element) / cols[$0.offset % 4] }))
    // stability: huge inputs do not overflow
    let big = try Tensor([1000, 1000], shape: [2])
    #expect(try big.softmax(dim: 0).toArray() == [0.5, 0.5])
    #expect(elemClose(try big.logsumexp(dim: 0).toArray(), [1000 + Glibc.log(2.0)]))
    #expect(try Tensor([-.infinity, -.infinity], shape: [2]).logsumexp(dim: 0).item() == -.infinity)
    // long rows take the eight-lane max path; NaN anywhere gives NaN
    var long = (0..<21).map { Float($0) / 4 }
    let lseRef = Glibc.log(long.map { Glibc.exp(Double($0)) }.reduce(0, +))
    #expect(elemClose(try Tensor(long, shape: [21]).logsumexp(dim: 0).toArray(), [lseRef]))
    long[9] = .nan
    #expect(try Tensor(long, shape: [21]).logsumexp(dim: 0).item().isNaN)
    #expect(try Tensor(long, shape: [21]).softmax(dim: 0).toArray().allSatisfy { $0.isNaN })
}

@Test func reductionGradients() throws {
    let x = try elemRandom([3, 4], seed: 32, awayFromZero: true)
    let ops: [(Tensor) throws -> Tensor] = [
        { try $0.sum() }, { try $0.sum(dim: 0) }, { try $0.sum(dim: 1, keepdim: true) }, { try $0.sum(dims: [0, 1]) },
        { try $0.mean() }, { try $0.mean(dim: 1) }, { try $0.variance() }, { try $0.variance(dim: 0) },
        { try $0.std(dim: 1, keepdim: true) }, { try $0.std() }, { try $0.prod() }, { try $0.prod(dim: 1) },
        { try $0.norm() }, { try $0.norm(p: 1, dim: 0) }, { try $0.norm(p: 3, dim: 1) }, { try $0.norm(p: .infinity) },
        { try $0.amax() }, { try $0.amin() },
        { try $0.extremum(dim: 1, keepdim: false, op: "max", >).values },
        { try $0.extremum(dim: 0, keepdim: true, op: "min", <).values },
        { try $0.softmax(dim: 1) }, { try $0.softmax(dim: 0) }, { try $0.logSoftmax(dim: 1) },
        { try $0.logsumexp(dim: 0) }, { try $0.logsumexp(dim: 1, keepdim: true) },
        { try $0.sumTo(shape: [4]) }, { try $0.sumTo(shape: [3, 1]) },
    ]
    for (k, f) in ops.enumerated() { #expect(try elemGradCheck([x], eps: 1e-3) { try f($0[0]) }, "op \(k)") }
    // prod with zeros: exact gradient from prefix/suffix products
    let z = try Tensor([2, 0, 3], shape: [3])
    z.requiresGrad = true
    try z.prod().backward()
    #expect(z.grad?.toArray() == [0, 6, 0])
    // amax splits the gradient between ties
    let t = try Tensor([1, 3, 3], shape: [3])
    t.requiresGrad = true
    try t.amax().backward()
    #expect(t.grad?.toArray() == [0, 0.5, 0.5])
}

@Test func reductionsDoNotDependOnThreadCount() throws {
    let saved = Parallel.threads
    defer { Parallel.threads = saved }
    let x = try elemRandom([300, 1000], seed: 33)
    Parallel.threads = 1
    let a = try [x.sum(), x.sum(dim: 0), x.sum(dim: 1), x.variance(), x.norm(), x.softmax(dim: 1)].map { $0.toArray() }
    Parallel.threads = 2
    let b = try [x.sum(), x.sum(dim: 0), x.sum(dim: 1), x.variance(), x.norm(), x.softmax(dim: 1)].map { $0.toArray() }
    #expect(a == b)
    #expect(elemClose(a[0], [elemSum(x.toArray().map(Double.init))], tol: 1e-6))
}

extension Double { var float: Float { Float(self) } }
