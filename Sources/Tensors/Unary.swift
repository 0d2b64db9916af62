#if canImport(Glibc)
import Glibc
#endif

/// Unary elementwise math with gradients. Each backward is written out as its own loop (rather
/// than through a shared closure) so that it compiles to a specialised kernel; exp, tanh and
/// sigmoid use `FastMath` so that their loops vectorize.
extension Tensor {
    /// |x| (`abs()` under the contract's name; the gradient is sign(x), 0 at 0).
    public func absolute() throws -> Tensor {
        let out = try Tensor.ewMap(self) { Swift.abs($0) }
        return Tensor.record("abs", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "abs") { g, x in x > 0 ? g : (x < 0 ? -g : 0) } }]
        }
    }

    /// e^x.
    ///
    /// ```swift
    /// let y = try x.exp()
    /// ```
    public func exp() throws -> Tensor {
        let out = try Tensor.ewMap(self) { FastMath.exp($0) }
        let y = out.detachedAlias
        return Tensor.record("exp", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "exp") { $0 * $1 } }]
        }
    }

    /// Natural logarithm.
    public func log() throws -> Tensor {
        let out = try Tensor.ewMap(self) { Glibc.logf($0) }
        return Tensor.record("log", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "log") { $0 / $1 } }]
        }
    }

    /// log(1 + x), accurate near 0.
    public func log1p() throws -> Tensor {
        let out = try Tensor.ewMap(self) { Glibc.log1pf($0) }
        return Tensor.record("log1p", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "log1p") { $0 / (1 + $1) } }]
        }
    }

    /// Square root.
    public func sqrt() throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0.squareRoot() }
        let y = out.detachedAlias
        return Tensor.record("sqrt", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "sqrt") { $0 / (2 * $1) } }]
        }
    }

    /// 1 / sqrt(x).
    public func rsqrt() throws -> Tensor {
        let out = try Tensor.ewMap(self) { 1 / $0.squareRoot() }
        let y = out.detachedAlias
        return Tensor.record("rsqrt", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "rsqrt") { g, y in -0.5 * g * y * y * y } }]
        }
    }

    /// Sine.
    public func sin() throws -> Tensor {
        let out = try Tensor.ewMap(self) { Glibc.sinf($0) }
        return Tensor.record("sin", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "sin") { g, x in g * Glibc.cosf(x) } }]
        }
    }

    /// Cosine.
    public func cos() throws -> Tensor {
        let out = try Tensor.ewMap(self) { Glibc.cosf($0) }
        return Tensor.record("cos", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "cos") { g, x in -g * Glibc.sinf(x) } }]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() throws -> Tensor {
        let out = try Tensor.ewMap(self) { FastMath.tanh($0) }
        let y = out.detachedAlias
        return Tensor.record("tanh", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "tanh") { g, y in g * (1 - y * y) } }]
        }
    }

    /// 1 / (1 + e^-x).
    public func sigmoid() throws -> Tensor {
        let out = try Tensor.ewMap(self) { FastMath.sigmoid($0) }
        let y = out.detachedAlias
        return Tensor.record("sigmoid", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "sigmoid") { g, y in g * y * (1 - y) } }]
        }
    }

    /// max(x, 0) (NaN stays NaN); the gradient is 0 at 0, as in PyTorch.
    ///
    /// Dense inputs take loops written out here: with more than one thread, `ewMap`'s operation
    /// closure stays a call per element (see docs/performance.md; the general fix, generic
    /// operation types in `EW.map*`, is pending), and relu runs after every conv and linear layer.
    public func relu() throws -> Tensor {
        let out: Tensor
        if isContiguous {
            out = try Tensor(uninitializedShape: shape)
            let x = pointer, o = out.pointer
            Parallel.forEachChunk(count: count) { r in
                let (x, o) = (x, o)  // locals: stores through `o` cannot then alias them
                for i in r { let v = x[i]; o[i] = v < 0 ? 0 : v }
            }
        } else {
            out = try Tensor.ewMap(self) { $0 < 0 ? 0 : $0 }
        }
        return Tensor.record("relu", out, [self]) { g in
            try GradMode.withoutGrad {
                guard g.isContiguous, self.isContiguous, g.shape == self.shape else {
                    return [try Tensor.ewMap(g, self, op: "relu") { g, x in x > 0 ? g : 0 }]
                }
                let gx = try Tensor(uninitializedShape: self.shape)
                let gp = g.pointer, x = self.pointer, o = gx.pointer
                Parallel.forEachChunk(count: self.count) { r in
                    let (gp, x, o) = (gp, x, o)
                    for i in r { let g = gp[i]; o[i] = x[i] > 0 ? g : 0 }  // both loads unconditional: vectorizes
                }
                return [gx]
            }
        }
    }

    /// GELU, exact form x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's default).
    public func gelu() throws -> Tensor {
        let out = try Tensor.ewMap(self) { x in 0.5 * x * (1 + Glibc.erff(x * 0.70710678118654752)) }
        return Tensor.record("gelu", out, [self]) { g in
            [try GradMode.withoutGrad {
                try Tensor.ewMap(g, self, op: "gelu") { g, x in
                    let cdf = 0.5 * (1 + Glibc.erff(x * 0.70710678118654752))
                    let pdf = 0.39894228040143268 * FastMath.exp(-0.5 * x * x)
                    return g * (cdf + x * pdf)
                }
            }]
        }
    }

    /// -1, 0 or 1 (NaN stays NaN); zero gradient.
    public func sign() throws -> Tensor {
        stepwise("sign", try Tensor.ewMap(self) { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) })
    }

    /// Rounds down; zero gradient.
    public func floor() throws -> Tensor { stepwise("floor", try Tensor.ewMap(self) { $0.rounded(.down) }) }

    /// Rounds up; zero gradient.
    public func ceil() throws -> Tensor { stepwise("ceil", try Tensor.ewMap(self) { $0.rounded(.up) }) }

    /// Rounds half to even (2.5 → 2, 3.5 → 4), as PyTorch; zero gradient.
    public func round() throws -> Tensor {
        stepwise("round", try Tensor.ewMap(self) { $0.rounded(.toNearestOrEven) })
    }

    /// Records a piecewise-constant op: its gradient is zero everywhere.
    private func stepwise(_ name: String, _ out: Tensor) -> Tensor {
        let shape = self.shape
        return Tensor.record(name, out, [self]) { _ in [try Tensor.zeros(shape)] }
    }

    /// x².
    public func square() throws -> Tensor {
        let out = try Tensor.ewMap(self) { $0 * $0 }
        return Tensor.record("square", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "square") { g, x in 2 * g * x } }]
        }
    }

    /// Limits each element to `[min, max]` (either bound may be nil; NaN stays NaN). When
    /// `min > max` every element becomes `max`, as in PyTorch. The gradient passes where the
    /// input is within the bounds.
    ///
    /// ```swift
    /// let y = try x.clamp(min: 0, max: 1)
    /// ```
    public func clamp(min lo: Float?, max hi: Float?) throws -> Tensor {
        guard lo != nil || hi != nil else { throw TensorError("clamp: at least one of min and max must be given") }
        let l = lo ?? -.infinity, h = hi ?? .infinity
        let out = try Tensor.ewMap(self) { x in Tensor.clamped(x, l, h) }
        return Tensor.record("clamp", out, [self]) { g in
            [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "clamp") { g, x in x >= l && x <= h ? g : 0 } }]
        }
    }

    /// `x` limited to `[lo, hi]`, NaN preserved, `hi` winning when `lo > hi`.
    @inline(__always)
    static func clamped(_ x: Float, _ lo: Float, _ hi: Float) -> Float {
        let a = x < lo ? lo : x
        return a > hi ? hi : a
    }
}
