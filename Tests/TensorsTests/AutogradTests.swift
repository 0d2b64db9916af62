import Testing
@testable import Tensors

extension ViewsOpsTests {
    @Test func backwardAccumulatesIntoLeaves() throws {
        let v = try VF.seq([3], grad: true)
        try v.dot(v).backward()
        #expect(v.grad?.toArray() == [2, 4, 6])
        #expect(v.grad?.requiresGrad == false)
        try v.dot(v).backward()           // a new graph: added to the existing grad, as PyTorch
        #expect(v.grad?.toArray() == [4, 8, 12])
        v.grad = try Tensor([1], shape: [1]).expand([3])   // an expanded grad is not written through
        try v.dot(v).backward()
        #expect(v.grad?.toArray() == [3, 5, 7])
        // A path used twice within one graph is summed too.
        let w = try VF.seq([2, 2], grad: true)
        let y = try Tensor.cat([w.select(dim: 0, index: 1), w.select(dim: 0, index: 1), w.select(dim: 1, index: 0)], dim: 0)
        try y.backward(Tensor([1, 2, 3, 4, 5, 6], shape: [6]))
        #expect(w.grad?.toArray() == [5, 0, 10, 6])
    }

    @Test func leafGradIsAFreshCopy() throws {
        let x = try VF.seq([2], grad: true)
        let g = try Tensor([1, 1], shape: [2])
        try x.clone().backward(g)
        #expect(x.grad !== g && x.grad?.storage !== g.storage)
        let a = try VF.seq([2], grad: true), b = try VF.seq([2], grad: true)
        // Both inputs of cat's narrowed grads come from one tensor; their leaf grads must not alias.
        try Tensor.cat([a, b], dim: 0).backward(Tensor([1, 2, 3, 4], shape: [4]))
        #expect(a.grad?.storage !== b.grad?.storage)
        #expect(a.grad?.toArray() == [1, 2] && b.grad?.toArray() == [3, 4])
        // add's backward hands the seed itself to both inputs: neither may keep it, nor share it.
        let p = try VF.seq([2], grad: true), q = try VF.seq([2], grad: true)
        try p.add(q).backward(g)
        #expect(p.grad?.storage !== g.storage && q.grad?.storage !== g.storage && p.grad?.storage !== q.grad?.storage)
        // A gradient nothing else references (mul's fresh product) becomes `.grad` as it is.
        var fresh = try Tensor([1, 2], shape: [2])
        #expect(Tensor.isSoleOwner(&fresh))
        var view = try Tensor([1, 2, 3], shape: [3]).narrow(dim: 0, start: 0, length: 2)
        #expect(!Tensor.isSoleOwner(&view))
        let holder = [fresh]
        #expect(!Tensor.isSoleOwner(&fresh) && holder.count == 1)
    }

    @Test func backwardErrors() throws {
        let x = try VF.seq([3], grad: true)
        let y = try x.clone()
        #expect(VF.error { try y.backward() } == "backward: grad can be implicitly created only for scalar outputs, got shape [3]")
        #expect(VF.error { try y.backward(Tensor([1], shape: [1])) }?.contains("does not match output shape [3]") == true)
        #expect(VF.error { try VF.seq([1]).backward() }?.contains("does not require grad") == true)
        let frozen = try GradMode.withoutGrad { try x.clone() }
        #expect(frozen.gradFn == nil && !frozen.requiresGrad)
    }

    @Test func secondBackwardThroughFreedGraphThrows() throws {
        let x = try VF.seq([3], grad: true)
        let loss = try x.clone().dot(x)
        try loss.backward()
        #expect(VF.error { try loss.backward() }?.hasPrefix("backward: the graph was already freed (a second backward through the same graph)") == true)
        #expect(x.grad?.toArray() == [2, 4, 6])   // unchanged by the failed call
        let kept = try x.clone().dot(x)
        try kept.backward(retainGraph: true)
        try kept.backward()
        #expect(x.grad?.toArray() == [6, 12, 18])
    }

    @Test func gradFunctionLeavesDotGradAlone() throws {
        let a = try VF.seq([2, 3], grad: true), b = try VF.seq([3], grad: true), unused = try VF.seq([1], grad: true)
        let h = try a.matmul(b)                        // non-leaf input
        let out = try h.dot(h)
        let gs = try Autograd.grad(outputs: [out], inputs: [a, h, unused])
        #expect(a.grad == nil && b.grad == nil)
        let hv = h.toArray()
        #expect(gs[1]?.toArray() == hv.map { 2 * $0 })
        #expect(gs[0]?.shape == [2, 3])
        #expect(gs[2] == nil)
        let again = try Autograd.grad(outputs: [try h.dot(h)], inputs: [h], gradOutputs: [Tensor([3], shape: [])], retainGraph: true)
        #expect(again[0]?.toArray() == hv.map { 6 * $0 })
        #expect(VF.error { try Autograd.grad(outputs: [out], inputs: [a], gradOutputs: []) } != nil)
    }

    @Test func deepChainDoesNotOverflowTheStack() throws {
        let x = try VF.seq([2, 3], grad: true)
        var y = x
        for i in 0..<10_000 { y = i % 2 == 0 ? try y.transpose(0, 1) : try y.unsqueeze(0).squeeze(0) }
        try y.backward(try VF.seq(y.shape))
        #expect(x.grad?.toArray() == [1, 2, 3, 4, 5, 6])
        y = x   // drops the 15k-node graph (released iteratively through ARC; must not crash)
    }

    @Test func gradcheckCatchesAWrongGradient() throws {
        let x = try VF.rand([4], grad: true)
        let wrong = try Autograd.gradcheck({ xs in
            // Doubles its input but claims a gradient of 1.
            let out = try xs[0].scaledCopy(2)
            return Tensor.record("bad", out, [xs[0]]) { g in [g] }
        }, inputs: [x])
        #expect(!wrong.passed)
        #expect(abs((wrong.worst?.numeric ?? 0) - 2 * (wrong.worst?.analytic ?? 0)) < 0.05)
        #expect(wrong.maxAbsError > 0.4)
        let right = try Autograd.gradcheck({ try $0[0].dot($0[1]) }, inputs: [x, try VF.rand([4], seed: 9)])
        #expect(right.passed && right.maxAbsError < 1e-2)
        #expect(VF.error { try Autograd.gradcheck({ $0[0] }, inputs: [try VF.rand([2])]) } != nil)
    }
}
