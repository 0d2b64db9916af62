import Testing
@testable import Tensors

/// Second-order autograd: `gradgradcheck` (finite differences of the recorded gradient against
/// double backward) for every differentiable op, and the engine's create_graph behaviour.
@Suite struct HigherOrderTests {
    /// Uniform values in [lo, hi) from a seeded generator, requiring grad.
    static func u(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1, seed: UInt64 = 7) throws -> Tensor {
        let t = try Tensor(uninitializedShape: shape)
        Generator(seed: seed).fillUniform(t.pointer, count: t.count, from: lo, to: hi)
        t.requiresGrad = true
        return t
    }

    /// gradgradcheck of `f(xs)²` (the square makes the second derivative of linear ops, such as
    /// views, non-trivial: it flows through their recorded backward).
    static func check(_ name: String, _ inputs: [Tensor], atol: Double = 2e-2, rtol: Double = 2e-2,
                      _ f: @escaping ([Tensor]) throws -> Tensor, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try Autograd.gradgradcheck({ try f($0).square() }, inputs: inputs, eps: 1e-3, atol: atol, rtol: rtol)
        #expect(r.passed, "\(name): \(r)", sourceLocation: sourceLocation)
        // gradgradcheck differentiates the recorded gradient; it must also equal the plain one.
        let xs = inputs.map { t -> Tensor in
            let leaf = t.detach()
            leaf.requiresGrad = t.requiresGrad
            return leaf
        }
        let wrt = xs.filter { $0.requiresGrad }
        let plain = try Autograd.grad(outputs: [GradMode.withGrad { try f(xs).square().sum() }], inputs: wrt)
        let recorded = try Autograd.grad(outputs: [GradMode.withGrad { try f(xs).square().sum() }], inputs: wrt, createGraph: true)
        for (k, (p, q)) in zip(plain, recorded).enumerated() {
            guard let p, let q else { #expect((p == nil) == (q == nil), "\(name) input \(k + 1)"); continue }
            let scale = try 1 + Double(p.absolute().amax().item())
            let diff = try Double(p.sub(q.detach()).absolute().amax().item())
            #expect(diff <= 1e-4 * scale, "\(name) input \(k + 1): recorded gradient differs by \(diff)", sourceLocation: sourceLocation)
        }
    }

    @Test func binaryElementwise() throws {
        let a = try Self.u([3, 4], seed: 1), b = try Self.u([4], 0.5, 1.5, seed: 2)
        try Self.check("add", [a, b]) { try $0[0].add($0[1]) }
        try Self.check("sub", [a, b]) { try $0[0].sub($0[1]) }
        try Self.check("mul", [a, b]) { try $0[0].mul($0[1]) }
        try Self.check("div", [a, b]) { try $0[0].div($0[1]) }
        let p = try Self.u([3, 4], 0.5, 2, seed: 3)
        try Self.check("pow", [p, b]) { try $0[0].pow($0[1]) }
        let c = try Self.u([3, 4], seed: 4)
        try Self.check("maximum", [a, c]) { try $0[0].maximum($0[1]) }
        try Self.check("minimum", [a, c]) { try $0[0].minimum($0[1]) }
        let mask = try a.detach().gt(0)
        try Self.check("where", [a, c]) { try Tensor.where(mask, $0[0].mul($0[0]), $0[1]) }
        try Self.check("neg", [a]) { try $0[0].mul($0[0]).neg() }
    }

    @Test func scalarElementwise() throws {
        let a = try Self.u([5], seed: 5), p = try Self.u([5], 0.5, 2, seed: 6)
        try Self.check("add scalar", [a]) { try $0[0].mul($0[0]).add(2) }
        try Self.check("sub scalar", [a]) { try $0[0].mul($0[0]).sub(2) }
        try Self.check("mul scalar", [a]) { try $0[0].mul($0[0]).mul(3) }
        try Self.check("div scalar", [a]) { try $0[0].mul($0[0]).div(3) }
        try Self.check("rsub", [a]) { try $0[0].mul($0[0]).rsub(1) }
        try Self.check("rdiv", [p]) { try $0[0].rdiv(2) }
        try Self.check("rpow", [a]) { try $0[0].rpow(2) }
        for e: Float in [0, 1, 2, 3, 0.5, -1, 1.5] {
            try Self.check("pow \(e)", [p]) { try $0[0].pow(e) }
        }
        try Self.check("maximum scalar", [a]) { try $0[0].mul($0[0]).maximum(0.3) }
        try Self.check("minimum scalar", [a]) { try $0[0].mul($0[0]).minimum(0.3) }
    }

    @Test func unary() throws {
        let a = try Self.u([6], seed: 8), p = try Self.u([6], 0.5, 2, seed: 9)
        try Self.check("abs", [a]) { try $0[0].absolute() }
        try Self.check("exp", [a]) { try $0[0].exp() }
        try Self.check("log", [p]) { try $0[0].log() }
        try Self.check("log1p", [p]) { try $0[0].log1p() }
        try Self.check("sqrt", [p]) { try $0[0].sqrt() }
        try Self.check("rsqrt", [p]) { try $0[0].rsqrt() }
        try Self.check("sin", [a]) { try $0[0].sin() }
        try Self.check("cos", [a]) { try $0[0].cos() }
        try Self.check("tanh", [a]) { try $0[0].tanh() }
        try Self.check("sigmoid", [a]) { try $0[0].sigmoid() }
        try Self.check("relu", [a]) { try $0[0].relu() }
        try Self.check("gelu", [a]) { try $0[0].gelu() }
        try Self.check("square", [a]) { try $0[0].square() }
        try Self.check("clamp", [a]) { try $0[0].clamp(min: -0.5, max: 0.5) }
        try Self.check("sign", [a]) { try $0[0].mul($0[0]).add($0[0].sign()) }
    }

    @Test func reductions() throws {
        let a = try Self.u([3, 4], seed: 10), p = try Self.u([3, 4], 0.5, 1.5, seed: 11)
        try Self.check("sum", [a]) { try $0[0].mul($0[0]).sum() }
        try Self.check("sum dim", [a]) { try $0[0].sum(dim: 1) }
        try Self.check("sum dims keepdim", [a]) { try $0[0].sum(dims: [0], keepdim: true) }
        try Self.check("mean", [a]) { try $0[0].mul($0[0]).mean() }
        try Self.check("mean dim", [a]) { try $0[0].mean(dim: 0) }
        try Self.check("var", [a]) { try $0[0].variance(dim: 1) }
        try Self.check("var all", [a]) { try $0[0].variance(correction: 0) }
        try Self.check("std", [a]) { try $0[0].std(dim: 0) }
        try Self.check("prod", [p]) { try $0[0].prod(dim: 1) }
        try Self.check("prod all", [p]) { try $0[0].prod() }
        try Self.check("norm 2", [a]) { try $0[0].norm() }
        try Self.check("norm 2 dim", [a]) { try $0[0].norm(dim: 1) }
        try Self.check("norm 1", [a]) { try $0[0].norm(p: 1, dim: 1) }
        try Self.check("norm 3", [a]) { try $0[0].norm(p: 3, dim: 0) }
        try Self.check("norm inf", [a]) { try $0[0].norm(p: .infinity, dim: 1) }
        try Self.check("amax", [a]) { try $0[0].mul($0[0]).amax() }
        try Self.check("amin", [a]) { try $0[0].mul($0[0]).amin() }
        try Self.check("max dim", [a]) { try $0[0].extremum(dim: 1, keepdim: false, op: "max", >).values }
        try Self.check("logsumexp", [a]) { try $0[0].logsumexp(dim: 1) }
        try Self.check("softmax", [a]) { try $0[0].softmax(dim: 1) }
        try Self.check("log_softmax", [a]) { try $0[0].logSoftmax(dim: 0) }
    }

    @Test func views() throws {
        let a = try Self.u([2, 3, 4], seed: 12)
        try Self.check("select", [a]) { try $0[0].select(dim: 1, index: 2) }
        try Self.check("narrow", [a]) { try $0[0].narrow(dim: 2, start: 1, length: 2) }
        try Self.check("transpose", [a]) { try $0[0].transpose(0, 2) }
        try Self.check("permute", [a]) { try $0[0].permute([2, 0, 1]) }
        try Self.check("unsqueeze", [a]) { try $0[0].unsqueeze(1) }
        try Self.check("squeeze", [a]) { try $0[0].narrow(dim: 1, start: 0, length: 1).squeeze(1) }
        try Self.check("view", [a]) { try $0[0].view([6, 4]) }
        try Self.check("reshape", [a]) { try $0[0].transpose(0, 1).reshape([-1]) }
        try Self.check("flatten", [a]) { try $0[0].flatten(startDim: 1) }
        try Self.check("expand", [a]) { try $0[0].narrow(dim: 0, start: 0, length: 1).expand([3, 3, 4]) }
        try Self.check("contiguous", [a]) { try $0[0].transpose(1, 2).contiguous() }
        try Self.check("clone", [a]) { try $0[0].clone() }
        try Self.check("sumTo", [a]) { try $0[0].sumTo(shape: [3, 1]) }
    }

    @Test func indexing() throws {
        let a = try Self.u([3, 4], seed: 13), b = try Self.u([2, 4], seed: 14)
        let index = try Tensor([3, 1, 3], shape: [3])
        try Self.check("index_select", [a]) { try $0[0].indexSelect(dim: 0, index: index) }
        let gi = try Tensor([1, 2, 2, 4, 3, 3], shape: [3, 2])
        try Self.check("gather", [a]) { try $0[0].gather(dim: 1, index: gi) }
        let si = try Tensor([1, 3, 2, 1], shape: [1, 4])
        try Self.check("scatter_add", [a, b]) { try $0[0].scatterAdd(dim: 0, index: si, src: $0[1]) }
        try Self.check("cat", [a, b]) { try Tensor.cat([$0[0], $0[1]], dim: 0) }
        try Self.check("stack", [a]) { try Tensor.stack([$0[0], $0[0].mul(2)], dim: 1) }
    }

    @Test func matrixProducts() throws {
        let a = try Self.u([3, 4], seed: 15), b = try Self.u([4, 2], seed: 16), v = try Self.u([4], seed: 17)
        try Self.check("mm", [a, b]) { try $0[0].mm($0[1]) }
        try Self.check("mv", [a, v]) { try $0[0].matmul($0[1]) }
        try Self.check("vm", [v, b]) { try $0[0].matmul($0[1]) }
        try Self.check("dot", [v]) { try $0[0].dot($0[0].mul(2)) }
        try Self.check("outer", [v]) { try Tensor.outer($0[0], $0[0]) }
        let x = try Self.u([2, 3, 4], seed: 18), y = try Self.u([2, 4, 2], seed: 19), m = try Self.u([1, 4, 2], seed: 20)
        try Self.check("bmm", [x, y]) { try Tensor.bmm($0[0], $0[1]) }
        try Self.check("bmm broadcast", [x, m]) { try Tensor.bmm($0[0], $0[1]) }
        try Self.check("matmul batched by matrix", [x, b]) { try $0[0].matmul($0[1]) }
        let bias = try Self.u([2], seed: 21)
        try Self.check("addmm", [bias, a, b]) { try $0[0].addmm($0[1], $0[2], beta: 0.5, alpha: 2) }
    }

    @Test func createGraphGivesGradientsOfGradients() throws {
        // y = Σ x³: dy/dx = 3x², d(Σ dy/dx)/dx = 6x.
        let x = try Tensor([1, 2, 3], shape: [3])
        x.requiresGrad = true
        let y = try x.mul(x).mul(x).sum()
        let g = try #require(try Autograd.grad(outputs: [y], inputs: [x], createGraph: true)[0])
        #expect(g.toArray() == [3, 12, 27])
        #expect(g.requiresGrad)
        let gg = try Autograd.grad(outputs: [g.sum()], inputs: [x])[0]
        #expect(gg?.toArray() == [6, 12, 18])
        // Without create_graph the gradient carries no graph, as before.
        let z = try x.mul(x).sum()
        let plain = try Autograd.grad(outputs: [z], inputs: [x])[0]
        #expect(plain?.requiresGrad == false && plain?.gradFn == nil)
        // backward(createGraph:) leaves a differentiable .grad.
        let w = try Tensor([2], shape: [1])
        w.requiresGrad = true
        try w.pow(3).sum().backward(createGraph: true)
        let wg = try #require(w.grad)
        #expect(wg.toArray() == [12] && wg.requiresGrad)
        #expect(try Autograd.grad(outputs: [wg.sum()], inputs: [w])[0]?.toArray() == [12])
        // allow_unused = false makes an unused input an error.
        let unused = try Tensor([1], shape: [1])
        unused.requiresGrad = true
        #expect(VF.error { try Autograd.grad(outputs: [x.sum()], inputs: [unused], allowUnused: false) } != nil)
    }

    @Test func functionalTransforms() throws {
        let x = try Tensor([1, 2], shape: [2])
        let cube: ([Tensor]) throws -> Tensor = { try $0[0].pow(3).sum() }
        let (value, hv) = try Autograd.hvp(cube, inputs: [x], v: [Tensor([1, 1], shape: [2])])
        #expect(try value.item() == 9)
        #expect(hv[0].toArray() == [6, 12])
        #expect(x.grad == nil && !x.requiresGrad)  // the caller's tensor is untouched
        let h = try Autograd.hessian(cube, inputs: [x])[0][0]
        #expect(h.shape == [2, 2] && h.toArray() == [6, 0, 0, 12])
        let (_, jv) = try Autograd.jvp({ try $0[0].square() }, inputs: [x], v: [Tensor([1, 0], shape: [2])])
        #expect(jv.toArray() == [2, 0])
        let (_, vj) = try Autograd.vjp({ try $0[0].square() }, inputs: [x], v: try Tensor([1, 1], shape: [2]))
        #expect(vj[0].toArray() == [2, 4])
        // Mixed second derivatives across two inputs: f = Σ a²·b.
        let a = try Tensor([1, 2], shape: [2]), b = try Tensor([3, 4], shape: [2])
        let blocks = try Autograd.hessian({ try $0[0].square().mul($0[1]).sum() }, inputs: [a, b])
        #expect(blocks[0][0].toArray() == [6, 0, 0, 8])   // 2b
        #expect(blocks[0][1].toArray() == [2, 0, 0, 4])   // 2a
        #expect(blocks[1][1].toArray() == [0, 0, 0, 0])
        #expect(VF.error { try Autograd.hvp(cube, inputs: [x], v: [Tensor([1], shape: [1])]) } != nil)
    }

    @Test func hooksSeeAndReplaceGradients() throws {
        let w = try Tensor([1, 2], shape: [2])
        w.requiresGrad = true
        var seen: [Float] = []
        let h = try w.registerHook { g in seen = g.toArray(); return try g.mul(10) }
        try w.mul(w).sum().backward()
        #expect(seen == [2, 4] && w.grad?.toArray() == [20, 40])
        h.remove()
        w.grad = nil
        try w.mul(w).sum().backward()
        #expect(w.grad?.toArray() == [2, 4])
        // A hook on a computed tensor changes what flows further back.
        let y = try w.mul(3)
        try y.registerHook { g in try g.mul(0) }
        w.grad = nil
        try y.sum().backward()
        #expect(w.grad?.toArray() == [0, 0])
        #expect(VF.error { try Tensor([1], shape: [1]).registerHook { $0 } } != nil)
    }
}
