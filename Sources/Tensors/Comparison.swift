/// Elementwise comparisons with broadcasting: 1/0 float masks, not differentiable.
/// NaN compares unequal to everything (so `ne` is 1 for NaN), as in IEEE and PyTorch.
extension Tensor {
    /// 1 where `self == o`, else 0.
    ///
    /// ```swift
    /// let correct = try predictions.eq(labels).mean()
    /// ```
    public func eq(_ o: Tensor) throws -> Tensor { try Tensor.ewMap(self, o, op: "eq", EW.Equal()) }
    /// 1 where `self != o`, else 0.
    public func ne(_ o: Tensor) throws -> Tensor { try Tensor.ewMap(self, o, op: "ne", EW.NotEqual()) }
    /// 1 where `self < o`, else 0.
    public func lt(_ o: Tensor) throws -> Tensor { try Tensor.ewMap(self, o, op: "lt", EW.Less()) }
    /// 1 where `self <= o`, else 0.
    public func le(_ o: Tensor) throws -> Tensor { try Tensor.ewMap(self, o, op: "le", EW.LessOrEqual()) }
    /// 1 where `self > o`, else 0.
    public func gt(_ o: Tensor) throws -> Tensor { try Tensor.ewMap(self, o, op: "gt", EW.Greater()) }
    /// 1 where `self >= o`, else 0.
    public func ge(_ o: Tensor) throws -> Tensor { try Tensor.ewMap(self, o, op: "ge", EW.GreaterOrEqual()) }

    /// 1 where `self == s`, else 0.
    ///
    /// ```swift
    /// let mask = try x.gt(0)
    /// ```
    public func eq(_ s: Float) throws -> Tensor { try Tensor.ewMap(self, EW.Equal().withRight(s)) }
    /// 1 where `self != s`, else 0.
    public func ne(_ s: Float) throws -> Tensor { try Tensor.ewMap(self, EW.NotEqual().withRight(s)) }
    /// 1 where `self < s`, else 0.
    public func lt(_ s: Float) throws -> Tensor { try Tensor.ewMap(self, EW.Less().withRight(s)) }
    /// 1 where `self <= s`, else 0.
    public func le(_ s: Float) throws -> Tensor { try Tensor.ewMap(self, EW.LessOrEqual().withRight(s)) }
    /// 1 where `self > s`, else 0.
    public func gt(_ s: Float) throws -> Tensor { try Tensor.ewMap(self, EW.Greater().withRight(s)) }
    /// 1 where `self >= s`, else 0.
    public func ge(_ s: Float) throws -> Tensor { try Tensor.ewMap(self, EW.GreaterOrEqual().withRight(s)) }
}
