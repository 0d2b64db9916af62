import Testing
@testable import Tensors

/// The new ops write their backward closures with recorded ops, so that higher-order autograd
/// (create_graph) can record them. Today's engine runs closures without recording; these tests
/// call a node's closure directly with recording on and check (1) that the gradient it returns
/// carries history and (2) by finite differences, that this history is the right derivative of
/// the gradient (a second-order gradcheck of the closure itself).
@Suite struct TensorOpsBackwardRecordingTests {
    /// The gradient `op`'s own backward closure returns for input `k`, computed with recording on.
    static func recordedGrad(_ op: ([Tensor]) throws -> Tensor, _ xs: [Tensor], _ g: Tensor, input k: Int = 0) throws -> Tensor? {
        let saved = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = saved }
        let out = try op(xs)
        guard let node = out.gradFn, let backward = node.backward else { return nil }
        return try backward(g)[k]
    }

    static let g = Generator(seed: 21)
    static func leaf(_ shape: [Int], shift: Float = 0) throws -> Tensor {
        let t = try Tensor.randn(shape, generator: g).add(shift)
        t.requiresGrad = true
        return t
    }

    /// Single-node ops whose backward depends on the input (non-linear ones): the backward's
    /// gradient with respect to the input, checked numerically. (Composite ops such as einsum,
    /// quantile, cdist or broadcast matmul have no closure of their own: their backward is that of
    /// the ops they are made of.)
    @Test(arguments: ["cumprod", "logcumsumexp", "reciprocal", "erf", "atan", "asin", "log2", "expm1", "atan2", "cosh"])
    func backwardIsDifferentiable(_ name: String) throws {
        let x = try Self.leaf([3, 4], shift: name == "cumprod" || name == "log2" || name == "reciprocal" ? 2 : 0)
        let scaled = name == "asin" ? try x.detach().mul(0.2) : x.detach()
        scaled.requiresGrad = true
        let other2 = try Self.leaf([3, 4])
        let op: ([Tensor]) throws -> Tensor
        switch name {
        case "cumprod": op = { try $0[0].cumprod(dim: 1) }
        case "logcumsumexp": op = { try $0[0].logcumsumexp(dim: 1) }
        case "reciprocal": op = { try $0[0].reciprocal() }
        case "erf": op = { try $0[0].erf() }
        case "atan": op = { try $0[0].atan() }
        case "asin": op = { try $0[0].asin() }
        case "log2": op = { try $0[0].log2() }
        case "expm1": op = { try $0[0].expm1() }
        case "atan2": op = { try $0[0].atan2(other2.detach()) }
        default: op = { try $0[0].cosh() }
        }
        let upstream = try op([scaled.detach()])
        let g = try Tensor.randn(upstream.shape, generator: Generator(seed: 5))
        let first = try #require(try Self.recordedGrad(op, [scaled], g))
        #expect(first.requiresGrad, "\(name): the backward's gradient has no history")
        // d/dx of <backward(g)(x), w> by the recorded ops vs central differences.
        let w = try Tensor.randn(first.shape, generator: Generator(seed: 6))
        let r = try Autograd.gradcheck({ xs in
            let gx = try #require(try Self.recordedGrad(op, xs, g))
            return try gx.mul(w).sum()
        }, inputs: [scaled], eps: 1e-2, atol: 2e-2, rtol: 2e-2)
        #expect(r.passed, "\(name): \(r)")
    }

    /// Linear ops: their backward is recorded too (its own derivative is the op's adjoint).
    @Test func linearOpsRecordTheirBackward() throws {
        let x = try Self.leaf([3, 4])
        let idx = try Tensor([2, 1, 4], shape: [3, 1])
        let cases: [(String, ([Tensor]) throws -> Tensor)] = [
            ("sort", { try $0[0].sort(dim: 1).values }), ("topk", { try $0[0].topk(2, dim: 1).values }),
            ("cumsum", { try $0[0].cumsum(dim: 0) }), ("flip", { try $0[0].flip([1]) }),
            ("tril", { try $0[0].tril() }), ("diagonal", { try $0[0].diagonal(offset: 1) }),
            ("scatter", { try $0[0].scatter(dim: 1, index: idx, value: 0) }),
            ("index_add", { try $0[0].indexAdd(dim: 0, index: Tensor([2], shape: [1]), source: Tensor.ones([1, 4])) }),
            ("cummax", { try $0[0].cummax(dim: 1).values }), ("kthvalue", { try $0[0].kthvalue(2, dim: 1).values }),
            ("diag", { try $0[0].diag(1) }),
        ]
        for (name, op) in cases {
            let out = try op([x])
            let g = try Tensor.randn(out.shape, generator: Generator(seed: 8))
            g.requiresGrad = true
            let gx = try Self.recordedGrad(op, [x], g)
            #expect(gx?.requiresGrad == true, "\(name): the backward's gradient has no history")
        }
    }
}
