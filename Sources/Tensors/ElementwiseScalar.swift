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
        let out = try Tensor.ewMap(self, EW.Add().withRight(s))
        return Tensor.record("add", out, [self]) { g in [g] }
    }

    /// `self - s`.
    public func sub(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Sub().withRight(s))
        return Tensor.record("sub", out, [self]) { g in [g] }
    }

    /// `self * s`.
    public func mul(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Mul().withRight(s))
        return Tensor.record("mul", out, [self]) { g in [try g.mul(s)] }
    }

    /// `self / s`.
    public func div(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Div().withRight(s))
        return Tensor.record("div", out, [self]) { g in [try g.div(s)] }
    }

    /// `s - self`.
    ///
    /// ```swift
    /// let oneMinus = try p.rsub(1)
    /// ```
    public func rsub(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Sub().withLeft(s))
        return Tensor.record("rsub", out, [self]) { g in [try g.neg()] }
    }

    /// `s / self`.
    public func rdiv(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Div().withLeft(s))
        return Tensor.record("rdiv", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(-s).div(self.square())] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "rdiv", RdivBackward(s: s)) }]
        }
    }

    /// `base ^ self`.
    ///
    /// ```swift
    /// let y = try x.rpow(2)   // 2^x
    /// ```
    public func rpow(_ base: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Pow().withLeft(base))
        let y = out.detachedAlias, logBase = Glibc.logf(base)
        return Tensor.record("rpow", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.rpow(base)).mul(logBase)] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "rpow", RpowBackward(logBase: logBase)) }]
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
        case 1: out = try Tensor.ewMap(self, EW.Identity())
        case 2: out = try Tensor.ewMap(self, EW.Square())
        case 0.5: out = try Tensor.ewMap(self, EW.Sqrt())
        case -1: out = try Tensor.ewMap(self, EW.Div().withLeft(1))
        default: out = try Tensor.ewMap(self, EW.Pow().withRight(p))
        }
        return Tensor.record("pow", out, [self]) { g in
            if GradMode.isEnabled {
                switch p {
                case 0: return [try Tensor.zeros(self.shape)]
                case 1: return [g]
                case 2: return [try g.mul(self).mul(2)]
                default: return [try g.mul(self.pow(p - 1)).mul(p)]
                }
            }
            return try GradMode.withoutGrad {
                switch p {
                case 0: return [try Tensor.ewMap(g, EW.Fill(value: 0))]
                case 1: return [g]
                case 2: return [try Tensor.ewMap(g, self, op: "pow", EW.SquareBackward())]
                default: return [try Tensor.ewMap(g, self, op: "pow", PowBackward(p: p))]
                }
            }
        }
    }

    /// The larger of each element and `s` (NaN propagates); gradient split evenly on ties.
    public func maximum(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Extremum<EW.Greater>().withRight(s))
        return Tensor.record("maximum", out, [self]) { g in
            if GradMode.isEnabled {
                return [try g.mul(Tensor.ewMap(Tensor.filled(self.shape, 1), self, op: "maximum", EW.ExtremumBackward<EW.Greater>().withLast(s)))]
            }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "maximum", EW.ExtremumBackward<EW.Greater>().withLast(s)) }]
        }
    }

    /// The smaller of each element and `s` (NaN propagates); gradient split evenly on ties.
    public func minimum(_ s: Float) throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Extremum<EW.Less>().withRight(s))
        return Tensor.record("minimum", out, [self]) { g in
            if GradMode.isEnabled {
                return [try g.mul(Tensor.ewMap(Tensor.filled(self.shape, 1), self, op: "minimum", EW.ExtremumBackward<EW.Less>().withLast(s)))]
            }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "minimum", EW.ExtremumBackward<EW.Less>().withLast(s)) }]
        }
    }
}

// Kernels of the ops above; backward kernels take the upstream gradient g first.

/// d(s/x)/dx · g = −g·s/x².
private struct RdivBackward: BinaryKernel {
    let s: Float
    func callAsFunction(_ g: Float, _ x: Float) -> Float { -g * s / (x * x) }
}

/// d(base^x)/dx · g = g·y·log(base), from the output y.
private struct RpowBackward: BinaryKernel {
    let logBase: Float
    func callAsFunction(_ g: Float, _ y: Float) -> Float { g * y * logBase }
}

/// d(x^p)/dx · g = g·p·x^(p−1).
private struct PowBackward: BinaryKernel {
    let p: Float
    func callAsFunction(_ g: Float, _ x: Float) -> Float { g * p * Glibc.powf(x, p - 1) }
}
