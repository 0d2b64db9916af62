#if canImport(Glibc)
import Glibc
#endif

/// Binary arithmetic with NumPy broadcasting, in tensor and scalar forms, with gradients.
/// Broadcast gradients are summed back onto each input's shape with `sumTo`.
extension Tensor {
    /// `self + o`, broadcasting.
    ///
    /// ```swift
    /// let y = try x.add(bias)   // [N, M] + [M]
    /// ```
    public func add(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "add", EW.Add())
        return Tensor.record("add", out, [self, o]) { g in
            [self.requiresGrad ? try g.sumTo(shape: self.shape) : nil,
             o.requiresGrad ? try g.sumTo(shape: o.shape) : nil]
        }
    }

    /// `self - o`, broadcasting.
    public func sub(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "sub", EW.Sub())
        return Tensor.record("sub", out, [self, o]) { g in
            [self.requiresGrad ? try g.sumTo(shape: self.shape) : nil,
             o.requiresGrad ? try g.neg().sumTo(shape: o.shape) : nil]
        }
    }

    /// `self * o`, broadcasting.
    public func mul(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "mul", EW.Mul())
        return Tensor.record("mul", out, [self, o]) { g in
            [self.requiresGrad ? try g.mul(o).sumTo(shape: self.shape) : nil,
             o.requiresGrad ? try g.mul(self).sumTo(shape: o.shape) : nil]
        }
    }

    /// `self / o`, broadcasting.
    public func div(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "div", EW.Div())
        return Tensor.record("div", out, [self, o]) { g in
            if GradMode.isEnabled {
                // −g·a/b² as (−g/b)·(a/b), recorded.
                return [self.requiresGrad ? try g.div(o).sumTo(shape: self.shape) : nil,
                        o.requiresGrad ? try g.div(o).mul(self.div(o)).neg().sumTo(shape: o.shape) : nil]
            }
            return try GradMode.withoutGrad {
                [self.requiresGrad ? try Tensor.ewMap(g, o, op: "div", EW.Div()).sumTo(shape: self.shape) : nil,
                 o.requiresGrad
                    ? try Tensor.ewMap(g, self, o, op: "div", DivBackwardDivisor()).sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// `self ^ o` elementwise, broadcasting.
    ///
    /// ```swift
    /// let y = try x.pow(Tensor.full([3], value: 2))
    /// ```
    public func pow(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "pow", EW.Pow())
        return Tensor.record("pow", out, [self, o]) { g in
            if GradMode.isEnabled {
                let zero = try Tensor.filled([], 0)
                var ga: Tensor? = nil, gb: Tensor? = nil
                if self.requiresGrad {
                    // g·b·a^(b−1), 0 where b = 0.
                    let v = try g.mul(o).mul(self.pow(o.sub(1)))
                    ga = try Tensor.where(o.ne(0), v, zero).sumTo(shape: self.shape)
                }
                if o.requiresGrad {
                    // g·a^b·log a, 0 where a = 0 and b >= 0.
                    let keep = try self.ne(0).maximum(o.lt(0))
                    gb = try Tensor.where(keep, g.mul(self.pow(o)).mul(self.log()), zero).sumTo(shape: o.shape)
                }
                return [ga, gb]
            }
            return try GradMode.withoutGrad {
                [self.requiresGrad
                    ? try Tensor.ewMap(g, self, o, op: "pow", PowBackwardBase()).sumTo(shape: self.shape) : nil,
                 o.requiresGrad ? try Tensor.ewMap(g, self, o, op: "pow", PowBackwardExponent()).sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// The larger of `self` and `o` elementwise (NaN propagates). The gradient goes to the larger
    /// input, split evenly on ties.
    public func maximum(_ o: Tensor) throws -> Tensor { try extremum(o, op: "maximum", EW.Greater.self) }

    /// The smaller of `self` and `o` elementwise (NaN propagates).
    public func minimum(_ o: Tensor) throws -> Tensor { try extremum(o, op: "minimum", EW.Less.self) }

    private func extremum<Better: Comparison>(_ o: Tensor, op: String, _: Better.Type) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: op, EW.Extremum<Better>())
        let share = EW.ExtremumBackward<Better>()
        return Tensor.record(op, out, [self, o]) { g in
            if GradMode.isEnabled {
                // The share of g each side gets (1, ½ on ties, 0) is a constant mask.
                let one = try Tensor.filled([], 1)
                return [self.requiresGrad ? try g.mul(Tensor.ewMap(one, self, o, op: op, share)).sumTo(shape: self.shape) : nil,
                        o.requiresGrad ? try g.mul(Tensor.ewMap(one, o, self, op: op, share)).sumTo(shape: o.shape) : nil]
            }
            return try GradMode.withoutGrad {
                [self.requiresGrad ? try Tensor.ewMap(g, self, o, op: op, share).sumTo(shape: self.shape) : nil,
                 o.requiresGrad ? try Tensor.ewMap(g, o, self, op: op, share).sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// `mask != 0 ? a : b` elementwise, broadcasting all three; gradients flow to `a` and `b`.
    ///
    /// ```swift
    /// let y = try Tensor.where(x.gt(0), x, Tensor.zerosLike(x))
    /// ```
    public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(mask, a, b, op: "where", Select())
        return Tensor.record("where", out, [a, b]) { g in
            if GradMode.isEnabled {
                let zero = try Tensor.filled([], 0)
                return [a.requiresGrad ? try Tensor.where(mask, g, zero).sumTo(shape: a.shape) : nil,
                        b.requiresGrad ? try Tensor.where(mask, zero, g).sumTo(shape: b.shape) : nil]
            }
            return try GradMode.withoutGrad {
                [a.requiresGrad ? try Tensor.ewMap(mask, g, op: "where", GradWhereNonzero()).sumTo(shape: a.shape) : nil,
                 b.requiresGrad ? try Tensor.ewMap(mask, g, op: "where", GradWhereZero()).sumTo(shape: b.shape) : nil]
            }
        }
    }

    /// `-self`.
    public func neg() throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Neg())
        return Tensor.record("neg", out, [self]) { g in [try g.neg()] }
    }
}

// Kernels of the ops above; backward kernels take the upstream gradient g first.

/// d(a/b)/db · g = −g·a/b².
private struct DivBackwardDivisor: TernaryKernel {
    func callAsFunction(_ g: Float, _ a: Float, _ b: Float) -> Float { -g * a / (b * b) }
}

/// d(a^b)/da · g = g·b·a^(b−1), 0 where b = 0.
private struct PowBackwardBase: TernaryKernel {
    func callAsFunction(_ g: Float, _ a: Float, _ b: Float) -> Float { b == 0 ? 0 : g * b * Glibc.powf(a, b - 1) }
}

/// d(a^b)/db · g = g·a^b·log a; 0 where a == 0 and b >= 0, as in PyTorch.
private struct PowBackwardExponent: TernaryKernel {
    func callAsFunction(_ g: Float, _ a: Float, _ b: Float) -> Float {
        a == 0 && b >= 0 ? 0 : g * Glibc.powf(a, b) * Glibc.logf(a)
    }
}

/// `m != 0 ? x : y`.
private struct Select: TernaryKernel {
    func callAsFunction(_ m: Float, _ x: Float, _ y: Float) -> Float { m != 0 ? x : y }
}

/// where's gradient for `a`: g where the mask is not 0.
private struct GradWhereNonzero: BinaryKernel {
    func callAsFunction(_ m: Float, _ g: Float) -> Float { m != 0 ? g : 0 }
}

/// where's gradient for `b`: g where the mask is 0.
private struct GradWhereZero: BinaryKernel {
    func callAsFunction(_ m: Float, _ g: Float) -> Float { m != 0 ? 0 : g }
}
