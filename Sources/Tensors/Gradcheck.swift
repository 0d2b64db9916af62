/// The outcome of `Autograd.gradcheck`: the largest errors between the analytic gradient and
/// central differences, and the element that failed worst.
public struct GradcheckResult: CustomStringConvertible {
    /// True when every element satisfies |analytic − numeric| ≤ atol + rtol·|numeric|.
    public let passed: Bool
    public let maxAbsError: Double
    public let maxRelError: Double
    /// The element with the largest error relative to its tolerance (nil: no elements checked).
    public let worst: Element?

    public struct Element {
        /// Which input (0-based among `inputs`) and which element (0-based, row-major).
        public let input: Int
        public let index: Int
        public let analytic: Double
        public let numeric: Double
    }

    /// The worst element in words (1-based input and element numbers, as Lua shows them).
    public var detail: String {
        guard let w = worst else { return "no elements checked" }
        return "worst: input \(w.input + 1) element \(w.index + 1): analytic \(w.analytic), numeric \(w.numeric)"
    }

    public var description: String {
        "gradcheck \(passed ? "passed" : "failed"): max abs error \(maxAbsError), max rel error \(maxRelError); \(detail)"
    }
}

extension Autograd {
    /// Compares `f`'s analytic gradients with central differences, for every input that
    /// requires grad. The scalar checked is `sum(f(x)·r)` for a fixed random `r`, so every output
    /// element matters. Inputs are copied; `f` must be deterministic.
    ///
    /// ```swift
    /// let x = try Tensor([1, 2, 3], shape: [3]); x.requiresGrad = true
    /// let r = try Autograd.gradcheck({ try $0[0].mul($0[0]) }, inputs: [x])
    /// #expect(r.passed)
    /// ```
    public static func gradcheck(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor],
        eps: Double = 1e-3, atol: Double = 1e-2, rtol: Double = 1e-2
    ) throws -> GradcheckResult {
        guard inputs.contains(where: { $0.requiresGrad }) else {
            throw TensorError("gradcheck: expected at least one input that requires grad")
        }
        guard eps > 0 else { throw TensorError("gradcheck: eps must be positive, got \(eps)") }
        // Fresh contiguous leaves, so perturbing them cannot disturb the caller's tensors.
        let xs = try inputs.map { t -> Tensor in
            let c = try t.copyData()
            c.requiresGrad = t.requiresGrad
            return c
        }
        let checked = xs.indices.filter { xs[$0].requiresGrad }
        let saved = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = saved }

        let out = try f(xs)
        let r = try Tensor(uninitializedShape: out.shape)
        Generator(seed: 0x6772_6164).fillUniform(r.pointer, count: r.count, from: 0.5, to: 1.5)
        let analytic: [Tensor?]
        if out.requiresGrad || out.gradFn != nil {
            analytic = try grad(outputs: [out], inputs: checked.map { xs[$0] }, gradOutputs: [r])
        } else {
            analytic = checked.map { _ in nil }  // f ignores its inputs: the gradient is zero
        }

        func objective() throws -> Double {
            let y = try GradMode.withoutGrad { try f(xs) }
            guard y.shape == out.shape else {
                throw TensorError("gradcheck: f returned shape \(describe(shape: y.shape)), first \(describe(shape: out.shape))")
            }
            let yv = y.toArray(), rp = r.pointer
            var s = 0.0
            for (i, v) in yv.enumerated() { s += Double(v) * Double(rp[i]) }
            return s
        }

        var maxAbs = 0.0, maxRel = 0.0, worstExcess = -Double.infinity
        var worst: GradcheckResult.Element? = nil
        for (slot, i) in checked.enumerated() {
            let x = xs[i], p = x.pointer
            let a = try analytic[slot]?.contiguousData().toArray() ?? [Float](repeating: 0, count: x.count)
            for j in 0..<x.count {
                let orig = p[j]
                // The step actually taken is what float32 can represent, not eps itself.
                let up = Float(Double(orig) + eps), down = Float(Double(orig) - eps)
                p[j] = up
                let fUp = try objective()
                p[j] = down
                let fDown = try objective()
                p[j] = orig
                let numeric = (fUp - fDown) / (Double(up) - Double(down))
                let an = Double(a[j])
                let err = abs(an - numeric)
                maxAbs = max(maxAbs, err)
                maxRel = max(maxRel, err / max(abs(numeric), 1e-12))
                let excess = err - (atol + rtol * abs(numeric))
                if excess > worstExcess {
                    worstExcess = excess
                    worst = .init(input: i, index: j, analytic: an, numeric: numeric)
                }
            }
        }
        return GradcheckResult(passed: worstExcess <= 0, maxAbsError: maxAbs, maxRelError: maxRel, worst: worst)
    }
}
