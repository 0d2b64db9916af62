import Foundation
import Testing
@testable import Tensors

// The AVX-512 kernels of Sources/CKernels must give the Swift kernels' bits exactly (see
// WideKernels): a run is the same with or without them. Checked element by element over every
// input class, at lengths that exercise whole 16-lane blocks and the masked tail.

/// Inputs of every class: a dense grid over GELU's useful range, tiny and subnormal values,
/// huge values, signed zeros, infinities and NaN, then pseudo-random floats of all exponents.
private func inputs() -> [Float] {
    var xs: [Float] = stride(from: -20 as Float, through: 20, by: 0.001).map { $0 }
    xs += [0, -0, 1e-30, -1e-30, 1e-20, -1e-20, 2e-20, -2e-20, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
           .leastNormalMagnitude, -.leastNormalMagnitude, 1e30, -1e30, .greatestFiniteMagnitude,
           -.greatestFiniteMagnitude, .infinity, -.infinity, .nan, 88.7, 88.8, 103.9, 104.1, -88.7, -103.9, -104.1]
    // Each side of every branch point of the kernels (tanh's 0.625, the exponential's clamps,
    // GELU's 1e-20): 64 floats either way, with both signs.
    for edge: Float in [0.625, 88.72283, 88.8, 103.972, 104, 1e-20, 44.36, 51.99, 52] {
        var up = edge, down = edge
        for _ in 0..<64 {
            up = up.nextUp; down = down.nextDown
            xs += [up, down, -up, -down]
        }
        xs += [edge, -edge]
    }
    var state: UInt32 = 12345
    for _ in 0..<50_000 {
        state = state &* 1_664_525 &+ 1_013_904_223
        xs.append(Float(bitPattern: state))
    }
    return xs
}

/// Bit patterns equal, NaN matching any NaN.
private func sameBits(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

@Test(.enabled(if: WideKernels.cpuHasAVX512, "this CPU has no AVX-512"))
func geluAVX512MatchesTheSwiftKernel() {
    expectSameAsSwift("gelu", WideKernels.geluAVX512) { Gelu()($0) }   // whole blocks and every tail
}

/// A unary AVX-512 row kernel against the Swift function it mirrors, at every tail length.
private func expectSameAsSwift(_ what: String, _ wide: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                               _ swift: (Float) -> Float) {
    let xs = inputs()
    for n in [xs.count, 15, 16, 17, 33] {
        let x = Array(xs.prefix(n))
        var out = [Float](repeating: 7, count: n)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { wide(xp.baseAddress!, $0.baseAddress!, n) } }
        let mismatches = (0..<n).filter { !sameBits(out[$0], swift(x[$0])) }
        #expect(mismatches.isEmpty, "\(what), n \(n): \(mismatches.prefix(5).map { "x \(x[$0]): \(out[$0]) vs \(swift(x[$0]))" })")
    }
}

@Test(.enabled(if: WideKernels.cpuHasAVX512, "this CPU has no AVX-512"))
func sigmoidAndTanhAVX512MatchFastMath() {
    // The fused LSTM cell (NN.recurrentLayer) runs its gates through these rows.
    expectSameAsSwift("sigmoid", WideKernels.sigmoidAVX512) { FastMath.sigmoid($0) }
    expectSameAsSwift("tanh", WideKernels.tanhAVX512) { FastMath.tanh($0) }
}

@Test(.enabled(if: WideKernels.cpuHasAVX512, "this CPU has no AVX-512"))
func geluBackwardAVX512MatchesTheSwiftKernel() {
    let xs = inputs()
    let n = xs.count
    // y as the forward produces it, and a gradient of varied magnitudes (NaN and inf included).
    let ys = xs.map { Gelu()($0) }
    let gs = (0..<n).map { xs[($0 * 7919) % n] }
    var wide = [Float](repeating: 7, count: n)
    gs.withUnsafeBufferPointer { g in
        xs.withUnsafeBufferPointer { x in
            ys.withUnsafeBufferPointer { y in
                wide.withUnsafeMutableBufferPointer {
                    WideKernels.geluBackwardAVX512(g.baseAddress!, x.baseAddress!, y.baseAddress!, $0.baseAddress!, n)
                }
            }
        }
    }
    let kernel = GeluBackwardFromOutput()
    let mismatches = (0..<n).filter { !sameBits(wide[$0], kernel(gs[$0], xs[$0], ys[$0])) }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5).map { "g \(gs[$0]) x \(xs[$0]): \(wide[$0]) vs \(kernel(gs[$0], xs[$0], ys[$0]))" })")
}

@Test func geluTensorOpUsesTheDispatchedKernelAndAgreesElementwise() throws {
    // Through Tensor.gelu (unit-stride rows: the AVX-512 kernel when available) and through a
    // strided view (always the Swift loop): the same bits.
    let xs = Array(inputs().prefix(40_000))
    let x = try Tensor(xs, shape: [200, 200])
    let dense = try x.gelu().toArray()
    let strided = try x.t().gelu().t().contiguous().toArray()
    #expect(zip(dense, strided).allSatisfy { sameBits($0, $1) })
}
