import Testing
@testable import Tensors

// Every loop of the generic elementwise drivers (EW.map1/2/3): dense, scalar operand on either
// side, strided rows with unit, broadcast (stride 0) and general strides. The tensors span
// several chunks (`Parallel.defaultChunk`) with chunk boundaries inside rows, and each result
// must be the same bit for bit on 1 and 2 threads (2 threads run the chunks from Dispatch).

private let rows = 300, cols = 701  // 210,300 elements: 4 chunks, boundaries mid-row

/// `f()` on 1 and on 2 threads; expects identical results and returns them.
private func onOneAndTwoThreads(_ label: String, _ f: () throws -> Tensor) throws -> [Float] {
    let saved = Parallel.threads
    defer { Parallel.threads = saved }
    Parallel.threads = 1
    let one = try f().toArray()
    Parallel.threads = 2
    let two = try f().toArray()
    #expect(one == two, "\(label): 1 and 2 threads differ")
    return one
}

@Test func binaryKernelPathsMatchTheReference() throws {
    let a = try elemRandom([rows, cols], seed: 21), column = try elemRandom([rows, 1], seed: 22)
    let transposed = try elemTransposed(rows: rows, cols: cols, seed: 23)
    let s = try Tensor.scalar(0.75)
    // Sub is not symmetric: an operand read from the wrong side shows.
    let cases: [(String, Tensor, Tensor)] = [
        ("dense - dense", a, try transposed.contiguous()),
        ("dense - scalar", a, s),
        ("scalar - dense", s, a),
        ("dense - column (inner strides 1, 1, 0)", a, column),
        ("column - dense (inner strides 1, 0, 1)", column, a),
        ("transposed - dense (general strides)", transposed, a),
    ]
    for (label, x, y) in cases {
        let out = try onOneAndTwoThreads(label) { try x.sub(y) }
        #expect(elemClose(out, try elemReference(x, y, -), tol: 1e-6), "\(label)")
    }
}

@Test func unaryKernelPathsMatchTheReference() throws {
    let column = try elemRandom([rows, 1], seed: 24).expand([rows, cols])  // inner stride 0
    let transposed = try elemTransposed(rows: rows, cols: cols, seed: 25)  // general strides
    for (label, x) in [("dense", try transposed.contiguous()), ("expanded column", column), ("transposed", transposed)] {
        let out = try onOneAndTwoThreads(label) { try x.sub(0.5).neg() }
        #expect(elemClose(out, x.toArray().map { 0.5 - Double($0) }, tol: 1e-6), "\(label)")
    }
}

@Test func ternaryKernelPathsMatchTheReference() throws {
    let mask = try elemRandom([rows, cols], seed: 26).gt(0)
    let a = try elemRandom([rows, cols], seed: 27), b = try elemRandom([rows, cols], seed: 28)
    let transposed = try elemTransposed(rows: rows, cols: cols, seed: 29), row = try elemRandom([cols], seed: 30)
    let cases: [(String, Tensor, Tensor)] = [("dense", a, b), ("strided", transposed, row)]
    for (label, x, y) in cases {
        let out = try onOneAndTwoThreads(label) { try Tensor.where(mask, x, y) }
        let xv = try x.broadcastCopy(to: [rows, cols]).toArray(), yv = try y.broadcastCopy(to: [rows, cols]).toArray()
        let expected = zip(mask.toArray(), zip(xv, yv)).map { Double($0 != 0 ? $1.0 : $1.1) }
        #expect(elemClose(out, expected, tol: 0), "\(label)")
    }
}

@Test func inPlaceKernelsWithCapturedScalarsSplitOverThreads() throws {
    let base = try elemRandom([rows, cols], seed: 31), g = try elemRandom([rows, cols], seed: 32)
    let out = try onOneAndTwoThreads("add_ alpha, addcmul_") {
        let t = try base.contiguous().clone()
        return try t.add_(g, alpha: -0.25).addcmul_(g, g, value: 0.5)
    }
    let expected = zip(base.toArray(), g.toArray()).map { Double(($0 + -0.25 * $1) + 0.5 * $1 * $1) }
    #expect(elemClose(out, expected, tol: 1e-6))
}
