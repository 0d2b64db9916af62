import Foundation
@testable import Optim
import Testing

/// `lanesCbrt` (MADGRAD's vector cube root) against the root computed in Double and rounded to
/// Float.
@Suite struct LanesCbrtTests {
    /// Positive normal floats across the whole exponent range (a fixed pseudo-random walk over
    /// bit patterns; those outside [2^−120, 2^127) take libm's path) and exact cubes: every lane
    /// within 1 ulp, most exactly the rounded root (88 % measured; a wrong guess constant or one
    /// Newton step fewer fails both).
    @Test func ordinaryValuesAreRoundedRoots() {
        var state: UInt32 = 0x1234_5678
        var values: [Float] = [1, 8, 27, 0.125, 1e-30, 1e30, Float.leastNormalMagnitude, Float.greatestFiniteMagnitude]
        for _ in 0..<80_000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            let bits = 0x0080_0000 + state % (0x7F80_0000 - 0x0080_0000)  // positive, normal, finite
            values.append(Float(bitPattern: bits))
        }
        var exact = 0
        for start in stride(from: 0, to: values.count - 7, by: 8) {
            let x = Lanes(values[start..<start + 8])
            let r = lanesCbrt(x)
            for k in 0..<8 {
                let want = Float(cbrt(Double(x[k])))
                #expect(abs(r[k] - want) <= want.ulp, "cbrt(\(x[k])) = \(r[k]), expected \(want)")
                if r[k] == want { exact += 1 }
            }
        }
        let checked = (values.count / 8) * 8
        #expect(exact >= checked * 8 / 10, "only \(exact) of \(checked) roots correctly rounded")
        #expect(lanesCbrt(Lanes(repeating: 27)) == Lanes(repeating: 3))
    }

    /// Zeros stay on the vector path and keep their sign; a block with a negative, subnormal,
    /// infinite or NaN lane gives libm's answers in every lane.
    @Test func specialValuesMatchLibm() {
        let zeros = lanesCbrt(Lanes(0, -0.0, 8, 1, 0, 64, 0, 1e-3))
        #expect(zeros[0] == 0 && zeros[0].sign == .plus && zeros[1] == 0 && zeros[1].sign == .minus)
        #expect(zeros[2] == 2 && zeros[5] == 4 && zeros[4] == 0)
        let specials: [Float] = [-8, Float.leastNonzeroMagnitude, 1e-40, .infinity, -.infinity, .nan, 0x1p127, -0.0]
        let r = lanesCbrt(Lanes(specials))
        for k in 0..<8 {
            let want = cbrtf(specials[k])
            #expect(r[k] == want || (r[k].isNaN && want.isNaN), "cbrt(\(specials[k])) = \(r[k]), expected \(want)")
        }
    }
}
