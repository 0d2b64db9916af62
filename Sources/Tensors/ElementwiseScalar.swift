#if canImport(Glibc)
import Glibc
#endif

/// Binary arithmetic with a scalar on either side (`t + s`, `s - t`, `s / t`, `s ^ t`, ...).
extension Tensor {
    /// `self + s`.
    ///
    /// ```swift
    /// let y = try x.add(1)
    /// ```
    public func add(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0 + s }
        return Tensor.record("add", out, [self]) { g in [g] }
    }

    /// `self - s`.
    public func sub(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0 - s }
        return Tensor.record("sub", out, [self]) { g in [g] }
    }

    /// `self * s`.
    public func mul(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0 * s }
        return Tensor.record("mul", out, [self]) { g in [try GradMode.withoutGrad { try Tensor.ewMap(g) { $0 * s } }] }
    }

    /// `self / s`.
    public func div(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0 / s }
        return Tensor.record("div", out, [self]) { g in [try GradMode.withoutGrad { try Tensor.ewMap(g) { $0 / s } }] }
    }

    /// `s - self`.
    ///
    /// ```swift
    /// let oneMinus = try p.rsub(1)
    /// ```
    public func rsub(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { s - $0 }
        return Tensor.record("rsub", out, [self]) { g in [try GradMode.withoutGrad { try Tensor.ewMap(g) { -$0 } }] }
    }

    /// `s / self`.
    public func rdiv(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { s / $0 }
        return Tensor.record("rdiv", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "rdiv") { g, x in -g * s / (x * x) } }]
        }
    }

    /// `base ^ self`.
    ///
    /// ```swift
    /// let y = try x.rpow(2)   // 2^x
    /// ```
    public func rpow(_ base: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { Glibc.powf(base, $0) }
        let y = out.detachedAlias, logBase = Glibc.logf(base)
        return Tensor.record("rpow", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "rpow") { g, y in g * y * logBase } }]
        }
    }

    /// `self ^ p`.
    ///
    /// ```swift
    /// let sq = try x.pow(2)
    /// ```
    public func pow(_ p: Float) throws -> Tensor {
        let out: Tensor
        switch p {
        case 1: out = try Tensor.ewMap(self) { $0 }
        case 2: out = try Tensor.ewMap(self) { $0 * $0 }
        case 0.5: out = try Tensor.ewMap(self) { $0.squareRoot() }
        case -1: out = try Tensor.ewMap(self) { 1 / $0 }
        default: out = try Tensor.ewMap(self) { Glibc.powf($0, p) }
        }
        return Tensor.record("pow", out, [self]) { g in
            try GradMode.withoutGrad {
                switch p {
                case 0: return [try Tensor.ewMap(g) { _ in 0 }]
                case 1: return [g]
                case 2: return [try Tensor.ewMap(g, self, op: "pow") { g, x in 2 * g * x }]
                default: return [try Tensor.ewMap(g, self, op: "pow") { g, x in g * p * Glibc.powf(x, p - 1) }]
                }
            }
        }
    }

    /// The larger of each element and `s` (NaN propagates); gradient split evenly on ties.
    public func maximum(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0 > s || $0 != $0 ? $0 : s }
        return Tensor.record("maximum", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "maximum") { g, x in x > s ? g : (x == s ? g * 0.5 : 0) } }]
        }
    }

    /// The smaller of each element and `s` (NaN propagates); gradient split evenly on ties.
    public func minimum(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0 < s || $0 != $0 ? $0 : s }
        return Tensor.record("minimum", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "minimum") { g, x in x < s ? g : (x == s ? g * 0.5 : 0) } }]
        }
    }
}
