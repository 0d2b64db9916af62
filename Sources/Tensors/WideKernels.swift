import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Element-wise kernels for a wider CPU level than the binary's, chosen at run time.
///
/// The binary's loops are compiled for one level (8-wide AVX2 in the x86-64-v3 build; see
/// `CPULevel`). A few kernels are bound by the out-of-order window rather than by arithmetic:
/// each element is a long dependency chain (a division, a polynomial, an exponential), so only
/// more lanes per instruction make them faster. Those have AVX-512 versions in C
/// (Sources/CKernels) that a kernel type offers as its `wideRow`; `EW`'s unit-stride loops call
/// it instead of the Swift loop when this CPU has AVX-512. The C code performs the Swift code's
/// operations in the same order without FMA, so results are bit-identical either way
/// (`KernelDispatchTests`); only the speed differs (docs/performance.md: GELU's forward
/// 1.10 → 0.76 ms on 524288 floats, one thread). NN's LSTM cell calls `sigmoid` and `tanh`.
///
/// ```swift
/// print(WideKernels.avx512)   // true on a CPU with AVX-512 F, unless DESCENT_NO_AVX512 is set
/// ```
public enum WideKernels {
    /// A unary kernel over a row: `(x, out, count)`.
    public typealias UnaryRow = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
    /// A ternary kernel over a row: `(a, b, c, out, count)`.
    public typealias TernaryRow = @convention(c) (
        UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int
    ) -> Void

    /// Whether the AVX-512 kernels run: this CPU has AVX-512 F and the environment variable
    /// `DESCENT_NO_AVX512` is unset (set it to time or test the binary's own loops).
    public static let avx512: Bool = descent_kernels_have_avx512() != 0 && getenv("DESCENT_NO_AVX512") == nil

    /// `FastMath.sigmoid` over a row, when `avx512` (NN's fused recurrent cells call it).
    public static let sigmoid: UnaryRow? = avx512 ? descent_sigmoid_avx512 : nil
    /// `FastMath.tanh` over a row, when `avx512`.
    public static let tanh: UnaryRow? = avx512 ? descent_tanh_avx512 : nil
    /// x·`FastMath.normalCDF`(x) (GELU) over a row, when `avx512`.
    static let gelu: UnaryRow? = avx512 ? descent_gelu_avx512 : nil
    /// GELU's backward from its output (`GeluBackwardFromOutput`) over a row, when `avx512`.
    static let geluBackward: TernaryRow? = avx512 ? descent_gelu_backward_avx512 : nil

    /// Whether this CPU could run them, whatever the environment says (for tests).
    public static var cpuHasAVX512: Bool { descent_kernels_have_avx512() != 0 }

    /// Sigmoid over `n` floats with the AVX-512 kernel (for tests: the bit-identity check).
    public static func sigmoidAVX512(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        descent_sigmoid_avx512(x, out, n)
    }

    /// Tanh over `n` floats with the AVX-512 kernel (for tests).
    public static func tanhAVX512(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        descent_tanh_avx512(x, out, n)
    }

    /// GELU over `n` floats with the AVX-512 kernel (for tests).
    public static func geluAVX512(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        descent_gelu_avx512(x, out, n)
    }

    /// GELU's backward from its output over `n` floats with the AVX-512 kernel (for tests).
    public static func geluBackwardAVX512(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        descent_gelu_backward_avx512(g, x, y, out, n)
    }
}
