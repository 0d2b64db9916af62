import Testing
@testable import Tensors

/// Small fixtures for the view/indexing/linalg/autograd tests (namespaced to avoid clashes).
/// The view, indexing, linalg and autograd tests, run one at a time: grad mode is process-wide
/// state (`GradMode.isEnabled`), and backward or `withoutGrad` in one test would otherwise turn
/// recording off under a test running in parallel.
@Suite(.serialized) struct ViewsOpsTests {}

enum VF {
    /// 1, 2, 3, ... in `shape`.
    static func seq(_ shape: [Int], grad: Bool = false) throws -> Tensor {
        let n = shape.reduce(1, *)
        let t = try Tensor((0..<n).map { Float($0 + 1) }, shape: shape)
        t.requiresGrad = grad
        return t
    }

    /// Deterministic pseudo-random values in [-1, 1).
    static func rand(_ shape: [Int], seed: UInt64 = 1, grad: Bool = false) throws -> Tensor {
        let t = try Tensor(uninitializedShape: shape)
        Generator(seed: seed).fillUniform(t.pointer, count: t.count, from: -1, to: 1)
        t.requiresGrad = grad
        return t
    }

    /// The message of the TensorError thrown by `body`, or nil.
    static func error(_ body: () throws -> Any) -> String? {
        do { _ = try body(); return nil } catch let e as TensorError { return e.message } catch { return "\(error)" }
    }

    static func check(_ f: ([Tensor]) throws -> Tensor, _ inputs: [Tensor]) throws {
        let r = try Autograd.gradcheck(f, inputs: inputs)
        #expect(r.passed, "\(r)")
    }
}

extension ViewsOpsTests {
    @Test func selectRemovesDimAndSharesStorage() throws {
        let m = try VF.seq([3, 4])
        let row = try m.select(dim: 0, index: 1)
        #expect(row.shape == [4] && row.strides == [1] && row.offset == 4)
        #expect(row.toArray() == [5, 6, 7, 8])
        let col = try m.select(dim: -1, index: -1)
        #expect(col.shape == [3] && col.strides == [4])
        #expect(col.toArray() == [4, 8, 12])
        col.pointer[col.strides[0]] = 100   // writes through the view
        #expect(m.toArray()[7] == 100)
        #expect(col.storage === m.storage)
    }

    @Test func selectErrors() throws {
        let m = try VF.seq([3, 4])
        #expect(VF.error { try m.select(dim: 2, index: 0) }?.contains("dim 2 is out of range for a 2-d tensor") == true)
        #expect(VF.error { try m.select(dim: 0, index: 3) }?.contains("index 3 is out of range for dim 0 of size 3") == true)
        #expect(VF.error { try m.select(dim: 0, index: -4) } != nil)
        #expect(VF.error { try Tensor([1], shape: []).select(dim: 0, index: 0) } != nil)
        #expect(VF.error { try Tensor([], shape: [0]).select(dim: 0, index: 0) } != nil)
    }

    @Test func narrowViews() throws {
        let m = try VF.seq([4, 3])
        let n = try m.narrow(dim: 0, start: 1, length: 2)
        #expect(n.shape == [2, 3] && n.strides == [3, 1] && n.offset == 3)
        #expect(n.toArray() == [4, 5, 6, 7, 8, 9])
        let c = try m.narrow(dim: 1, start: -2, length: 2)
        #expect(c.toArray() == [2, 3, 5, 6, 8, 9, 11, 12])
        #expect(try m.narrow(dim: 0, start: 4, length: 0).shape == [0, 3])
        #expect(VF.error { try m.narrow(dim: 0, start: 3, length: 2) }?.contains("exceeds dim 0 of size 4") == true)
        #expect(VF.error { try m.narrow(dim: 0, start: 0, length: -1) } != nil)
        #expect(VF.error { try m.narrow(dim: 5, start: 0, length: 1) } != nil)
    }

    @Test func transposePermuteAndT() throws {
        let x = try VF.seq([2, 3, 4])
        let t = try x.transpose(0, -1)
        #expect(t.shape == [4, 3, 2] && t.strides == [1, 4, 12] && !t.isContiguous)
        #expect(t.toArray()[0..<4] == [1, 13, 5, 17])
        let p = try x.permute([1, 2, 0])
        #expect(p.shape == [3, 4, 2] && p.strides == [4, 1, 12])
        #expect(p.storage === x.storage)
        let m = try VF.seq([2, 3])
        #expect(try m.t().toArray() == [1, 4, 2, 5, 3, 6])
        #expect(try VF.seq([3]).t().shape == [3])
        #expect(VF.error { try x.t() }?.contains("at most 2 dimensions") == true)
        #expect(VF.error { try x.permute([0, 0, 1]) }?.contains("more than once") == true)
        #expect(VF.error { try x.permute([0, 1]) } != nil)
        #expect(VF.error { try x.transpose(0, 3) } != nil)
    }

    @Test func unsqueezeSqueeze() throws {
        let v = try VF.seq([3])
        #expect(try v.unsqueeze(0).shape == [1, 3])
        #expect(try v.unsqueeze(-1).shape == [3, 1])
        #expect(try v.unsqueeze(1).strides == [1, 1])
        let x = try VF.seq([1, 3, 1])
        #expect(try x.squeeze().shape == [3])
        #expect(try x.squeeze(-1).shape == [1, 3])
        #expect(try x.squeeze(1).shape == [1, 3, 1])   // size 3: unchanged, as in PyTorch
        #expect(VF.error { try v.unsqueeze(2) } != nil)
        #expect(VF.error { try x.squeeze(3) } != nil)
    }

    @Test func viewAndReshape() throws {
        let x = try VF.seq([2, 3, 4])
        let v = try x.view([6, -1])
        #expect(v.shape == [6, 4] && v.strides == [4, 1] && v.storage === x.storage)
        // A transposed tensor can still be viewed when only contiguous runs are merged or split.
        let t = try x.transpose(1, 2)            // [2, 4, 3], strides [12, 1, 4]
        let split = try t.view([2, 2, 2, 3])
        #expect(split.strides == [12, 2, 1, 4])
        #expect(split.toArray() == t.toArray())
        #expect(VF.error { try t.view([2, 12]) }?.contains("use reshape") == true)
        let r = try t.reshape([2, 12])
        #expect(r.storage !== x.storage && r.toArray() == t.toArray())
        #expect(try x.reshape([24]).storage === x.storage)
        #expect(VF.error { try x.view([5, -1]) }?.contains("invalid for a tensor of 24 elements") == true)
        #expect(VF.error { try x.view([-1, -1]) } != nil)
        #expect(VF.error { try x.view([-2, 12]) } != nil)
        #expect(try Tensor([], shape: [0, 3]).view([-1, 3]).shape == [0, 3])
        #expect(try Tensor([7], shape: []).view([1, 1]).shape == [1, 1])
    }

    @Test func flattenAndExpand() throws {
        let x = try VF.seq([2, 3, 4])
        #expect(try x.flatten().shape == [24])
        #expect(try x.flatten(startDim: 1).shape == [2, 12])
        #expect(try x.flatten(startDim: 0, endDim: 1).shape == [6, 4])
        #expect(try Tensor([5], shape: []).flatten().shape == [1])
        #expect(VF.error { try x.flatten(startDim: 2, endDim: 1) } != nil)
        let b = try VF.seq([3, 1])
        let e = try b.expand([2, -1, 4])
        #expect(e.shape == [2, 3, 4] && e.strides == [0, 1, 0] && e.storage === b.storage)
        #expect(e.toArray()[0..<8] == [1, 1, 1, 1, 2, 2, 2, 2])
        #expect(try b.expand([3, 1]).strides == b.strides)
        #expect(VF.error { try b.expand([4, 4]) }?.contains("cannot be expanded") == true)
        #expect(VF.error { try b.expand([4]) } != nil)
        #expect(VF.error { try b.expand([-1, 3, 1]) } != nil)
    }

    @Test func writesThroughViewsReachTheBase() throws {
        let x = try VF.seq([2, 3])
        let t = try x.t()                       // [3, 2]
        t.pointer[1 * t.strides[0] + 0 * t.strides[1]] = -1   // t[1][0] is x[0][1]
        #expect(x.toArray()[1] == -1)
        let v = try x.view([3, 2])
        v.pointer[5] = -6
        #expect(x.toArray()[5] == -6)
        let n = try x.narrow(dim: 1, start: 1, length: 2).unsqueeze(0).permute([1, 0, 2])
        #expect(n.shape == [2, 1, 2] && n.storage === x.storage)
        n.pointer[n.strides[0]] = 40            // n[1][0][0] is x[1][1]
        #expect(x.toArray() == [1, -1, 3, 4, 40, -6])
    }

    @Test func contiguousCloneDetachItem() throws {
        let x = try VF.seq([2, 3])
        #expect(try x.contiguous() === x)
        let c = try x.t().contiguous()
        #expect(c.isContiguous && c.toArray() == [1, 4, 2, 5, 3, 6] && c.storage !== x.storage)
        let k = try x.clone()
        #expect(k.storage !== x.storage && k.toArray() == x.toArray())
        let g = try VF.seq([2], grad: true)
        let d = g.detach()
        #expect(!d.requiresGrad && d.storage === g.storage)
        #expect(try Tensor([3.5], shape: [1, 1]).item() == 3.5)
        #expect(VF.error { try x.item() }?.contains("got shape [2, 3] (6 elements)") == true)
    }

    @Test func viewGradients() throws {
        let x = try VF.rand([3, 4], grad: true)
        try VF.check({ try $0[0].select(dim: 1, index: 2) }, [x])
        try VF.check({ try $0[0].narrow(dim: 0, start: 1, length: 2) }, [x])
        try VF.check({ try $0[0].transpose(0, 1) }, [x])
        try VF.check({ try $0[0].t().contiguous() }, [x])
        try VF.check({ try $0[0].permute([1, 0]).reshape([-1]) }, [x])
        try VF.check({ try $0[0].view([2, 6]) }, [x])
        try VF.check({ try $0[0].unsqueeze(1).squeeze() }, [x])
        try VF.check({ try $0[0].flatten() }, [x])
        try VF.check({ try $0[0].clone() }, [x])
        let b = try VF.rand([3, 1], grad: true)
        try VF.check({ try $0[0].expand([2, 3, 5]) }, [b])
    }
}
