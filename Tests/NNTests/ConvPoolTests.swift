import Testing
import Tensors
@testable import NN

/// The definition of conv2d as seven nested loops, for comparison.
func naiveConv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: (Int, Int), padding: (Int, Int)) -> ([Float], [Int]) {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    let oh = (h + 2 * padding.0 - kh) / stride.0 + 1, ow = (wd + 2 * padding.1 - kw) / stride.1 + 1
    let xv = x.toArray(), wv = w.toArray(), bv = b?.toArray()
    var out = [Float](repeating: 0, count: n * o * oh * ow)
    for i in 0..<n { for oc in 0..<o { for y in 0..<oh { for z in 0..<ow {
        var s = bv?[oc] ?? 0
        for ic in 0..<c { for p in 0..<kh { for q in 0..<kw {
            let iy = y * stride.0 - padding.0 + p, iz = z * stride.1 - padding.1 + q
            if iy < 0 || iy >= h || iz < 0 || iz >= wd { continue }
            s += xv[((i * c + ic) * h + iy) * wd + iz] * wv[((oc * c + ic) * kh + p) * kw + q]
        } } }
        out[((i * o + oc) * oh + y) * ow + z] = s
    } } } }
    return (out, [n, o, oh, ow])
}

extension NNSuite {
    @Suite struct ConvPoolTests {
        @Test(arguments: [(1, 0), (1, 1), (2, 1), (3, 2)])
        func conv2dMatchesNaiveLoops(stride: Int, padding: Int) throws {
            let x = try randomTensor([2, 3, 7, 6], seed: 1)
            let w = try randomTensor([4, 3, 3, 2], seed: 2)
            let b = try randomTensor([4], seed: 3)
            let y = try Functional.conv2d(x, weight: w, bias: b, stride: [stride], padding: [padding])
            let (ref, shape) = naiveConv2d(x, w, b, stride: (stride, stride), padding: (padding, padding))
            #expect(y.shape == shape)
            #expect(close(y.toArray(), ref, atol: 1e-4))
            let y2 = try Functional.conv2d(x, weight: w, stride: [stride, 1], padding: [0, padding])
            let (ref2, shape2) = naiveConv2d(x, w, nil, stride: (stride, 1), padding: (0, padding))
            #expect(y2.shape == shape2)
            #expect(close(y2.toArray(), ref2, atol: 1e-4))
        }

        @Test func conv2dGradients() throws {
            let x = try randomTensor([2, 2, 5, 4], seed: 4, grad: true)
            let w = try randomTensor([3, 2, 3, 3], seed: 5, grad: true)
            let b = try randomTensor([3], seed: 6, grad: true)
            try checkGradients([x, w, b]) {
                try Functional.conv2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 1], padding: [1])
            }
            try checkGradients([x, w]) { try Functional.conv2d($0[0], weight: $0[1], dilation: [2, 1]) }
            // Stride 1, no padding, no dilation: the plain im2col/col2im path.
            try checkGradients([x, w, b]) { try Functional.conv2d($0[0], weight: $0[1], bias: $0[2]) }
        }

        /// Plain windows copy im2col rows as runs of `outW` floats, with separate paths for runs of
        /// 8, 4–16 and other lengths (copyRows / addRows): every length against the naive loops.
        @Test func conv2dEveryRowLength() throws {
            let w = try randomTensor([2, 2, 3, 3], seed: 11, grad: true)
            for outW in [1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24] {
                let x = try randomTensor([2, 2, 4, outW + 2], seed: UInt64(outW), grad: true)
                let y = try Functional.conv2d(x, weight: w)
                let (ref, shape) = naiveConv2d(x, w, nil, stride: (1, 1), padding: (0, 0))
                #expect(y.shape == shape && close(y.toArray(), ref, atol: 1e-4), "outW \(outW)")
                if [4, 8, 12].contains(outW) { try checkGradients([x, w]) { try Functional.conv2d($0[0], weight: $0[1]) } }
            }
        }

        /// Outputs of at least `perSampleMinOutputs` positions per sample take conv2d's per-sample
        /// strategy (products per sample, dW summed per block of samples); smaller ones the grouped one.
        @Test(arguments: [(1, 0), (1, 1), (2, 2)])
        func conv2dPerSampleStrategy(stride: Int, padding: Int) throws {
            let x = try randomTensor([11, 2, 14, 13], seed: 7, grad: true)
            let w = try randomTensor([3, 2, 3, 2], seed: 8, grad: true)
            let b = try randomTensor([3], seed: 9, grad: true)
            let y = try Functional.conv2d(x, weight: w, bias: b, stride: [stride], padding: [padding])
            #expect(y.shape[2] * y.shape[3] >= perSampleMinOutputs)
            let (ref, shape) = naiveConv2d(x, w, b, stride: (stride, stride), padding: (padding, padding))
            #expect(y.shape == shape)
            #expect(close(y.toArray(), ref, atol: 1e-4))
            let small = try randomTensor([2, 2, 9, 8], seed: 10, grad: true)
            try checkGradients([small, w, b]) {
                try Functional.conv2d($0[0], weight: $0[1], bias: $0[2], stride: [stride], padding: [padding])
            }
            try checkGradients([small, w]) { try Functional.conv2d($0[0], weight: $0[1], dilation: [2, 1]) }
        }

        @Test func conv2dUnbatchedAndErrors() throws {
            let x = try randomTensor([3, 5, 5], seed: 1)
            let w = try randomTensor([2, 3, 3, 3], seed: 2)
            #expect(try Functional.conv2d(x, weight: w).shape == [2, 3, 3])
            let bad = try randomTensor([1, 4, 5, 5], seed: 1)
            #expect(errorMessage { try Functional.conv2d(bad, weight: w) }
                    == "conv2d: weight [2, 3, 3, 3] expects 3 input channels, got input of shape [1, 4, 5, 5]")
            let tiny = try randomTensor([1, 3, 2, 2], seed: 1)
            #expect(errorMessage { try Functional.conv2d(tiny, weight: w) }?.hasPrefix("conv2d: input of shape [1, 3, 2, 2] is too small") == true)
            #expect(errorMessage { try Functional.conv2d(x, weight: w, stride: [0]) }
                    == "conv2d: expected stride >= 1, got [0]")
        }

        @Test func maxPoolValuesAndGradients() throws {
            let x = try tensor([1, 5, 2, 0,
                                3, 4, 8, 1,
                                0, 9, 6, 7,
                                2, 1, 3, 4], [1, 1, 4, 4], grad: true)
            let y = try Functional.maxPool2d(x, kernel: [2])
            #expect(y.shape == [1, 1, 2, 2])
            #expect(y.toArray() == [5, 8, 9, 7])
            let g = try tensor([1, 2, 3, 4], [1, 1, 2, 2])
            let gx = try analyticGrads(y, g, [x])[0]?.toArray()
            #expect(gx == [0, 1, 0, 0, 0, 0, 2, 0, 0, 3, 0, 4, 0, 0, 0, 0])
            let r = try randomTensor([2, 3, 5, 6], seed: 7, grad: true)
            try checkGradients([r], h: 1e-3) { try Functional.maxPool2d($0[0], kernel: [3, 2], stride: [2], padding: [1]) }
            #expect(try Functional.maxPool2d(r, kernel: [3], stride: [1], padding: [1]).shape == [2, 3, 5, 6])
        }

        @Test func avgPoolValuesAndGradients() throws {
            let x = try tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4])
            #expect(try Functional.avgPool2d(x, kernel: [2]).toArray() == [3.5, 5.5, 11.5, 13.5])
            // Padding counts as zeros by default; countIncludePad: false averages only real cells.
            let p = try Functional.avgPool2d(x, kernel: [2], stride: [2], padding: [1])
            #expect(p.toArray()[0] == 0.25)
            let q = try Functional.avgPool2d(x, kernel: [2], stride: [2], padding: [1], countIncludePad: false)
            #expect(q.toArray()[0] == 1)
            let r = try randomTensor([2, 2, 5, 4], seed: 8, grad: true)
            try checkGradients([r]) { try Functional.avgPool2d($0[0], kernel: [2, 3], stride: [1], padding: [1]) }
            #expect(errorMessage { try Functional.avgPool2d(r, kernel: [2], padding: [2]) }
                    == "avg_pool2d: padding [2, 2] should be at most half the kernel size [2, 2]")
        }
    }
}
