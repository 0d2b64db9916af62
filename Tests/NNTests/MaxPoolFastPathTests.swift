@testable import NN
import Testing

/// The 2×2 stride-2 max-pool kernel (4 outputs per SIMD step, a scalar loop for rows under 4) picks the same
/// value and the same winner as the general window loop, with ties, NaN and −∞ in the input.
@Suite struct MaxPoolFastPathTests {
    @Test(arguments: [(4, 4), (8, 8), (12, 10), (16, 16), (24, 24), (17, 35), (2, 50)])
    func agreesWithTheGeneralLoop(height: Int, width: Int) {
        let win = Window2d(channels: 1, height: height, width: width, kh: 2, kw: 2, sh: 2, sw: 2,
                           ph: 0, pw: 0, dh: 1, dw: 1, outH: height / 2, outW: width / 2)
        // Values from a small set so that ties are frequent.
        let palette: [Float] = [0, 1, 1, 2, -1, .nan, -.infinity, .infinity, 2, 3]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(height * 131 + width)
        let x = (0..<height * width).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return palette[Int(state >> 59) % palette.count]
        }
        let n = win.outH * win.outW
        var (fastY, fastArg) = ([Float](repeating: 0, count: n), [Int32](repeating: -1, count: n))
        var (refY, refArg) = ([Float](repeating: 0, count: n), [Int32](repeating: -1, count: n))
        x.withUnsafeBufferPointer { xp in
            win.maxPlane2x2(xp.baseAddress!, &fastY, &fastArg)
            win.maxPlaneAnyWindow(xp.baseAddress!, &refY, &refArg)
        }
        #expect(fastArg == refArg)
        #expect(zip(fastY, refY).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
        if n >= 64 { #expect(fastY.contains { $0.isNaN }, "the input should exercise NaN") }
    }
}
