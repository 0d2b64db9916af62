#if canImport(Glibc)
import Glibc
#endif

/// Unary elementwise math with gradients. Each forward and backward formula is a kernel type (at
/// the end of this file, or shared in ElementwiseOps.swift) so that it compiles to a specialised
/// loop; exp, tanh and sigmoid use `FastMath` so that their loops vectorize.
extension Tensor {
    /// |x| (`abs()` under the contract's name; the gradient is sign(x), 0 at 0).
    public func absolute() throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Abs())
        return Tensor.record("abs", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.sign())] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "abs", EW.AbsBackward()) }]
        }
    }

    /// e^x.
    ///
    /// ```swift
    /// let y = try x.exp()
    /// ```
    public func exp() throws -> Tensor {
        let out = try Tensor.ewMap(self, Exp())
        let y = out.detachedAlias
        return Tensor.record("exp", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.exp())] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "exp", EW.Mul()) }]
        }
    }

    /// Natural logarithm.
    public func log() throws -> Tensor {
        let out = try Tensor.ewMap(self, Log())
        return Tensor.record("log", out, [self]) { g in
            if GradMode.isEnabled { return [try g.div(self)] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "log", EW.Div()) }]
        }
    }

    /// log(1 + x), accurate near 0.
    public func log1p() throws -> Tensor {
        let out = try Tensor.ewMap(self, Log1p())
        return Tensor.record("log1p", out, [self]) { g in
            if GradMode.isEnabled { return [try g.div(self.add(1))] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "log1p", Log1pBackward()) }]
        }
    }

    /// Square root.
    public func sqrt() throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Sqrt())
        let y = out.detachedAlias
        return Tensor.record("sqrt", out, [self]) { g in
            if GradMode.isEnabled { return [try g.div(self.sqrt().mul(2))] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "sqrt", SqrtBackward()) }]
        }
    }

    /// 1 / sqrt(x).
    public func rsqrt() throws -> Tensor {
        let out = try Tensor.ewMap(self, Rsqrt())
        let y = out.detachedAlias
        return Tensor.record("rsqrt", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.rsqrt().pow(3)).mul(-0.5)] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "rsqrt", RsqrtBackward()) }]
        }
    }

    /// Sine.
    public func sin() throws -> Tensor {
        let out = try Tensor.ewMap(self, Sin())
        return Tensor.record("sin", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.cos())] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "sin", SinBackward()) }]
        }
    }

    /// Cosine.
    public func cos() throws -> Tensor {
        let out = try Tensor.ewMap(self, Cos())
        return Tensor.record("cos", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.sin()).neg()] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "cos", CosBackward()) }]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() throws -> Tensor {
        let out = try Tensor.ewMap(self, Tanh())
        let y = out.detachedAlias
        return Tensor.record("tanh", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.tanh().square().rsub(1))] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "tanh", TanhBackward()) }]
        }
    }

    /// 1 / (1 + e^-x).
    public func sigmoid() throws -> Tensor {
        let out = try Tensor.ewMap(self, Sigmoid())
        let y = out.detachedAlias
        return Tensor.record("sigmoid", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.sigmoid().mul(self.sigmoid().rsub(1)))] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, y, op: "sigmoid", SigmoidBackward()) }]
        }
    }

    /// max(x, 0) (NaN stays NaN); the gradient is 0 at 0, as in PyTorch.
    public func relu() throws -> Tensor {
        let out = try Tensor.ewMap(self, Relu())
        return Tensor.record("relu", out, [self]) { g in
            if GradMode.isEnabled { return [try g.reluMasked(by: self)] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "relu", ReluBackward()) }]
        }
    }

    /// `self` where `x > 0`, else 0: relu's backward as one recorded op (create_graph). It is
    /// linear in `self` with the same mask as its own gradient (zero with respect to `x`), so
    /// double backward through a ReLU costs one fused pass, with no mask tensor.
    func reluMasked(by x: Tensor) throws -> Tensor {
        let out = try GradMode.withoutGrad { try Tensor.ewMap(self, x, op: "relu", ReluBackward()) }
        return Tensor.record("relu_backward", out, [self]) { h in
            if GradMode.isEnabled { return [try h.reluMasked(by: x)] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(h, x, op: "relu", ReluBackward()) }]
        }
    }

    /// GELU, exact form x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's default).
    public func gelu() throws -> Tensor {
        let out = try Tensor.ewMap(self, Gelu())
        let y = out.detachedAlias
        return Tensor.record("gelu", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.geluDerivative())] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, y, op: "gelu", GeluBackwardFromOutput()) }]
        }
    }

    /// Φ(x) + x·φ(x), the derivative of `gelu` (recorded, so gelu has higher derivatives:
    /// d/dx = φ(x)·(2 − x²)).
    func geluDerivative() throws -> Tensor {
        let out = try Tensor.ewMap(self, GeluBackward().withLeft(1))
        return Tensor.record("gelu_derivative", out, [self]) { g in
            // φ(x)·(2 − x²), φ(x) = e^(−x²/2)/√(2π), in differentiable ops.
            let x2 = try self.square()
            return [try g.mul(x2.mul(-0.5).exp().mul(0.39894228040143268)).mul(x2.rsub(2))]
        }
    }

    /// -1, 0 or 1 (NaN stays NaN); zero gradient.
    public func sign() throws -> Tensor {
        stepwise("sign", try Tensor.ewMap(self, Sign()))
    }

    /// Rounds down; zero gradient.
    public func floor() throws -> Tensor { stepwise("floor", try Tensor.ewMap(self, Floor())) }

    /// Rounds up; zero gradient.
    public func ceil() throws -> Tensor { stepwise("ceil", try Tensor.ewMap(self, Ceil())) }

    /// Rounds half to even (2.5 → 2, 3.5 → 4), as PyTorch; zero gradient.
    public func round() throws -> Tensor {
        stepwise("round", try Tensor.ewMap(self, Round()))
    }

    /// Records a piecewise-constant op: its gradient is zero everywhere.
    private func stepwise(_ name: String, _ out: Tensor) -> Tensor {
        let shape = self.shape
        return Tensor.record(name, out, [self]) { _ in [try GradMode.withoutGrad { try Tensor.zeros(shape) }] }
    }

    /// x².
    public func square() throws -> Tensor {
        let out = try Tensor.ewMap(self, EW.Square())
        return Tensor.record("square", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self).mul(2)] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "square", EW.SquareBackward()) }]
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
        let out = try Tensor.ewMap(self, EW.Clamp(lo: l, hi: h))
        return Tensor.record("clamp", out, [self]) { g in
            if GradMode.isEnabled { return [try g.mul(self.ge(l).mul(self.le(h)))] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g, self, op: "clamp", ClampBackward(lo: l, hi: h)) }]
        }
    }
}

// The kernels of the ops above (see `UnaryKernel`); backward kernels take the upstream gradient
// first, then the op's input x or output y.

private struct Exp: UnaryKernel { func callAsFunction(_ x: Float) -> Float { FastMath.exp(x) } }
private struct Log: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.logf(x) } }
private struct Log1p: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.log1pf(x) } }
private struct Rsqrt: UnaryKernel { func callAsFunction(_ x: Float) -> Float { 1 / x.squareRoot() } }
private struct Sin: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.sinf(x) } }
private struct Cos: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.cosf(x) } }
private struct Tanh: UnaryKernel {
    func callAsFunction(_ x: Float) -> Float { FastMath.tanh(x) }
    static let wideRow = WideKernels.tanh
}
private struct Sigmoid: UnaryKernel {
    func callAsFunction(_ x: Float) -> Float { FastMath.sigmoid(x) }
    static let wideRow = WideKernels.sigmoid
}
private struct Relu: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x < 0 ? 0 : x } }
private struct Sign: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : x) } }
private struct Floor: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.rounded(.down) } }
private struct Ceil: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.rounded(.up) } }
private struct Round: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.rounded(.toNearestOrEven) } }

/// x·Φ(x) = x/2·(1 + erf(x/√2)).
struct Gelu: UnaryKernel {
    // Always inlined: the kernel loop vectorizes only with the body inside it.
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * FastMath.normalCDF(x) }
    static let wideRow = WideKernels.gelu
}

private struct Log1pBackward: BinaryKernel { func callAsFunction(_ g: Float, _ x: Float) -> Float { g / (1 + x) } }
private struct SqrtBackward: BinaryKernel { func callAsFunction(_ g: Float, _ y: Float) -> Float { g / (2 * y) } }
private struct RsqrtBackward: BinaryKernel { func callAsFunction(_ g: Float, _ y: Float) -> Float { -0.5 * g * y * y * y } }
private struct SinBackward: BinaryKernel { func callAsFunction(_ g: Float, _ x: Float) -> Float { g * Glibc.cosf(x) } }
private struct CosBackward: BinaryKernel { func callAsFunction(_ g: Float, _ x: Float) -> Float { -g * Glibc.sinf(x) } }
private struct TanhBackward: BinaryKernel { func callAsFunction(_ g: Float, _ y: Float) -> Float { g * (1 - y * y) } }
private struct SigmoidBackward: BinaryKernel { func callAsFunction(_ g: Float, _ y: Float) -> Float { g * y * (1 - y) } }
private struct ReluBackward: BinaryKernel { func callAsFunction(_ g: Float, _ x: Float) -> Float { x > 0 ? g : 0 } }

/// g·(Φ(x) + x·φ(x)).
private struct GeluBackward: BinaryKernel {
    @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float {
        let cdf = FastMath.normalCDF(x)
        let pdf = 0.39894228040143268 * FastMath.exp(-0.5 * x * x)
        return g * (cdf + x * pdf)
    }
}

/// g·(Φ(x) + x·φ(x)) with Φ(x) = y/x read from the forward's output y = x·Φ(x): one exponential
/// instead of `GeluBackward`'s two and no polynomial (the backward of a transformer's MLP took
/// twice its forward). Within 2 ulp of `GeluBackward`'s Φ where y/x is exact enough; for
/// |x| ≤ 1e-20, Φ(x) = 1/2 to float precision and y may be subnormal, so 1/2 is used.
struct GeluBackwardFromOutput: TernaryKernel {
    @inline(__always) func callAsFunction(_ g: Float, _ x: Float, _ y: Float) -> Float {
        let cdf = (x < 0 ? -x : x) > 1e-20 ? y / x : 0.5
        let pdf = 0.39894228040143268 * FastMath.exp(-0.5 * x * x)
        return g * (cdf + x * pdf)
    }
    static let wideRow = WideKernels.geluBackward
}

/// g where x is within [lo, hi], else 0.
private struct ClampBackward: BinaryKernel {
    let lo, hi: Float
    func callAsFunction(_ g: Float, _ x: Float) -> Float { x >= lo && x <= hi ? g : 0 }
}
