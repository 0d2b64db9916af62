#if canImport(Glibc)
import Glibc
#endif

/// More elementwise math (PyTorch's names): `reciprocal`, `expm1`, `exp2`, `log2`, `log10`,
/// `erf`, `tan`, `atan`, `asin`, `acos`, `sinh`, `cosh`, `trunc`, `frac`, and the binary
/// `atan2`, `fmod`, `remainder`. Forward passes are kernel types (specialised loops); backwards
/// are written with recorded ops on the input, so they can themselves be differentiated.
extension Tensor {
    /// 1 / x.
    ///
    /// ```swift
    /// let inv = try x.reciprocal()
    /// ```
    public func reciprocal() throws -> Tensor {
        let x = self
        return Tensor.record("reciprocal", try Tensor.ewMap(self, Reciprocal()), [self]) { g in [try g.div(x.square()).neg()] }
    }

    /// e^x − 1, accurate near 0.
    public func expm1() throws -> Tensor {
        let x = self
        return Tensor.record("expm1", try Tensor.ewMap(self, Expm1()), [self]) { g in [try g.mul(x.exp())] }
    }

    /// 2^x.
    public func exp2() throws -> Tensor {
        let x = self
        return Tensor.record("exp2", try Tensor.ewMap(self, Exp2()), [self]) { g in [try g.mul(x.exp2()).mul(Float(M_LN2))] }
    }

    /// Base-2 logarithm.
    public func log2() throws -> Tensor {
        let x = self
        return Tensor.record("log2", try Tensor.ewMap(self, Log2()), [self]) { g in [try g.div(x.mul(Float(M_LN2)))] }
    }

    /// Base-10 logarithm.
    public func log10() throws -> Tensor {
        let x = self
        return Tensor.record("log10", try Tensor.ewMap(self, Log10()), [self]) { g in [try g.div(x.mul(Float(M_LN10)))] }
    }

    /// The error function.
    ///
    /// ```swift
    /// let cdf = try x.div(2.squareRoot()).erf().add(1).mul(0.5)   // normal CDF
    /// ```
    public func erf() throws -> Tensor {
        let x = self
        return Tensor.record("erf", try Tensor.ewMap(self, Erf()), [self]) { g in
            [try g.mul(x.square().neg().exp()).mul(Float(2 / Double.pi.squareRoot()))]
        }
    }

    /// Tangent.
    public func tan() throws -> Tensor {
        let x = self
        return Tensor.record("tan", try Tensor.ewMap(self, Tan()), [self]) { g in [try g.mul(x.tan().square().add(1))] }
    }

    /// Arctangent.
    public func atan() throws -> Tensor {
        let x = self
        return Tensor.record("atan", try Tensor.ewMap(self, Atan()), [self]) { g in [try g.div(x.square().add(1))] }
    }

    /// Arcsine (NaN outside [-1, 1]).
    public func asin() throws -> Tensor {
        let x = self
        return Tensor.record("asin", try Tensor.ewMap(self, Asin()), [self]) { g in [try g.mul(x.square().rsub(1).rsqrt())] }
    }

    /// Arccosine (NaN outside [-1, 1]).
    public func acos() throws -> Tensor {
        let x = self
        return Tensor.record("acos", try Tensor.ewMap(self, Acos()), [self]) { g in [try g.mul(x.square().rsub(1).rsqrt()).neg()] }
    }

    /// Hyperbolic sine.
    public func sinh() throws -> Tensor {
        let x = self
        return Tensor.record("sinh", try Tensor.ewMap(self, Sinh()), [self]) { g in [try g.mul(x.cosh())] }
    }

    /// Hyperbolic cosine.
    public func cosh() throws -> Tensor {
        let x = self
        return Tensor.record("cosh", try Tensor.ewMap(self, Cosh()), [self]) { g in [try g.mul(x.sinh())] }
    }

    /// Rounds toward zero (gradient 0, as PyTorch).
    public func trunc() throws -> Tensor {
        let shape = self.shape
        return Tensor.record("trunc", try Tensor.ewMap(self, Trunc()), [self]) { _ in [try Tensor.zeros(shape)] }
    }

    /// x − trunc(x) (gradient 1).
    public func frac() throws -> Tensor {
        Tensor.record("frac", try Tensor.ewMap(self, Frac()), [self]) { g in [g] }
    }

    /// atan2(self, other): the angle of the point (other, self), broadcasting.
    ///
    /// ```swift
    /// let angle = try y.atan2(x)
    /// ```
    public func atan2(_ other: Tensor) throws -> Tensor {
        let y = self, x = other
        let out = try Tensor.ewMap(y, x, op: "atan2", Atan2())
        return Tensor.record("atan2", out, [y, x]) { g in
            let r = try x.square().add(y.square())
            return [y.requiresGrad ? try g.mul(x).div(r).sumTo(shape: y.shape) : nil,
                    x.requiresGrad ? try g.mul(y).div(r).neg().sumTo(shape: x.shape) : nil]
        }
    }

    /// The remainder of self / other with the sign of self (C's fmod), broadcasting.
    public func fmod(_ other: Tensor) throws -> Tensor { try modulo(other, floored: false) }

    /// The remainder of self / other with the sign of other (Python's %), broadcasting.
    public func remainder(_ other: Tensor) throws -> Tensor { try modulo(other, floored: true) }

    private func modulo(_ other: Tensor, floored: Bool) throws -> Tensor {
        let a = self, b = other
        let name = floored ? "remainder" : "fmod"
        let out = floored ? try Tensor.ewMap(a, b, op: name, Remainder()) : try Tensor.ewMap(a, b, op: name, Fmod())
        return Tensor.record(name, out, [a, b]) { g in
            // d/da = 1; d/db = -q with q = trunc(a / b) (fmod) or floor(a / b) (remainder).
            var gb: Tensor? = nil
            if b.requiresGrad {
                let q = try GradMode.withoutGrad { floored ? try a.div(b).floor() : try a.div(b).trunc() }
                gb = try g.mul(q).neg().sumTo(shape: b.shape)
            }
            return [a.requiresGrad ? try g.sumTo(shape: a.shape) : nil, gb]
        }
    }
}

private struct Reciprocal: UnaryKernel { func callAsFunction(_ x: Float) -> Float { 1 / x } }
private struct Expm1: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.expm1f(x) } }
private struct Exp2: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.exp2f(x) } }
private struct Log2: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.log2f(x) } }
private struct Log10: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.log10f(x) } }
private struct Erf: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.erff(x) } }
private struct Tan: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.tanf(x) } }
private struct Atan: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.atanf(x) } }
private struct Asin: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.asinf(x) } }
private struct Acos: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.acosf(x) } }
private struct Sinh: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.sinhf(x) } }
private struct Cosh: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Glibc.coshf(x) } }
private struct Trunc: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.rounded(.towardZero) } }
private struct Frac: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x - x.rounded(.towardZero) } }
private struct Atan2: BinaryKernel { func callAsFunction(_ y: Float, _ x: Float) -> Float { Glibc.atan2f(y, x) } }
private struct Fmod: BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float { Glibc.fmodf(a, b) } }
/// Python's %: the result has the sign of the divisor.
private struct Remainder: BinaryKernel {
    func callAsFunction(_ a: Float, _ b: Float) -> Float {
        let r = Glibc.fmodf(a, b)
        return r != 0 && (r < 0) != (b < 0) ? r + b : r
    }
}
