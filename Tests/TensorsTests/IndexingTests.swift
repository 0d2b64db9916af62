import Testing
@testable import Tensors

extension ViewsOpsTests {
    @Test func indexSelectCopiesOneBasedSlices() throws {
        let m = try VF.seq([3, 2])
        let idx = try Tensor([3, 1, 3], shape: [3])
        let r = try m.indexSelect(dim: 0, index: idx)
        #expect(r.shape == [3, 2] && r.toArray() == [5, 6, 1, 2, 5, 6])
        #expect(r.storage !== m.storage)
        let c = try m.indexSelect(dim: -1, index: Tensor([2], shape: []))
        #expect(c.shape == [3, 1] && c.toArray() == [2, 4, 6])
        #expect(try m.t().indexSelect(dim: 1, index: Tensor([2], shape: [1])).toArray() == [3, 4])
    }

    @Test func indexSelectErrorsNameTheBadIndex() throws {
        let m = try VF.seq([3, 2])
        let msg = VF.error { try m.indexSelect(dim: 0, index: Tensor([1, 4], shape: [2])) }
        #expect(msg?.contains("index 4 at position 2 is out of range for dim 0 of size 3") == true)
        #expect(VF.error { try m.indexSelect(dim: 0, index: Tensor([0], shape: [1])) }?.contains("index 0") == true)
        #expect(VF.error { try m.indexSelect(dim: 0, index: Tensor([1.5], shape: [1])) }?.contains("1.5") == true)
        #expect(VF.error { try m.indexSelect(dim: 0, index: Tensor([1, 1], shape: [1, 2])) } != nil)
        #expect(VF.error { try m.indexSelect(dim: 2, index: Tensor([1], shape: [1])) } != nil)
    }

    @Test func gatherAndScatterAdd() throws {
        let m = try VF.seq([2, 3])                       // [[1,2,3],[4,5,6]]
        let idx = try Tensor([3, 1, 2, 2], shape: [2, 2])
        let g = try m.gather(dim: 1, index: idx)
        #expect(g.shape == [2, 2] && g.toArray() == [3, 1, 5, 5])
        let g0 = try m.gather(dim: 0, index: Tensor([2, 1, 2], shape: [1, 3]))
        #expect(g0.toArray() == [4, 2, 6])
        let z = try Tensor([Float](repeating: 0, count: 6), shape: [2, 3])
        let s = try z.scatterAdd(dim: 1, index: idx, src: Tensor([10, 20, 30, 40], shape: [2, 2]))
        #expect(s.toArray() == [20, 0, 10, 0, 70, 0])
        #expect(VF.error { try m.gather(dim: 1, index: Tensor([4], shape: [1, 1])) }?.contains("index 4") == true)
        #expect(VF.error { try m.gather(dim: 1, index: Tensor([1, 1, 1], shape: [3, 1])) }?.contains("larger") == true)
        #expect(VF.error { try m.gather(dim: 1, index: Tensor([1], shape: [1])) } != nil)
        #expect(VF.error { try z.scatterAdd(dim: 1, index: idx, src: Tensor([1, 2], shape: [2])) }?.contains("same number of dims") == true)
        #expect(VF.error { try z.scatterAdd(dim: 1, index: idx, src: Tensor([1, 2], shape: [2, 1])) }?.contains("larger than the src") == true)
        #expect(VF.error { try z.scatterAdd(dim: 0, index: idx, src: Tensor([1, 2, 3, 4], shape: [2, 2])) }?.contains("index 3") == true)
        #expect(VF.error { try Tensor([1], shape: []).gather(dim: 0, index: Tensor([1], shape: [])) } != nil)
    }

    @Test func catAndStack() throws {
        let a = try VF.seq([2, 2]), b = try VF.seq([1, 2])
        let c = try Tensor.cat([a, b], dim: 0)
        #expect(c.shape == [3, 2] && c.toArray() == [1, 2, 3, 4, 1, 2])
        let d = try Tensor.cat([a, a.t()], dim: -1)
        #expect(d.shape == [2, 4] && d.toArray() == [1, 2, 1, 3, 3, 4, 2, 4])
        #expect(try Tensor.cat([a, Tensor([], shape: [0, 2])], dim: 0).shape == [2, 2])
        #expect(VF.error { try Tensor.cat([a, b], dim: 1) }?.contains("sizes must match except in dim 1") == true)
        #expect(VF.error { try Tensor.cat([], dim: 0) } != nil)
        #expect(VF.error { try Tensor.cat([a, VF.seq([4])], dim: 0) } != nil)
        let s = try Tensor.stack([VF.seq([3]), VF.seq([3])], dim: 1)
        #expect(s.shape == [3, 2] && s.toArray() == [1, 1, 2, 2, 3, 3])
        #expect(try Tensor.stack([a, a], dim: -1).shape == [2, 2, 2])
        #expect(VF.error { try Tensor.stack([a, b], dim: 0) }?.contains("same shape") == true)
        #expect(VF.error { try Tensor.stack([a], dim: 4) } != nil)
    }

    @Test func assignWritesThroughSelect() throws {
        let m = try VF.seq([3, 2])
        try m.assign(dim: 0, index: 1, value: Tensor([7, 8], shape: [2]))
        try m.assign(dim: 0, index: -1, value: 0)
        #expect(m.toArray() == [1, 2, 7, 8, 0, 0])
        try m.assign(dim: 1, index: 0, value: Tensor([9], shape: [1]))
        #expect(m.toArray() == [9, 2, 9, 8, 9, 0])
        // Overlapping source: rows shift without reading half-written data.
        try m.assign(dim: 0, index: 0, value: m.select(dim: 0, index: 1))
        #expect(m.toArray() == [9, 8, 9, 8, 9, 0])
        #expect(VF.error { try m.assign(dim: 0, index: 0, value: Tensor([1, 2, 3], shape: [3])) }?.contains("cannot be broadcast") == true)
        #expect(VF.error { try m.assign(dim: 0, index: 3, value: 1) } != nil)
        let w = try VF.seq([2], grad: true)
        #expect(VF.error { try w.assign(dim: 0, index: 0, value: 1) }?.contains("requires grad") == true)
        _ = try GradMode.withoutGrad { try w.assign(dim: 0, index: 0, value: 5) }
        #expect(w.toArray() == [5, 2])
    }

    @Test func indexingGradients() throws {
        let x = try VF.rand([3, 4], grad: true)
        try VF.check({ try $0[0].indexSelect(dim: 0, index: Tensor([3, 1, 3], shape: [3])) }, [x])
        try VF.check({ try $0[0].indexSelect(dim: 1, index: Tensor([2, 4], shape: [2])) }, [x])
        try VF.check({ try $0[0].gather(dim: 1, index: Tensor([1, 1, 4, 2, 3, 3], shape: [3, 2])) }, [x])
        let src = try VF.rand([2, 2], seed: 2, grad: true)
        try VF.check({ try $0[0].scatterAdd(dim: 1, index: Tensor([1, 1, 4, 2], shape: [2, 2]), src: $0[1]) }, [x, src])
        let y = try VF.rand([2, 4], seed: 3, grad: true)
        try VF.check({ try Tensor.cat([$0[0], $0[1]], dim: 0) }, [x, y])
        try VF.check({ try Tensor.stack([$0[0], $0[0].narrow(dim: 0, start: 0, length: 3)], dim: 1) }, [x])
    }
}
