import Testing
@testable import Tensors

/// The backward engine's cheap paths (Backward.swift, Linalg.swift): gradients of transposed
/// matmul operands arrive dense, sole-owned gradients are summed in place, and nothing a caller
/// can see (a seed, a direction) is ever written.
@Suite struct GradientLayoutTests {
    static func leaf(_ values: [Float], _ shape: [Int]) throws -> Tensor {
        let t = try Tensor(values, shape: shape)
        t.requiresGrad = true
        return t
    }

    static func close(_ a: [Float]?, _ b: [Float]) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) }
    }

    @Test func rightTransposedOperandGetsADenseGradient() throws {
        let x = try Self.leaf([1, 2, 3, 4, 5, 6], [2, 3]), w = try Self.leaf([1, 0, -1, 2, 1, 0.5], [2, 3])
        let y = try x.mm(w.t())   // [2, 2]; wᵀ is a transposed view
        let g = try Tensor([1, 2, 3, 4], shape: [2, 2])
        let grads = try Autograd.grad(outputs: [y], inputs: [x, w], gradOutputs: [g])
        // dW = Gᵀ·x, dx = G·W
        #expect(grads[1]?.toArray() == [13, 17, 21, 18, 24, 30])
        #expect(grads[1]?.isContiguous == true)
        #expect(grads[0]?.toArray() == [5, 2, 0, 11, 4, -1])
    }

    @Test func leftTransposedOperandGetsADenseGradient() throws {
        let a = try Self.leaf([1, 2, 3, 4, 5, 6], [3, 2]), b = try Self.leaf([1, -1, 2, 0, 1, 1], [3, 2])
        let z = try a.t().mm(b)   // [2, 2] = aᵀ·b
        let g = try Tensor([1, 2, 3, 4], shape: [2, 2])
        let grads = try Autograd.grad(outputs: [z], inputs: [a, b], gradOutputs: [g])
        // d(aᵀ) = G·bᵀ, so da = b·Gᵀ; db = a·G
        #expect(grads[0]?.toArray() == [-1, -1, 2, 6, 3, 7])
        #expect(grads[0]?.isContiguous == true)
        #expect(grads[1]?.toArray() == [7, 10, 15, 22, 23, 34])
    }

    @Test func accumulationNeverWritesTheCallersSeed() throws {
        let x = try Self.leaf([1, 2, 3], [3])
        let seed = try Tensor([1, 10, 100], shape: [3])
        // add hands the seed on to both of its inputs, the same leaf: summed into a new tensor.
        let g = try Autograd.grad(outputs: [x.add(x)], inputs: [x], gradOutputs: [seed])[0]
        #expect(g?.toArray() == [2, 20, 200])
        #expect(seed.toArray() == [1, 10, 100])
        // Four uses: later sums go into the engine's own tensor in place; the seed stays.
        let g4 = try Autograd.grad(outputs: [x.add(x).add(x.add(x))], inputs: [x], gradOutputs: [seed])[0]
        #expect(g4?.toArray() == [4, 40, 400])
        #expect(seed.toArray() == [1, 10, 100])
    }

    @Test func hvpLeavesItsDirectionsAlone() throws {
        let x = try Self.leaf([0.5, -1, 2], [3]), v = try Tensor([1, 2, 3], shape: [3])
        // f = Σ x³/3 + x·x: H = diag(2x + 2), so Hv = (2x + 2)·v
        let (_, hv) = try Autograd.hvp({ try $0[0].pow(3).div(3).sum().add($0[0].dot($0[0])) }, inputs: [x], v: [v])
        #expect(Self.close(hv[0].toArray(), [3, 0, 18]))
        #expect(v.toArray() == [1, 2, 3])
    }
}
