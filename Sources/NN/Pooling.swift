import Tensors

extension Functional {
    /// 2-d max pooling over `[N, C, H, W]` (or `[C, H, W]`); `stride` defaults to `kernel`;
    /// padding reads as -∞ and may be at most half the kernel, as in PyTorch. NaN propagates.
    /// Backward routes each output gradient to the position that won the max.
    ///
    /// ```swift
    /// let y = try Functional.maxPool2d(x, kernel: [2])   // [N, C, 28, 28] -> [N, C, 14, 14]
    /// ```
    public static func maxPool2d(
        _ x: Tensor, kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0]
    ) throws -> Tensor {
        let (geo, planes) = try poolGeometry("max_pool2d", x, kernel: kernel, stride: stride, padding: padding)
        let xd = try dense(x)
        let out = try newTensor(poolShape(x, geo))
        let inSize = geo.height * geo.width, outSize = geo.outH * geo.outW
        // Argmax per output, as an index inside its input plane.
        let winners = IndexBuffer(count: planes * outSize)
        let src = xd.pointer, dst = out.pointer, arg = winners.pointer
        Parallel.forEachChunk(count: planes, chunk: samplesPerChunk(inSize)) { range in
            for p in range {
                geo.maxPlane(src + p * inSize, dst + p * outSize, arg + p * outSize)
            }
        }
        let outShape = out.shape
        return Tensor.record("max_pool2d", out, [x]) { g in
            if GradMode.isEnabled {
                // Max pooling is a gather at the winners: differentiate that.
                var at = [Float](repeating: 0, count: planes * outSize)
                for p in 0..<planes { for k in 0..<outSize { at[p * outSize + k] = Float(winners.pointer[p * outSize + k]) + 1 } }
                let index = try Tensor(at, shape: [planes, outSize])
                return try Tensor.compositeVJP([x], g) { xs in
                    try xs[0].reshape([planes, inSize]).gather(dim: 1, index: index).reshape(outShape)
                }
            }
            let gd = try dense(g)
            let gx = try newTensor(x.shape)
            let arg = winners.pointer, gp = gd.pointer, gxb = gx.pointer
            // Each plane is zeroed and scattered into its own slice of gx (in cache, in parallel).
            Parallel.forEachChunk(count: planes, chunk: samplesPerChunk(inSize)) { range in
                for p in range {
                    let gi = gp + p * outSize, gxp = gxb + p * inSize, a = arg + p * outSize
                    gxp.update(repeating: 0, count: inSize)
                    for k in 0..<outSize { gxp[Int(a[k])] += gi[k] }
                }
            }
            return [gx]
        }
    }

    /// 2-d average pooling over `[N, C, H, W]` (or `[C, H, W]`); `stride` defaults to `kernel`.
    /// With `countIncludePad` (PyTorch's default) every window divides by `kh·kw`, else by the
    /// number of positions inside the input.
    ///
    /// ```swift
    /// let y = try Functional.avgPool2d(x, kernel: [2])
    /// ```
    public static func avgPool2d(
        _ x: Tensor, kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0], countIncludePad: Bool = true
    ) throws -> Tensor {
        let (geo, planes) = try poolGeometry("avg_pool2d", x, kernel: kernel, stride: stride, padding: padding)
        let xd = try dense(x)
        let out = try newTensor(poolShape(x, geo))
        let inSize = geo.height * geo.width, outSize = geo.outH * geo.outW
        let src = xd.pointer, dst = out.pointer
        Parallel.forEachChunk(count: planes, chunk: samplesPerChunk(inSize)) { range in
            for p in range {
                geo.avgPlane(src + p * inSize, dst + p * outSize, includePad: countIncludePad, backward: false)
            }
        }
        return Tensor.record("avg_pool2d", out, [x]) { g in
            let gd = try dense(g)
            let gx = try newTensor(x.shape)
            let gp = gd.pointer, gxb = gx.pointer
            Parallel.forEachChunk(count: planes, chunk: samplesPerChunk(inSize)) { range in
                for p in range {
                    (gxb + p * inSize).update(repeating: 0, count: inSize)
                    geo.avgPlane(gp + p * outSize, gxb + p * inSize, includePad: countIncludePad, backward: true)
                }
            }
            // Linear in g, and recorded when the backward records itself: the adjoint of this
            // map is average pooling again.
            return [Tensor.record("avg_pool2d_backward", gx, [g]) { h in
                [try avgPool2d(h, kernel: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad)]
            }]
        }
    }

    /// Validates a pooling call; returns the window (channels = 1: one plane) and the plane count.
    static func poolGeometry(
        _ op: String, _ x: Tensor, kernel: [Int], stride: [Int]?, padding: [Int]
    ) throws -> (Window2d, Int) {
        guard x.dim == 4 || x.dim == 3 else {
            throw TensorError("\(op): expected input [N, C, H, W] or [C, H, W], got shape \(describe(shape: x.shape))")
        }
        let (kh, kw) = try pair(kernel, "kernel size", op: op, min: 1)
        let (sh, sw) = try pair(stride ?? kernel, "stride", op: op, min: 1)
        let (ph, pw) = try pair(padding, "padding", op: op, min: 0)
        guard ph <= kh / 2, pw <= kw / 2 else {
            throw TensorError("\(op): padding \(describe(shape: [ph, pw])) should be at most half the kernel size \(describe(shape: [kh, kw]))")
        }
        let h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
        let outH = Window2d.outSize(h, k: kh, s: sh, p: ph, d: 1)
        let outW = Window2d.outSize(w, k: kw, s: sw, p: pw, d: 1)
        guard outH >= 1, outW >= 1 else {
            throw TensorError("\(op): input of shape \(describe(shape: x.shape)) is too small for a \(kh)x\(kw) window")
        }
        let planes = x.shape.dropLast(2).reduce(1, *)
        return (Window2d(channels: 1, height: h, width: w, kh: kh, kw: kw, sh: sh, sw: sw,
                         ph: ph, pw: pw, dh: 1, dw: 1, outH: outH, outW: outW), planes)
    }

    static func poolShape(_ x: Tensor, _ geo: Window2d) -> [Int] {
        Array(x.shape.dropLast(2)) + [geo.outH, geo.outW]
    }
}

extension Window2d {
    /// Max over each window of one plane; `arg` receives the winning in-plane index.
    func maxPlane(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>) {
        if kh == 2, kw == 2, sh == 2, sw == 2, ph == 0, pw == 0 { return maxPlane2x2(x, y, arg) }
        maxPlaneAnyWindow(x, y, arg)
    }

    /// `maxPlane` for any window: the reference the 2×2 fast path must agree with.
    func maxPlaneAnyWindow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>) {
        for oh in 0..<outH {
            let h0 = oh * sh - ph
            for ow in 0..<outW {
                let w0 = ow * sw - pw
                var best = -Float.infinity, at = max(h0, 0) * width + max(w0, 0)
                for ih in max(h0, 0)..<min(h0 + kh, height) {
                    for iw in max(w0, 0)..<min(w0 + kw, width) {
                        let v = x[ih * width + iw]
                        if v > best || v.isNaN { best = v; at = ih * width + iw; if v.isNaN { break } }
                    }
                    if best.isNaN { break }
                }
                y[oh * outW + ow] = best
                arg[oh * outW + ow] = Int32(truncatingIfNeeded: at)
            }
        }
    }

    /// `maxPlane` for the common 2×2, stride-2, unpadded window: the four candidates in the same
    /// order and with the same comparisons as the general loop (so the same winner, NaN
    /// included), without its per-element bounds and loop bookkeeping.
    @inline(__always)
    func maxPlane2x2(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>) {
        for oh in 0..<outH {
            let top = 2 * oh * width, bottom = top + width
            var ow = 0
            // Four outputs at a time: the same selection rule, lane by lane. A row whose length
            // is not a multiple of 4 ends with one block overlapping the previous one (it
            // recomputes a few outputs, with the same results). SIMD4, not 8: with 4 lanes the
            // masks stay in SSE registers (8-lane masks were repacked through 16-bit lanes, and
            // rows of 4 outputs, as after two poolings of MNIST, took the scalar loop).
            while ow < outW, outW >= 4, 2 * outW <= width {
                ow = min(ow, outW - 4)
                let t = UnsafeRawPointer(x + top + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
                let b = UnsafeRawPointer(x + bottom + 2 * ow).loadUnaligned(as: SIMD8<Float>.self)
                let lane = SIMD4<Int32>(0, 2, 4, 6) &+ Int32(truncatingIfNeeded: top + 2 * ow)
                var best = t.evenHalf, at = lane
                @inline(__always) func consider(_ v: SIMD4<Float>, _ k: SIMD4<Int32>) {
                    let wins = (best .== best) .& ((v .> best) .| (v .!= v))
                    best.replace(with: v, where: wins)
                    at.replace(with: k, where: wins)
                }
                consider(t.oddHalf, lane &+ 1)
                consider(b.evenHalf, lane &+ Int32(truncatingIfNeeded: width))
                consider(b.oddHalf, lane &+ Int32(truncatingIfNeeded: width + 1))
                UnsafeMutableRawPointer(y + oh * outW + ow).storeBytes(of: best, as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(arg + oh * outW + ow).storeBytes(of: at, as: SIMD4<Int32>.self)
                ow += 4
            }
            while ow < outW {
                defer { ow += 1 }
                let a = top + 2 * ow
                var best = x[a], at = a
                // A later candidate wins when greater, or when it is NaN and no NaN came before
                // (the general loop stops at the first NaN).
                @inline(__always) func consider(_ k: Int) {
                    let v = x[k]
                    if !best.isNaN && (v > best || v.isNaN) { best = v; at = k }
                }
                consider(a + 1)
                consider(bottom + 2 * ow)
                consider(bottom + 2 * ow + 1)
                y[oh * outW + ow] = best
                arg[oh * outW + ow] = Int32(truncatingIfNeeded: at)
            }
        }
    }

    /// Forward: averages windows of `a` into `b`. Backward: spreads `a` (output gradients) back
    /// over the windows into `b` (input gradients, accumulated).
    func avgPlane(_ a: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>, includePad: Bool, backward: Bool) {
        for oh in 0..<outH {
            let h0 = oh * sh - ph, hs = max(h0, 0), he = min(h0 + kh, height)
            for ow in 0..<outW {
                let w0 = ow * sw - pw, ws = max(w0, 0), we = min(w0 + kw, width)
                let count = includePad ? kh * kw : (he - hs) * (we - ws)
                let scale = 1 / Float(max(count, 1))
                if backward {
                    let g = a[oh * outW + ow] * scale
                    for ih in hs..<he { for iw in ws..<we { b[ih * width + iw] += g } }
                } else {
                    var s: Float = 0
                    for ih in hs..<he { for iw in ws..<we { s += a[ih * width + iw] } }
                    b[oh * outW + ow] = s * scale
                }
            }
        }
    }
}
