/// In-place ops: they write through `self` (also when it is a non-contiguous view such as a
/// column of a matrix) and return it. They are not recorded by autograd, so writing in place to
/// a leaf that requires grad while recording is an error (as in PyTorch).
extension Tensor {
    /// Throws unless `self` may be written in place.
    func checkInPlace(_ op: String) throws {
        if requiresGrad && isLeaf && GradMode.isEnabled {
            throw TensorError("\(op): a leaf tensor that requires grad is used in an in-place operation")
        }
        for (n, s) in zip(shape, strides) where n > 1 && s == 0 {
            throw TensorError(
                "\(op): cannot write in place to an expanded view (several elements share memory); call contiguous() first")
        }
    }

    /// `self` as the output (and first input) of an in-place kernel.
    var inPlaceOperand: Operand { Operand(base: pointer, strides: strides, dense: isContiguous, scalar: count == 1) }

    /// `o` read broadcast to `self.shape`. A source that overlaps `self` in a different layout is
    /// copied first, so that no element is read after it was overwritten; the returned tensor
    /// keeps that copy alive while the kernel runs.
    func inPlaceSource(_ o: Tensor, op: String) throws -> (Tensor, Operand) {
        var src = o
        if o.storage === storage && !(o.offset == offset && o.strides == strides && o.shape == shape) {
            src = try Tensor.ewMap(o, EW.Identity())
        }
        return (src, try src.operand(shape, op: op))
    }

    /// Runs `op(self, o)` into `self` with `o` broadcast to `self`'s shape.
    private func update<Op: BinaryKernel>(_ name: String, _ o: Tensor, _ op: Op) throws -> Tensor {
        try checkInPlace(name)
        let (keep, src) = try inPlaceSource(o, op: name)
        let me = inPlaceOperand
        EW.map2(shape, me, me, src, op)
        withExtendedLifetime(keep) {}
        return self
    }

    /// Runs `op(self)` into `self`.
    private func update<Op: UnaryKernel>(_ name: String, _ op: Op) throws -> Tensor {
        try checkInPlace(name)
        let me = inPlaceOperand
        EW.map1(shape, me, me, op)
        return self
    }

    /// Sets every element to 0.
    ///
    /// ```swift
    /// try grad.zero_()
    /// ```
    @discardableResult public func zero_() throws -> Tensor { try update("zero_", EW.Fill(value: 0)) }

    /// Sets every element to `v`.
    @discardableResult public func fill_(_ v: Float) throws -> Tensor { try update("fill_", EW.Fill(value: v)) }

    /// Copies `src` (broadcast to `self`'s shape) into `self`.
    ///
    /// ```swift
    /// try m.select(dim: 1, index: 0).copy_(column)   // writes a column of m
    /// ```
    @discardableResult public func copy_(_ src: Tensor) throws -> Tensor { try update("copy_", src, Assign()) }

    /// `self += alpha * o`.
    @discardableResult public func add_(_ o: Tensor, alpha: Float = 1) throws -> Tensor {
        alpha == 1 ? try update("add_", o, EW.Add()) : try update("add_", o, AddMultiple(alpha: alpha))
    }

    /// `self += s`.
    @discardableResult public func add_(_ s: Float) throws -> Tensor { try update("add_", EW.Add().withRight(s)) }

    /// `self -= alpha * o`.
    @discardableResult public func sub_(_ o: Tensor, alpha: Float = 1) throws -> Tensor {
        alpha == 1 ? try update("sub_", o, EW.Sub()) : try update("sub_", o, SubMultiple(alpha: alpha))
    }

    /// `self -= s`.
    @discardableResult public func sub_(_ s: Float) throws -> Tensor { try update("sub_", EW.Sub().withRight(s)) }

    /// `self *= o`.
    @discardableResult public func mul_(_ o: Tensor) throws -> Tensor { try update("mul_", o, EW.Mul()) }

    /// `self *= s`.
    ///
    /// ```swift
    /// try p.grad?.mul_(0.5)
    /// ```
    @discardableResult public func mul_(_ s: Float) throws -> Tensor { try update("mul_", EW.Mul().withRight(s)) }

    /// `self /= o`.
    @discardableResult public func div_(_ o: Tensor) throws -> Tensor { try update("div_", o, EW.Div()) }

    /// `self /= s`.
    @discardableResult public func div_(_ s: Float) throws -> Tensor { try update("div_", EW.Div().withRight(s)) }

    /// `self = max(self, o)` elementwise (NaN propagates).
    @discardableResult public func maximum_(_ o: Tensor) throws -> Tensor {
        try update("maximum_", o, EW.Extremum<EW.Greater>())
    }

    /// `self = self ^ p`.
    @discardableResult public func pow_(_ p: Float) throws -> Tensor {
        p == 2 ? try update("pow_", EW.Square()) : try update("pow_", EW.Pow().withRight(p))
    }

    /// `self = sqrt(self)`.
    @discardableResult public func sqrt_() throws -> Tensor { try update("sqrt_", EW.Sqrt()) }

    /// `self = |self|`.
    @discardableResult public func abs_() throws -> Tensor { try update("abs_", EW.Abs()) }

    /// `self = -self`.
    @discardableResult public func neg_() throws -> Tensor { try update("neg_", EW.Neg()) }

    /// Limits `self` to `[min, max]` (see `clamp`).
    @discardableResult public func clamp_(min lo: Float?, max hi: Float?) throws -> Tensor {
        guard lo != nil || hi != nil else { throw TensorError("clamp_: at least one of min and max must be given") }
        let l = lo ?? -.infinity, h = hi ?? .infinity
        return try update("clamp_", EW.Clamp(lo: l, hi: h))
    }

    /// `self += value * a * b` (a and b broadcast to `self`'s shape).
    ///
    /// ```swift
    /// try v.mul_(beta2).addcmul_(g, g, value: 1 - beta2)
    /// ```
    @discardableResult public func addcmul_(_ a: Tensor, _ b: Tensor, value: Float = 1) throws -> Tensor {
        try update("addcmul_", a, b, Addcmul(value: value))
    }

    /// `self += value * a / b` (a and b broadcast to `self`'s shape).
    @discardableResult public func addcdiv_(_ a: Tensor, _ b: Tensor, value: Float = 1) throws -> Tensor {
        try update("addcdiv_", a, b, Addcdiv(value: value))
    }

    /// `self += weight * (end - self)`.
    @discardableResult public func lerp_(_ end: Tensor, weight: Float) throws -> Tensor {
        try update("lerp_", end, Lerp(weight: weight))
    }

    /// Runs `op(self, a, b)` into `self` with `a` and `b` broadcast to `self`'s shape.
    private func update<Op: TernaryKernel>(_ name: String, _ a: Tensor, _ b: Tensor, _ op: Op) throws -> Tensor {
        try checkInPlace(name)
        let (keepA, srcA) = try inPlaceSource(a, op: name)
        let (keepB, srcB) = try inPlaceSource(b, op: name)
        let me = inPlaceOperand
        EW.map3(shape, me, me, srcA, srcB, op)
        withExtendedLifetime((keepA, keepB)) {}
        return self
    }

    /// Fills `self` with U[from, to) samples.
    ///
    /// ```swift
    /// try w.uniform_(from: -0.1, to: 0.1)
    /// ```
    @discardableResult
    public func uniform_(from lo: Float = 0, to hi: Float = 1, generator: Generator = .shared) throws -> Tensor {
        try checkInPlace("uniform_")
        return try fillRandom { generator.fillUniform($0, count: $1, from: lo, to: hi) }
    }

    /// Fills `self` with N(mean, std²) samples.
    @discardableResult
    public func normal_(mean: Float = 0, std: Float = 1, generator: Generator = .shared) throws -> Tensor {
        try checkInPlace("normal_")
        guard std >= 0 else { throw TensorError("normal_: std must be >= 0, got \(std)") }
        return try fillRandom { generator.fillNormal($0, count: $1, mean: mean, std: std) }
    }

    /// Fills `self` in row-major order with `fill`, through a contiguous buffer for views.
    private func fillRandom(_ fill: (UnsafeMutablePointer<Float>, Int) -> Void) throws -> Tensor {
        if isContiguous { fill(pointer, count); return self }
        let tmp = try Tensor(uninitializedShape: shape)
        fill(tmp.pointer, count)
        let me = inPlaceOperand
        EW.map1(shape, me, tmp.denseOperand, EW.Identity())
        return self
    }
}

// Kernels of the updates above: the first operand is the current value of `self`.

/// b (the source of `copy_`).
private struct Assign: BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float { b } }

private struct AddMultiple: BinaryKernel {
    let alpha: Float
    func callAsFunction(_ a: Float, _ b: Float) -> Float { a + alpha * b }
}

private struct SubMultiple: BinaryKernel {
    let alpha: Float
    func callAsFunction(_ a: Float, _ b: Float) -> Float { a - alpha * b }
}

private struct Addcmul: TernaryKernel {
    let value: Float
    func callAsFunction(_ s: Float, _ x: Float, _ y: Float) -> Float { s + value * x * y }
}

private struct Addcdiv: TernaryKernel {
    let value: Float
    func callAsFunction(_ s: Float, _ x: Float, _ y: Float) -> Float { s + value * x / y }
}

private struct Lerp: BinaryKernel {
    let weight: Float
    func callAsFunction(_ s: Float, _ e: Float) -> Float { s + weight * (e - s) }
}
