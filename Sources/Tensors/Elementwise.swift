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
        let out = try Tensor.ewMap(self, o, op: "add") { $0 + $1 }
        return Tensor.record("add", out, [self, o]) { g in
            try GradMode.withoutGrad {
                [self.requiresGrad ? try g.sumTo(shape: self.shape) : nil,
                 o.requiresGrad ? try g.sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// `self - o`, broadcasting.
    public func sub(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "sub") { $0 - $1 }
        return Tensor.record("sub", out, [self, o]) { g in
            try GradMode.withoutGrad {
                [self.requiresGrad ? try g.sumTo(shape: self.shape) : nil,
                 o.requiresGrad ? try Tensor.ewMap(g) { -$0 }.sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// `self * o`, broadcasting.
    public func mul(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "mul") { $0 * $1 }
        return Tensor.record("mul", out, [self, o]) { g in
            try GradMode.withoutGrad {
                [self.requiresGrad ? try Tensor.ewMap(g, o, op: "mul") { $0 * $1 }.sumTo(shape: self.shape) : nil,
                 o.requiresGrad ? try Tensor.ewMap(g, self, op: "mul") { $0 * $1 }.sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// `self / o`, broadcasting.
    public func div(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "div") { $0 / $1 }
        return Tensor.record("div", out, [self, o]) { g in
            try GradMode.withoutGrad {
                [self.requiresGrad ? try Tensor.ewMap(g, o, op: "div") { $0 / $1 }.sumTo(shape: self.shape) : nil,
                 o.requiresGrad
                    ? try Tensor.ewMap(g, self, o, op: "div") { g, a, b in -g * a / (b * b) }.sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// `self ^ o` elementwise, broadcasting.
    ///
    /// ```swift
    /// let y = try x.pow(Tensor.full([3], value: 2))
    /// ```
    public func pow(_ o: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: "pow") { Glibc.powf($0, $1) }
        return Tensor.record("pow", out, [self, o]) { g in
            try GradMode.withoutGrad {
                [self.requiresGrad
                    ? try Tensor.ewMap(g, self, o, op: "pow") { g, a, b in b == 0 ? 0 : g * b * Glibc.powf(a, b - 1) }
                        .sumTo(shape: self.shape) : nil,
                 o.requiresGrad
                    // d/db a^b = a^b log a; 0 where a == 0 and b >= 0, as in PyTorch.
                    ? try Tensor.ewMap(g, self, o, op: "pow") { g, a, b in
                        a == 0 && b >= 0 ? 0 : g * Glibc.powf(a, b) * Glibc.logf(a)
                    }.sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// The larger of `self` and `o` elementwise (NaN propagates). The gradient goes to the larger
    /// input, split evenly on ties.
    public func maximum(_ o: Tensor) throws -> Tensor { try extremum(o, op: "maximum", >) }

    /// The smaller of `self` and `o` elementwise (NaN propagates).
    public func minimum(_ o: Tensor) throws -> Tensor { try extremum(o, op: "minimum", <) }

    @inline(__always)
    private func extremum(_ o: Tensor, op: String, _ better: @escaping (Float, Float) -> Bool) throws -> Tensor {
        let out = try Tensor.ewMap(self, o, op: op) { a, b in better(a, b) || a != a ? a : b }
        return Tensor.record(op, out, [self, o]) { g in
            try GradMode.withoutGrad {
                [self.requiresGrad
                    ? try Tensor.ewMap(g, self, o, op: op) { g, a, b in better(a, b) ? g : (a == b ? g * 0.5 : 0) }
                        .sumTo(shape: self.shape) : nil,
                 o.requiresGrad
                    ? try Tensor.ewMap(g, self, o, op: op) { g, a, b in better(b, a) ? g : (a == b ? g * 0.5 : 0) }
                        .sumTo(shape: o.shape) : nil]
            }
        }
    }

    /// `mask != 0 ? a : b` elementwise, broadcasting all three; gradients flow to `a` and `b`.
    ///
    /// ```swift
    /// let y = try Tensor.where(x.gt(0), x, Tensor.zerosLike(x))
    /// ```
    public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let out = try Tensor.ewMap(mask, a, b, op: "where") { m, x, y in m != 0 ? x : y }
        return Tensor.record("where", out, [a, b]) { g in
            try GradMode.withoutGrad {
                [a.requiresGrad ? try Tensor.ewMap(mask, g, op: "where") { m, g in m != 0 ? g : 0 }.sumTo(shape: a.shape) : nil,
                 b.requiresGrad ? try Tensor.ewMap(mask, g, op: "where") { m, g in m != 0 ? 0 : g }.sumTo(shape: b.shape) : nil]
            }
        }
    }

    /// `-self`.
    public func neg() throws -> Tensor {
        let out = try Tensor.ewMap(self) { -$0 }
        return Tensor.record("neg", out, [self]) { g in [try GradMode.withoutGrad { try Tensor.ewMap(g) { -$0 } }] }
    }
}
