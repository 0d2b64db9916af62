import Testing
@testable import Tensors

/// Edge cases, orderings and errors of the ops of TensorOpsFixtureTests (whose values and
/// gradients come from PyTorch): ties, NaN, zeros, 0-d and empty tensors, bad arguments.
@Suite struct TensorOpsTests {
    static func t(_ v: [Float], _ shape: [Int]? = nil) throws -> Tensor { try Tensor(v, shape: shape ?? [v.count]) }

    @Test func sortIsStableAndPutsNaNLast() throws {
        let x = try Self.t([2, .nan, 1, 2, 1, -.infinity])
        let (v, i) = try x.sort()
        #expect(i.toArray() == [6, 3, 5, 1, 4, 2])
        #expect(v.toArray()[0] == -.infinity && v.toArray()[5].isNaN)
        let (dv, di) = try x.sort(descending: true)
        #expect(di.toArray() == [2, 1, 4, 3, 5, 6])   // NaN first, ties in original order
        #expect(dv.toArray()[0].isNaN)
        #expect(try x.argsort().toArray() == i.toArray())
    }

    @Test func topkTiesKeepTheEarlierPosition() throws {
        let x = try Self.t([1, 3, 3, 2, 3], [1, 5])
        let (v, i) = try x.topk(2, dim: 1)
        #expect(v.toArray() == [3, 3] && i.toArray() == [2, 3])
        let (sv, si) = try x.topk(1, dim: -1, largest: false)
        #expect(sv.toArray() == [1] && si.toArray() == [1] && si.shape == [1, 1])
        #expect(try x.topk(0, dim: 1).values.shape == [1, 0])
        #expect(VF.error { try x.topk(6, dim: 1) } == "topk: k must be in [0, 5] for dim 2 of shape [1, 5], got 6")
        #expect(VF.error { try x.topk(-1, dim: 1) } != nil)
        #expect(VF.error { try x.topk(1, dim: 2) }?.contains("dim 2 is out of range") == true)
    }

    @Test func zeroDimAndEmptyInputs() throws {
        let s = try Tensor.scalar(4)
        #expect(try s.sort().values.shape == [] && s.sort().indices.item() == 1)
        #expect(try s.cumsum(dim: 0).item() == 4 && s.cumprod(dim: -1).item() == 4)
        #expect(try s.flip([0]).item() == 4 && s.roll([3]).item() == 4)
        let e = try Tensor.zeros([0, 3])
        #expect(try e.sort(dim: 0).values.shape == [0, 3])
        #expect(try e.cumsum(dim: 1).shape == [0, 3] && e.flip([0, 1]).shape == [0, 3])
        #expect(try e.roll([2], dims: [0]).shape == [0, 3])
        #expect(try e.tril().shape == [0, 3] && e.chunk(2, dim: 0).count == 1)
        #expect(try e.allNonzero().item() == 1 && e.anyNonzero().item() == 0)
        #expect(try e.unbind(dim: 0).isEmpty)
    }

    @Test func cumprodGradientIsExactAcrossZeros() throws {
        // d/dx of sum(cumprod(x)) for x = [2, 0, 3, 0]: [1, 2 + 6, 0, 0].
        let x = try Self.t([2, 0, 3, 0])
        x.requiresGrad = true
        try x.cumprod(dim: 0).sum().backward()
        #expect(x.grad?.toArray() == [1, 8, 0, 0])
        try VF.check({ try $0[0].cumprod(dim: 1) }, [try Tensor.randn([2, 4], generator: Generator(seed: 3)).requiresGrad(true)])
    }

    @Test func gradcheckOfTheNewOps() throws {
        let g = Generator(seed: 7)
        let x = try Tensor.randn([3, 4], generator: g).requiresGrad(true)
        let y = try Tensor.randn([4, 3], generator: g).requiresGrad(true)
        try VF.check({ try $0[0].sort(dim: 1).values }, [x])
        try VF.check({ try $0[0].topk(2, dim: 0).values }, [x])
        try VF.check({ try $0[0].cumsum(dim: 1) }, [x])
        try VF.check({ try $0[0].flip([0, 1]) }, [x])
        try VF.check({ try $0[0].roll([1, 2], dims: [0, 1]) }, [x])
        try VF.check({ try $0[0].tril(diagonal: 1) }, [x])
        try VF.check({ try $0[0].diagonal(offset: 1) }, [x])
        try VF.check({ try $0[0].diag(-1) }, [try Tensor.randn([3], generator: g).requiresGrad(true)])
        try VF.check({ try Tensor.einsum("ij,jk->ik", $0) }, [x, y])
        try VF.check({ try Tensor.einsum("ij,ji->", $0) }, [x, y])
        try VF.check({ try $0[0].norm(p: 2, dims: [0, 1]) }, [x])
        try VF.check({ try $0[0].scatter(dim: 1, index: Tensor([1, 3, 2], shape: [3, 1]), src: $0[1]) },
                     [x, try Tensor.randn([3, 1], generator: g).requiresGrad(true)])
        try VF.check({ try $0[0].indexAdd(dim: 1, index: Tensor([4, 1, 4], shape: [3]), source: $0[1], alpha: -1.5) },
                     [x, try Tensor.randn([3, 3], generator: g).requiresGrad(true)])
        let q = try Tensor.randn([1, 2, 3, 4], generator: g).requiresGrad(true)
        let k = try Tensor.randn([2, 1, 4, 3], generator: g).requiresGrad(true)
        try VF.check({ try $0[0].matmul($0[1]) }, [q, k])
    }

    @Test func matmulBroadcastsBatchDims() throws {
        let g = Generator(seed: 2)
        let a = try Tensor.randn([1, 3, 2, 4], generator: g), b = try Tensor.randn([2, 1, 4, 5], generator: g)
        let c = try a.matmul(b)
        #expect(c.shape == [2, 3, 2, 5])
        // Each batch equals the plain product of the broadcast pair.
        let ref = try a.select(dim: 0, index: 0).select(dim: 0, index: 2).mm(b.select(dim: 0, index: 1).select(dim: 0, index: 0))
        let got = try c.select(dim: 0, index: 1).select(dim: 0, index: 2)
        #expect(zip(ref.toArray(), got.toArray()).allSatisfy { abs($0 - $1) < 1e-5 })
        let msg = VF.error { try Tensor.zeros([2, 3, 2, 4]).matmul(Tensor.zeros([3, 2, 4, 5])) }
        #expect(msg == "matmul: batch dims [2, 3] and [3, 2] of shapes [2, 3, 2, 4] and [3, 2, 4, 5] cannot be broadcast")
    }

    @Test func einsumErrorsSayWhatIsWrong() throws {
        let a = try Tensor.zeros([2, 3]), b = try Tensor.zeros([3, 4])
        #expect(VF.error { try Tensor.einsum("ij,jk->il", [a, b]) } == "einsum: output subscript 'l' does not appear in the inputs of 'ij,jk->il'")
        #expect(VF.error { try Tensor.einsum("ij,jk", [a]) } == "einsum: 'ij,jk' has subscripts for 2 operands, got 1 tensor")
        #expect(VF.error { try Tensor.einsum("ijk,jk", [a, b]) }?.contains("operand 1 has 2 dims (shape [2, 3]) but subscripts 'ijk' name 3") == true)
        #expect(VF.error { try Tensor.einsum("ij,kj", [a, b]) } == "einsum: subscript 'j' has size 3 in operand 1 but 4 in operand 2")
        #expect(VF.error { try Tensor.einsum("i2,jk", [a, b]) }?.contains("invalid subscript '2'") == true)
        #expect(VF.error { try Tensor.einsum("ij->ii", [a]) }?.contains("appears more than once") == true)
        #expect(VF.error { try Tensor.einsum("ij->i->j", [a]) }?.contains("'->' appears more than once") == true)
        #expect(VF.error { try Tensor.einsum("...i...", [a]) }?.contains("'...' appears more than once") == true)
        #expect(VF.error { try Tensor.einsum("", []) } == "einsum: expected at least one operand")
        // A 0-d operand and a scalar equation.
        #expect(try Tensor.einsum(",i->i", [Tensor.scalar(2), Tensor.ones([3])]).toArray() == [2, 2, 2])
    }

    @Test func otherBadArguments() throws {
        let m = try Tensor.ones([2, 3])
        #expect(VF.error { try Tensor.ones([3]).tril() } == "tril: expected a tensor with at least 2 dims, got shape [3]")
        #expect(VF.error { try m.maskedFill(Tensor.ones([3, 3]), value: 1) }?.contains("cannot be broadcast") == true)
        #expect(VF.error { try m.maskedFill(Tensor.ones([2, 2, 3]), value: 1) }?.contains("does not broadcast to the input's shape [2, 3]") == true)
        #expect(VF.error { try m.split(sizes: [1, 1], dim: 1) }?.contains("add up to 3") == true)
        #expect(VF.error { try m.chunk(0) } != nil)
        #expect(VF.error { try m.flip([0, -2]) } == "flip: dim 1 appears more than once in the dims")
        #expect(VF.error { try m.roll([1, 2]) } != nil)
        #expect(VF.error { try m.diagonal(dim1: 1, dim2: -1) } != nil)
        #expect(VF.error { try m.trace() } == nil)
        #expect(VF.error { try Tensor.ones([2, 2, 2]).trace() } != nil)
        #expect(VF.error { try Tensor.ones([3]).diag(Int.min) } != nil)
        #expect(try Tensor.ones([3, 3]).tril(diagonal: Int.max).sum().item() == 9)
        #expect(try Tensor.ones([3, 3]).triu(diagonal: Int.min).sum().item() == 9)
        #expect(try Tensor.ones([3, 3]).diagonal(offset: Int.min).shape == [0])
        #expect(VF.error { try m.indexAdd(dim: 0, index: Tensor([1], shape: [1]), source: Tensor.ones([2, 3])) }?.contains("source must have shape [1, 3]") == true)
        #expect(VF.error { try m.scatter(dim: 1, index: Tensor([4], shape: [1, 1]), value: 0) }?.contains("index 4") == true)
        #expect(VF.error { try m.norm(p: 2, dims: [1, 1]) } != nil)
    }

    @Test func predicatesAndBooleanReductions() throws {
        let x = try Self.t([.nan, 1, .infinity, -.infinity, 0])
        #expect(try x.isnan().toArray() == [1, 0, 0, 0, 0])
        #expect(try x.isinf().toArray() == [0, 0, 1, 1, 0])
        #expect(try x.isfinite().toArray() == [0, 1, 0, 0, 1])
        #expect(try x.anyNonzero().item() == 1 && x.allNonzero().item() == 0)
        let m = try Self.t([0, 1, 0, 0], [2, 2])
        #expect(try m.anyNonzero(dim: 1, keepdim: true).toArray() == [1, 0])
        #expect(try m.anyNonzero(dim: 1, keepdim: true).shape == [2, 1])
    }

    @Test func clampWithTensorBounds() throws {
        let x = try Self.t([-2, 0, 2, 5])
        let lo = try Self.t([-1, 1, 1, 1]), hi = try Self.t([3, 3, 0, 3])
        #expect(try x.clamp(minTensor: lo, maxTensor: hi).toArray() == [-1, 1, 0, 3])   // min > max gives max
        #expect(try x.clamp(minTensor: nil, maxTensor: hi).toArray() == [-2, 0, 0, 3])
        #expect(VF.error { try x.clamp(minTensor: nil, maxTensor: nil) } != nil)
    }

    @Test func einsumAgreesWithMatmulForAttentionShapes() throws {
        let g = Generator(seed: 9)
        let q = try Tensor.randn([2, 3, 5, 4], generator: g), k = try Tensor.randn([2, 3, 6, 4], generator: g)
        let e = try Tensor.einsum("bhqd,bhkd->bhqk", [q, k])
        let m = try q.matmul(k.transpose(2, 3))
        #expect(e.shape == [2, 3, 5, 6])
        #expect(zip(e.toArray(), m.toArray()).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}

extension TensorOpsTests {
    @Test func inPlaceFormsWriteThroughViewsAndRefuseGradLeaves() throws {
        let m = try Tensor.ones([3, 3])
        let col = try m.select(dim: 1, index: 0)                 // a strided view
        try col.maskedFill_(Tensor([1, 0, 1], shape: [3]), value: Tensor.scalar(5))
        #expect(m.toArray() == [5, 1, 1, 1, 1, 1, 5, 1, 1])
        try m.tril_()
        #expect(m.toArray() == [5, 0, 0, 1, 1, 0, 5, 1, 1])
        try m.indexAdd_(dim: 0, index: Tensor([3], shape: [1]), source: Tensor.ones([1, 3]), alpha: 2)
        #expect(m.toArray() == [5, 0, 0, 1, 1, 0, 7, 3, 3])
        let w = try Tensor.ones([2, 2]).requiresGrad(true)
        #expect(VF.error { try w.triu_() } == "triu_: a leaf tensor that requires grad is used in an in-place operation")
        #expect(try GradMode.withoutGrad { try w.triu_() }.toArray() == [1, 1, 0, 1])
    }

    @Test func compositeOpsEdgeCases() throws {
        #expect(try Tensor.scalar(3).nonzero().shape == [1, 0] && Tensor.scalar(0).nonzero().shape == [0, 0])
        #expect(try Tensor.zeros([2, 2]).nonzero().shape == [0, 2])
        #expect(VF.error { try Tensor.ones([2, 2]).tile([-1]) } != nil)
        #expect(VF.error { try Tensor.ones([2, 2]).repeated([2]) } != nil)
        #expect(VF.error { try Tensor.ones([2]).tile([Int.max / 2 + 1, 2]) }?.contains("too many elements") == true)
        #expect(VF.error { try Tensor.ones([4]).tile([Int.max, Int.max]) } != nil)
        #expect(try Tensor([1, 2, 4], shape: [3]).diff(n: 5).shape == [0])
        #expect(VF.error { try Tensor.ones([2, 3]).movedim([0, 0], [1, 0]) } != nil)
        #expect(VF.error { try Tensor.tensordot(Tensor.ones([2]), Tensor.ones([2]), dims: 3) } != nil)
        #expect(VF.error { try Tensor.zeros([0, 3]).amax(dims: [0]) } != nil)
        #expect(try Tensor.zeros([0, 3]).amax(dims: [1]).shape == [0])
        #expect(try Tensor.ones([2, 3]).maskedSelect(Tensor.zeros([3])).shape == [0])
    }
}

extension TensorOpsTests {
    @Test func orderStatisticsAndRunningExtremesEdgeCases() throws {
        let x = try Tensor([3, .nan, 1, 2], shape: [4])
        let (m, i) = try x.median(dim: 0)
        #expect(try m.item().isNaN && i.item() == 2)                   // NaN propagates
        #expect(try x.quantile([0.1], dim: 0, scalarQ: true).item().isNaN)
        #expect(try Tensor([4, 1, 3, 2], shape: [4]).median().item() == 2)   // lower median
        let (cv, ci) = try Tensor([1, 3, 3, 2, .nan, 5], shape: [6]).cummax(dim: 0)
        #expect(ci.toArray() == [1, 2, 3, 3, 5, 5])                    // latest tie; NaN stays
        #expect(cv.toArray()[4].isNaN && cv.toArray()[5].isNaN)
        #expect(VF.error { try x.kthvalue(5) } == "kthvalue: k must be in [1, 4] for dim 1 of shape [4], got 5")
        #expect(VF.error { try x.quantile([1.5]) } == "quantile: q must be in [0, 1], got 1.5")
        #expect(VF.error { try Tensor.zeros([0]).median() } != nil)
        #expect(try Tensor([-.infinity, 0], shape: [2]).logcumsumexp(dim: 0).toArray() == [-.infinity, 0])
        #expect(try Tensor.scalar(2).kthvalue(1).values.item() == 2)
        #expect(try Tensor.ones([2, 3]).quantile([0.5, 0.5]).shape == [2])
        #expect(try Tensor.ones([2, 3]).quantile([0.5], dim: nil, keepdim: true, scalarQ: true).shape == [1, 1])
    }
}

private extension Tensor {
    func requiresGrad(_ flag: Bool) -> Tensor { requiresGrad = flag; return self }
}
