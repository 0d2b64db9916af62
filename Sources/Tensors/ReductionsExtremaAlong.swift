/// `max`/`min` along a dim, with their positions (Lua's `t:max(dim)`).
///
/// Not named `max(dim:)`: a member named `max` would hide Swift's global `max(_:_:)` inside every
/// `Tensor` method of the module (likewise `amax`/`amin`/`absolute` stand for `max()`/`min()`/`abs()`).
extension Tensor {
    /// The largest elements along `dim` and their 1-based positions.
    ///
    /// ```swift
    /// let (v, i) = try Tensor([1, 5, 3, 2], shape: [2, 2]).maxAlong(dim: 1)   // v [5, 3], i [2, 1]
    /// ```
    public func maxAlong(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremum(dim: dim, keepdim: keepdim, op: "max", >)
    }

    /// The smallest elements along `dim` and their 1-based positions.
    public func minAlong(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremum(dim: dim, keepdim: keepdim, op: "min", <)
    }
}
