/// Compound elementwise ops built from recorded ones (so their backward is differentiable too):
/// `clamp` with tensor bounds, `lerp`, and the out-of-place `addcmul` / `addcdiv`.
extension Tensor {
    /// Clamps to `[min, max]` elementwise, where either bound is a tensor that broadcasts (nil:
    /// no bound). As PyTorch: where `min > max` the result is `max`; the gradient goes to the
    /// input where it lies within the bounds (ties included) and to the bound that was applied.
    ///
    /// ```swift
    /// let y = try x.clamp(minTensor: lo, maxTensor: hi)
    /// ```
    public func clamp(minTensor lo: Tensor?, maxTensor hi: Tensor?) throws -> Tensor {
        guard lo != nil || hi != nil else { throw TensorError("clamp: at least one of min and max must be given") }
        var out = self
        if let lo { out = try Tensor.where(out.lt(lo), lo, out) }
        if let hi { out = try Tensor.where(out.gt(hi), hi, out) }
        return out
    }

    /// `self + weight * (end - self)` with broadcasting; `weight` a tensor.
    ///
    /// ```swift
    /// let ema = try avg.lerp(x, weight: Tensor.scalar(0.1))
    /// ```
    public func lerp(_ end: Tensor, weight: Tensor) throws -> Tensor {
        try add(end.sub(self).mul(weight))
    }

    /// `self + weight * (end - self)` with broadcasting; `weight` a number.
    public func lerp(_ end: Tensor, weight: Float) throws -> Tensor {
        try add(end.sub(self).mul(weight))
    }

    /// `self + value * a * b` (a new tensor; all three broadcast).
    ///
    /// ```swift
    /// let v2 = try v.mul(beta2).addcmul(g, g, value: 1 - beta2)
    /// ```
    public func addcmul(_ a: Tensor, _ b: Tensor, value: Float = 1) throws -> Tensor {
        try add(value == 1 ? a.mul(b) : a.mul(b).mul(value))
    }

    /// `self + value * a / b` (a new tensor; all three broadcast).
    ///
    /// ```swift
    /// let p2 = try p.addcdiv(m, v.sqrt().add(1e-8), value: -lr)
    /// ```
    public func addcdiv(_ a: Tensor, _ b: Tensor, value: Float = 1) throws -> Tensor {
        try add(value == 1 ? a.div(b) : a.div(b).mul(value))
    }
}
