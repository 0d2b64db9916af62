import Testing
import Tensors

/// A tensor from values, optionally requiring grad.
func tensor(_ values: [Float], _ shape: [Int], grad: Bool = false) throws -> Tensor {
    let t = try Tensor(values, shape: shape)
    t.requiresGrad = grad
    return t
}

/// A standard-normal tensor from its own seeded generator.
func randomTensor(_ shape: [Int], seed: UInt64, grad: Bool = false, scale: Float = 1) throws -> Tensor {
    let t = try Tensor(uninitializedShape: shape)
    Generator(seed: seed).fillNormal(t.pointer, count: t.count, std: scale)
    t.requiresGrad = grad
    return t
}

/// True when every pair is within `atol + rtol·|b|`.
func close(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-4) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) where !(abs(x - y) <= atol + rtol * abs(y)) { return false }
    return true
}

/// The gradients the op's own backward closure gives for upstream gradient `g`, matched to
/// `inputs` by identity (nil where the op returned none).
func analyticGrads(_ out: Tensor, _ g: Tensor, _ inputs: [Tensor]) throws -> [Tensor?] {
    guard let node = out.gradFn, let backward = node.backward else { return inputs.map { _ in nil } }
    let grads = try backward(g)
    return inputs.map { x in
        guard let j = node.inputs.firstIndex(where: { $0 === x }) else { return nil }
        return grads[j]
    }
}

/// Compares each op's backward with central finite differences of `Σ f(inputs)·g` for a random
/// `g`, for every input that requires grad (float32: loose tolerances, small inputs).
func checkGradients(
    _ inputs: [Tensor], h: Float = 1e-2, atol: Float = 2e-2, rtol: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) throws -> Tensor
) throws {
    let out = try f(inputs)
    let g = try randomTensor(out.shape, seed: 99)
    let grads = try analyticGrads(out, g, inputs)
    let gv = g.toArray()
    func objective() throws -> Double {
        let y = try f(inputs).toArray()  // (no GradMode toggling: tests run in parallel)
        var s: Double = 0
        for (a, b) in zip(y, gv) { s += Double(a) * Double(b) }
        return s
    }
    for (i, x) in inputs.enumerated() where x.requiresGrad {
        let analytic = grads[i]?.toArray() ?? []
        #expect(analytic.count == x.count, "input \(i): missing gradient", sourceLocation: sourceLocation)
        guard analytic.count == x.count, x.isContiguous else { continue }
        var numeric = [Float](repeating: 0, count: x.count)
        for e in 0..<x.count {
            let saved = x.pointer[e]
            x.pointer[e] = saved + h
            let plus = try objective()
            x.pointer[e] = saved - h
            let minus = try objective()
            x.pointer[e] = saved
            numeric[e] = Float((plus - minus) / (2 * Double(h)))
        }
        #expect(close(analytic, numeric, atol: atol, rtol: rtol),
                "input \(i): analytic \(analytic) vs numeric \(numeric)", sourceLocation: sourceLocation)
    }
}

/// The message of the TensorError `body` throws, or nil.
func errorMessage(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let e as TensorError { return e.message } catch { return "\(error)" }
}

/// Every NN suite nests in this one so they run one at a time: autograd's grad mode is a process
/// global that backward passes switch off while they run.
@Suite(.serialized) struct NNSuite {}
