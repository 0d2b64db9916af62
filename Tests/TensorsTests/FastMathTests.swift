import Foundation
import Testing
@testable import Tensors

// FastMath's functions against libm in double precision, over a dense grid of their whole useful
// range: the kernels (GELU, sigmoid, tanh, the fused recurrent cells) inherit these errors.

/// The largest relative error of `f` against `reference` over `xs`, where the reference is at
/// least `floor` in magnitude (below it, the absolute error must be under `floor`).
private func worstRelativeError(_ xs: [Float], floor: Double, _ f: (Float) -> Float, _ reference: (Double) -> Double) -> Double {
    var worst = 0.0
    for x in xs {
        let want = reference(Double(x)), got = Double(f(x))
        let err = Swift.abs(got - want)
        if Swift.abs(want) >= floor {
            worst = Swift.max(worst, err / Swift.abs(want))
        } else if err > floor {
            return .infinity
        }
    }
    return worst
}

private func grid(_ lo: Float, _ hi: Float, count: Int) -> [Float] {
    (0...count).map { lo + (hi - lo) * Float($0) / Float(count) }
}

@Test func normalCDFIsAccurateOverTheWholeRange() {
    let phi: (Double) -> Double = { 0.5 * Glibc.erfc(-$0 / 2.0.squareRoot()) }
    // Φ(x) ≥ 1e-30 down to x ≈ -11.3; 200,001 points with spacing 1.3e-4 from -13 to 13.
    let xs = grid(-13, 13, count: 200_000) + [0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 1e-3, -1e-3]
    // In the left tail the error grows with x²: the exponent −x²/2 is rounded to a float.
    let bulk = worstRelativeError(xs.filter { $0 >= -3 }, floor: 1e-30, FastMath.normalCDF, phi)
    let tail = worstRelativeError(xs.filter { $0 < -3 }, floor: 1e-30, FastMath.normalCDF, phi)
    #expect(bulk < 1.5e-6, "worst relative error for x ≥ -3: \(bulk)")
    #expect(tail < 2.5e-5, "worst relative error for x < -3: \(tail)")
    #expect(FastMath.normalCDF(.infinity) == 1)
    #expect(FastMath.normalCDF(-.infinity) == 0)
    #expect(FastMath.normalCDF(-200) == 0)
    #expect(FastMath.normalCDF(1e30) == 1)
    #expect(FastMath.normalCDF(.nan).isNaN)
}

@Test func geluAndItsGradientMatchTheErfFormula() throws {
    // x·Φ(x) and Φ(x) + x·φ(x) against libm's erf in double precision, tensor ops end to end.
    let xs = grid(-10, 10, count: 20_000)
    let x = try Tensor(xs, shape: [xs.count])
    x.requiresGrad = true
    let y = try x.gelu()
    try y.sum().backward()
    let values = y.toArray(), grads = try #require(x.grad).toArray()
    var worstValue = 0.0, worstGrad = 0.0
    for (i, v) in xs.enumerated() {
        let d = Double(v)
        let cdf = 0.5 * Glibc.erfc(-d / 2.0.squareRoot()), pdf = Glibc.exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
        let want = d * cdf, wantGrad = cdf + d * pdf
        // Relative to the size of the terms summed (the gradient crosses zero near x = -0.75).
        worstValue = Swift.max(worstValue, Swift.abs(Double(values[i]) - want) / Swift.max(Swift.abs(want), 1e-30))
        worstGrad = Swift.max(worstGrad, Swift.abs(Double(grads[i]) - wantGrad) / (cdf + Swift.abs(d * pdf)))
    }
    #expect(worstValue < 1e-5, "gelu: worst relative error \(worstValue)")
    #expect(worstGrad < 3e-6, "gelu backward: worst relative error \(worstGrad)")
}

@Test func geluGradientAtTheEdges() throws {
    // The backward reads Φ(x) = y/x from the output: near zero (y subnormal or 0), where Φ
    // underflows, and at huge |x| it must still be Φ(x) + x·φ(x) (PyTorch's values).
    let xs: [Float] = [0, -0.0, 1e-30, -1e-30, 1e-20, -1e-20, 1e-19, -1e-19, -13, -20, -1e30, 1e30, 40]
    let x = try Tensor(xs, shape: [xs.count])
    x.requiresGrad = true
    try x.gelu().sum().backward()
    let grads = try #require(x.grad).toArray()
    for (i, v) in xs.enumerated() {
        let d = Double(v)
        let want = 0.5 * Glibc.erfc(-d / 2.0.squareRoot()) + d * Glibc.exp(-0.5 * d * d) / (2 * Double.pi).squareRoot()
        #expect(Swift.abs(Double(grads[i]) - want) <= 1e-6 * Swift.abs(want) + 1e-30, "x = \(v): \(grads[i]), want \(want)")
    }
    let n = try Tensor([Float.nan], shape: [1])
    n.requiresGrad = true
    try n.gelu().sum().backward()
    #expect(try #require(n.grad).toArray()[0].isNaN)
}

@Test func expSigmoidTanhAreAccurate() {
    let xs = grid(-80, 80, count: 160_000)
    #expect(worstRelativeError(xs, floor: 1e-30, FastMath.exp, Glibc.exp) < 3e-7)
    #expect(worstRelativeError(xs, floor: 1e-30, FastMath.sigmoid, { 1 / (1 + Glibc.exp(-$0)) }) < 1e-6)
    #expect(worstRelativeError(grid(-10, 10, count: 100_000), floor: 1e-30, FastMath.tanh, Glibc.tanh) < 1e-6)
}
