#if canImport(Glibc)
import Glibc
#endif

/// An elementwise operation on one float, as a type: `EW.map1` and `Tensor.ewMap` are generic
/// over it, so each kernel's loop is compiled for its operation and inlines it, on any number of
/// threads. (A closure value would stay a call per element once the chunk loop runs on Dispatch
/// threads; see docs/performance.md.) Scalars the operation needs are stored properties.
///
/// ```swift
/// struct Halve: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x * 0.5 } }
/// let y = try Tensor.ewMap(x, Halve())
/// ```
protocol UnaryKernel {
    func callAsFunction(_ x: Float) -> Float
    /// The same operation over a unit-stride row at a wider CPU level (`WideKernels`), or nil:
    /// nil by default, and whenever this CPU lacks that level.
    static var wideRow: WideKernels.UnaryRow? { get }
}

extension UnaryKernel {
    static var wideRow: WideKernels.UnaryRow? { nil }
}

/// An elementwise operation on two floats (see `UnaryKernel`).
///
/// ```swift
/// let sum = try Tensor.ewMap(a, b, op: "add", EW.Add())
/// ```
protocol BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float }

/// An elementwise operation on three floats (see `UnaryKernel`).
///
/// ```swift
/// struct Lerp: TernaryKernel { func callAsFunction(_ a: Float, _ b: Float, _ w: Float) -> Float { a + w * (b - a) } }
/// let y = try Tensor.ewMap(a, b, weights, op: "lerp", Lerp())
/// ```
protocol TernaryKernel {
    func callAsFunction(_ a: Float, _ b: Float, _ c: Float) -> Float
    /// As `UnaryKernel.wideRow`.
    static var wideRow: WideKernels.TernaryRow? { get }
}

extension TernaryKernel {
    static var wideRow: WideKernels.TernaryRow? { nil }
}

extension BinaryKernel {
    /// `self(x, s)` as a unary kernel: `EW.Add().withRight(s)` computes `x + s`.
    func withRight(_ s: Float) -> EW.WithRight<Self> { EW.WithRight(op: self, right: s) }

    /// `self(s, x)` as a unary kernel: `EW.Sub().withLeft(s)` computes `s - x`.
    func withLeft(_ s: Float) -> EW.WithLeft<Self> { EW.WithLeft(op: self, left: s) }
}

extension TernaryKernel {
    /// `self(a, b, s)` as a binary kernel.
    func withLast(_ s: Float) -> EW.WithLast<Self> { EW.WithLast(op: self, last: s) }
}

/// A comparison as a kernel: 1 where it holds, else 0 (a float mask). NaN compares unequal to
/// everything. `EW.Extremum` uses the same predicates to pick a value.
protocol Comparison: BinaryKernel { static func holds(_ a: Float, _ b: Float) -> Bool }

extension Comparison {
    func callAsFunction(_ a: Float, _ b: Float) -> Float { Self.holds(a, b) ? 1 : 0 }
}

/// The kernels shared by several ops. Kernels used by one op only are private to its file.
extension EW {
    struct WithRight<Op: BinaryKernel>: UnaryKernel {
        let op: Op, right: Float
        func callAsFunction(_ x: Float) -> Float { op(x, right) }
    }

    struct WithLeft<Op: BinaryKernel>: UnaryKernel {
        let op: Op, left: Float
        func callAsFunction(_ x: Float) -> Float { op(left, x) }
    }

    struct WithLast<Op: TernaryKernel>: BinaryKernel {
        let op: Op, last: Float
        func callAsFunction(_ a: Float, _ b: Float) -> Float { op(a, b, last) }
    }

    /// x (copies, broadcasts).
    struct Identity: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x } }
    /// A constant, whatever the input.
    struct Fill: UnaryKernel {
        let value: Float
        func callAsFunction(_ x: Float) -> Float { value }
    }
    struct Neg: UnaryKernel { func callAsFunction(_ x: Float) -> Float { -x } }
    struct Abs: UnaryKernel { func callAsFunction(_ x: Float) -> Float { Swift.abs(x) } }
    struct Sqrt: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
    struct Square: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x * x } }

    /// x limited to `[lo, hi]`, NaN preserved, `hi` winning when `lo > hi`.
    struct Clamp: UnaryKernel {
        let lo, hi: Float
        func callAsFunction(_ x: Float) -> Float {
            let a = x < lo ? lo : x
            return a > hi ? hi : a
        }
    }

    struct Add: BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
    struct Sub: BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
    struct Mul: BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
    struct Div: BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }
    struct Pow: BinaryKernel { func callAsFunction(_ a: Float, _ b: Float) -> Float { Glibc.powf(a, b) } }

    /// g·sign(x) for the gradient g (0 at 0 and NaN): the backward of |x|.
    struct AbsBackward: BinaryKernel {
        func callAsFunction(_ g: Float, _ x: Float) -> Float { x > 0 ? g : (x < 0 ? -g : 0) }
    }

    /// 2·g·x for the gradient g: the backward of x².
    struct SquareBackward: BinaryKernel {
        func callAsFunction(_ g: Float, _ x: Float) -> Float { 2 * g * x }
    }

    struct Equal: Comparison { static func holds(_ a: Float, _ b: Float) -> Bool { a == b } }
    struct NotEqual: Comparison { static func holds(_ a: Float, _ b: Float) -> Bool { a != b } }
    struct Less: Comparison { static func holds(_ a: Float, _ b: Float) -> Bool { a < b } }
    struct LessOrEqual: Comparison { static func holds(_ a: Float, _ b: Float) -> Bool { a <= b } }
    struct Greater: Comparison { static func holds(_ a: Float, _ b: Float) -> Bool { a > b } }
    struct GreaterOrEqual: Comparison { static func holds(_ a: Float, _ b: Float) -> Bool { a >= b } }

    /// `a` where `Better.holds(a, b)` or `a` is NaN, else `b`: `Extremum<Greater>` is maximum.
    struct Extremum<Better: Comparison>: BinaryKernel {
        func callAsFunction(_ a: Float, _ b: Float) -> Float { Better.holds(a, b) || a != a ? a : b }
    }

    /// The share of the gradient g that goes to `a` in `Extremum(a, b)`: all of it where `a` wins,
    /// half on ties.
    struct ExtremumBackward<Better: Comparison>: TernaryKernel {
        func callAsFunction(_ g: Float, _ a: Float, _ b: Float) -> Float {
            Better.holds(a, b) ? g : (a == b ? g * 0.5 : 0)
        }
    }
}
