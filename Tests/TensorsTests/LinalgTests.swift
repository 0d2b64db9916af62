import Testing
@testable import Tensors

/// The reference product: a naive triple loop over row-major arrays, in Double.
private func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var out = [Float](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n {
        var s = 0.0
        for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
        out[i * n + j] = Float(s)
    } }
    return out
}

private func close(_ x: [Float], _ y: [Float], tol: Float = 1e-4) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= tol * max(1, abs($1)) }
}

/// [rows, cols] with values from `seed`, laid out contiguous or as the transpose of a
/// [cols, rows] buffer, or as a column-strided slice of a wider matrix.
private func matrix(_ rows: Int, _ cols: Int, layout: Int, seed: UInt64) throws -> Tensor {
    switch layout {
    case 0: return try VF.rand([rows, cols], seed: seed)
    case 1: return try VF.rand([cols, rows], seed: seed).t()
    default: return try VF.rand([rows, 2 * cols], seed: seed).narrow(dim: 1, start: 1, length: cols * 2 - 1)
                .view([rows, cols * 2 - 1]).narrow(dim: 1, start: 0, length: cols)   // row stride 2·cols
    }
}

extension ViewsOpsTests {
    @Test func mmMatchesNaiveForEveryLayout() throws {
        for la in 0..<3 { for lb in 0..<3 {
            let a = try matrix(5, 7, layout: la, seed: 1), b = try matrix(7, 3, layout: lb, seed: 2)
            let c = try a.mm(b)
            #expect(c.shape == [5, 3])
            #expect(close(c.toArray(), naiveMatmul(a.toArray(), b.toArray(), m: 5, k: 7, n: 3)), "layouts \(la) \(lb)")
        } }
        // Every-other-column view: neither layout works for BLAS, so it is copied.
        let wide = try VF.rand([4, 6], seed: 3)
        let strided = try wide.view([4, 3, 2]).select(dim: 2, index: 0)   // strides [6, 2]
        let b = try VF.rand([3, 2], seed: 4)
        #expect(close(try strided.mm(b).toArray(), naiveMatmul(strided.toArray(), b.toArray(), m: 4, k: 3, n: 2)))
        // Expanded (stride 0) operands.
        let row = try VF.rand([1, 3], seed: 5).expand([4, 3])
        #expect(close(try row.mm(b).toArray(), naiveMatmul(row.toArray(), b.toArray(), m: 4, k: 3, n: 2)))
    }

    @Test func matmulVectorCases() throws {
        let a = try VF.rand([4, 3], seed: 1), v = try VF.rand([3], seed: 2), u = try VF.rand([4], seed: 3)
        let av = try a.matmul(v)
        #expect(av.shape == [4] && close(av.toArray(), naiveMatmul(a.toArray(), v.toArray(), m: 4, k: 3, n: 1)))
        let atv = try a.t().matmul(u)
        let at = try a.t().toArray()
        #expect(atv.shape == [3] && close(atv.toArray(), naiveMatmul(at, u.toArray(), m: 3, k: 4, n: 1)))
        let ua = try u.matmul(a)
        #expect(ua.shape == [3] && close(ua.toArray(), naiveMatmul(u.toArray(), a.toArray(), m: 1, k: 4, n: 3)))
        let d = try v.matmul(v)
        let dv = try d.item()
        #expect(d.shape == [] && close([dv], naiveMatmul(v.toArray(), v.toArray(), m: 1, k: 3, n: 1)))
        #expect(try v.dot(v).item() == dv)
        let o = try Tensor.outer(u, v)
        #expect(o.shape == [4, 3] && close(o.toArray(), naiveMatmul(u.toArray(), v.toArray(), m: 4, k: 1, n: 3)))
        // Strided vectors.
        let sv = try VF.rand([3, 2], seed: 6).select(dim: 1, index: 1)
        let asv = try a.matmul(sv).toArray()
        #expect(close(asv, naiveMatmul(a.toArray(), sv.toArray(), m: 4, k: 3, n: 1)))
    }

    @Test func batchedMatmul() throws {
        let a = try VF.rand([3, 4, 5], seed: 1), b = try VF.rand([3, 5, 2], seed: 2)
        let c = try a.matmul(b)
        #expect(c.shape == [3, 4, 2])
        let ab = try VF.rand([3, 2, 5], seed: 3).transpose(1, 2)   // transposed batch of [5, 2]
        let c2 = try a.matmul(ab)
        for i in 0..<3 {
            let ai = try a.select(dim: 0, index: i).toArray()
            #expect(close(try c.select(dim: 0, index: i).toArray(), naiveMatmul(ai, try b.select(dim: 0, index: i).toArray(), m: 4, k: 5, n: 2)))
            #expect(close(try c2.select(dim: 0, index: i).toArray(), naiveMatmul(ai, try ab.select(dim: 0, index: i).toArray(), m: 4, k: 5, n: 2)))
        }
        // 3-d × 2-d broadcasts the matrix; 2-d × 3-d broadcasts the other way.
        let w = try VF.rand([5, 6], seed: 4)
        let y = try a.matmul(w)
        #expect(y.shape == [3, 4, 6])
        let l = try VF.rand([2, 4], seed: 5)
        let z = try l.matmul(a)
        #expect(z.shape == [3, 2, 5])
        for i in 0..<3 {
            let ai = try a.select(dim: 0, index: i).toArray()
            #expect(close(try y.select(dim: 0, index: i).toArray(), naiveMatmul(ai, w.toArray(), m: 4, k: 5, n: 6)))
            #expect(close(try z.select(dim: 0, index: i).toArray(), naiveMatmul(l.toArray(), ai, m: 2, k: 4, n: 5)))
        }
        #expect(try a.matmul(VF.rand([5])).shape == [3, 4])
        #expect(try VF.rand([4]).matmul(a).shape == [3, 5])
        #expect(try VF.rand([2, 3, 4, 5]).matmul(VF.rand([2, 3, 5, 1])).shape == [2, 3, 4, 1])
        // A batch of one broadcasts against any batch; an empty batch gives an empty result.
        let one = try VF.rand([1, 4, 5], seed: 7)
        let ob = try one.matmul(b)
        #expect(ob.shape == [3, 4, 2])
        let o0 = try one.select(dim: 0, index: 0).toArray()
        #expect(close(try ob.select(dim: 0, index: 2).toArray(), naiveMatmul(o0, try b.select(dim: 0, index: 2).toArray(), m: 4, k: 5, n: 2)))
        #expect(try Tensor([], shape: [0, 4, 5]).matmul(VF.rand([1, 5, 2])).shape == [0, 4, 2])
    }

    @Test func matmulErrorsAndEmpty() throws {
        let msg = VF.error { try VF.rand([3, 4]).matmul(VF.rand([5, 6])) }
        #expect(msg == "matmul: shapes [3, 4] and [5, 6] cannot be multiplied (4 != 5)")
        #expect(VF.error { try VF.rand([3]).matmul(VF.rand([4])) }?.contains("(3 != 4)") == true)
        #expect(VF.error { try VF.rand([2, 3, 4]).matmul(VF.rand([3, 4, 2])) }?.contains("batch dims") == true)
        #expect(VF.error { try VF.rand([3, 4]).mm(VF.rand([4])) }?.contains("expected 2-d") == true)
        #expect(VF.error { try Tensor([1], shape: []).matmul(VF.rand([1])) } != nil)
        #expect(VF.error { try VF.rand([2, 2]).dot(VF.rand([2, 2])) } != nil)
        #expect(VF.error { try Tensor.bmm(VF.rand([2, 3, 4]), VF.rand([3, 4, 2])) }?.contains("batch sizes 2 and 3") == true)
        #expect(VF.error { try Tensor.bmm(VF.rand([2, 3, 4]), VF.rand([2, 3, 2])) }?.contains("(4 != 3)") == true)
        #expect(VF.error { try Tensor.bmm(VF.rand([3, 4]), VF.rand([4, 2])) }?.contains("expected 3-d") == true)
        let z = try Tensor([], shape: [3, 0]).mm(Tensor([], shape: [0, 2]))
        #expect(z.shape == [3, 2] && z.toArray() == [Float](repeating: 0, count: 6))
        #expect(try Tensor([], shape: [0, 4]).mm(VF.rand([4, 2])).shape == [0, 2])
    }

    @Test func addmm() throws {
        let x = try VF.rand([4, 3], seed: 1), w = try VF.rand([5, 3], seed: 2), bias = try VF.rand([5], seed: 3)
        let expected = naiveMatmul(x.toArray(), try w.t().toArray(), m: 4, k: 3, n: 5)
        let bv = bias.toArray()
        let s = try bias.addmm(x, w.t(), beta: 0.5, alpha: 2)
        let want: [Float] = (0..<20).map { i in 2 * expected[i] + 0.5 * bv[i % 5] }
        #expect(close(s.toArray(), want))
    }

    @Test func linalgGradients() throws {
        let a = try VF.rand([3, 4], seed: 1, grad: true), b = try VF.rand([4, 2], seed: 2, grad: true)
        try VF.check({ try $0[0].mm($0[1]) }, [a, b])
        let at = try VF.rand([4, 3], seed: 3, grad: true), bt = try VF.rand([2, 4], seed: 4, grad: true)
        try VF.check({ try $0[0].t().mm($0[1].t()) }, [at, bt])
        let v = try VF.rand([4], seed: 5, grad: true), u = try VF.rand([3], seed: 6, grad: true)
        try VF.check({ try $0[0].matmul($0[1]) }, [a, v])
        try VF.check({ try $0[1].matmul($0[0]) }, [a, u])
        try VF.check({ try $0[0].dot($0[1]) }, [v, try VF.rand([4], seed: 7, grad: true)])
        try VF.check({ try Tensor.outer($0[0], $0[1]) }, [u, v])
        let x3 = try VF.rand([2, 3, 4], seed: 8, grad: true), y3 = try VF.rand([2, 4, 2], seed: 9, grad: true)
        try VF.check({ try $0[0].matmul($0[1]) }, [x3, y3])
        try VF.check({ try $0[0].matmul($0[1]) }, [x3, b])                      // 3-d × 2-d
        try VF.check({ try $0[0].matmul($0[1]) }, [try VF.rand([2, 3], seed: 10, grad: true), x3])   // 2-d × 3-d
        try VF.check({ try Tensor.bmm($0[0], $0[1]) }, [try VF.rand([1, 3, 4], seed: 11, grad: true), y3])
        try VF.check({ try Tensor.bmm($0[0], $0[1]) }, [x3, try VF.rand([1, 4, 2], seed: 12, grad: true)])
        let w = try VF.rand([2, 4], seed: 13, grad: true), bias = try VF.rand([2], seed: 14, grad: true)
        try VF.check({ try $0[2].addmm($0[0], $0[1].t(), beta: 0.5, alpha: 2) }, [a, w, bias])
    }
}
