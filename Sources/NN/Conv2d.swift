import Tensors

extension Functional {
    /// 2-d convolution (cross-correlation, as PyTorch): `x` `[N, C, H, W]` (or `[C, H, W]`),
    /// `weight` `[O, C, kh, kw]`, optional `bias` `[O]`; `stride`, `padding` and `dilation` are
    /// one value for both axes or `[h, w]`. Result `[N, O, outH, outW]`.
    ///
    /// im2col over groups of samples, then one sgemm per group (`W · col`); backward recomputes the
    /// columns (`dW += g · colᵀ`) and folds `Wᵀ · g` back with col2im for the input gradient.
    ///
    /// ```swift
    /// let y = try Functional.conv2d(x, weight: w, bias: b, stride: [1], padding: [1])
    /// ```
    public static func conv2d(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil,
        stride: [Int] = [1], padding: [Int] = [0], dilation: [Int] = [1]
    ) throws -> Tensor {
        let op = "conv2d"
        guard x.dim == 4 || x.dim == 3 else {
            throw TensorError("conv2d: expected input [N, C, H, W] or [C, H, W], got shape \(describe(shape: x.shape))")
        }
        guard weight.dim == 4 else {
            throw TensorError("conv2d: expected a 4-d weight [out, in, kh, kw], got shape \(describe(shape: weight.shape))")
        }
        let batched = x.dim == 4
        let n = batched ? x.shape[0] : 1
        let s = batched ? Array(x.shape.dropFirst()) : x.shape
        let (c, h, w) = (s[0], s[1], s[2])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        guard weight.shape[1] == c else {
            throw TensorError("conv2d: weight \(describe(shape: weight.shape)) expects \(weight.shape[1]) input channels, got input of shape \(describe(shape: x.shape))")
        }
        guard kh > 0, kw > 0 else {
            throw TensorError("conv2d: expected a non-empty kernel, got weight shape \(describe(shape: weight.shape))")
        }
        if let bias, bias.shape != [o] {
            throw TensorError("conv2d: expected bias of shape [\(o)], got shape \(describe(shape: bias.shape))")
        }
        let (sh, sw) = try pair(stride, "stride", op: op, min: 1)
        let (ph, pw) = try pair(padding, "padding", op: op, min: 0)
        let (dh, dw) = try pair(dilation, "dilation", op: op, min: 1)
        let outH = Window2d.outSize(h, k: kh, s: sh, p: ph, d: dh)
        let outW = Window2d.outSize(w, k: kw, s: sw, p: pw, d: dw)
        guard outH >= 1, outW >= 1 else {
            throw TensorError("conv2d: input of shape \(describe(shape: x.shape)) is too small for a \(kh)x\(kw) kernel with padding \(describe(shape: [ph, pw])) and dilation \(describe(shape: [dh, dw]))")
        }
        let win = Window2d(channels: c, height: h, width: w, kh: kh, kw: kw, sh: sh, sw: sw,
                           ph: ph, pw: pw, dh: dh, dw: dw, outH: outH, outW: outW)
        let xd = try dense(x), wd = try dense(weight), bd = try bias.map(dense)
        let out = try newTensor(batched ? [n, o, outH, outW] : [o, outH, outW])
        let rowsK = win.colRows, l = win.colCols, planeIn = c * h * w
        // Samples per GEMM: wide enough for BLAS to run near peak, with at most ~16 MB of columns.
        let group = max(1, min(n, (1 << 22) / max(rowsK * l, 1)))
        let col = try newTensor([rowsK, group * l]), tmp = try newTensor([o, group * l])
        for start in Swift.stride(from: 0, to: n, by: group) {
            let b = min(group, n - start), ld = b * l
            unfold(win, xd.pointer + start * planeIn, planeIn, col.pointer, l, ld, samples: b)
            try BLAS.sgemm(transA: false, transB: false, m: o, n: ld, k: rowsK, wd.pointer, lda: rowsK,
                     col.pointer, ldb: ld, beta: 0, tmp.pointer, ldc: ld)
            // [O, b·L] -> [b, O, L], adding the bias.
            let tp = tmp.pointer, op = out.pointer + start * o * l, bp = bd?.pointer
            Parallel.forEachChunk(count: b, chunk: samplesPerChunk(o * l)) { r in
                for i in r {
                    for oc in 0..<o {
                        let src = tp + oc * ld + i * l, dst = op + (i * o + oc) * l
                        let bv = bp?[oc] ?? 0
                        for k in 0..<l { dst[k] = src[k] + bv }
                    }
                }
            }
        }
        // With one group the forward columns are exactly what backward needs for dW: keep them
        // (at most 16 MB, see `group`) instead of unfolding again.
        let savedColumns = group == n && weight.requiresGrad ? col : nil

        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record("conv2d", out, inputs) { g in
            let gd = try dense(g)
            let gx = x.requiresGrad ? try zeroTensor(x.shape) : nil
            let gw = weight.requiresGrad ? try zeroTensor(weight.shape) : nil
            // Scratch for unfolding and for Wᵀ·g; the saved columns are never written (backward may
            // run again with retain_graph).
            let col = try (gx == nil ? savedColumns : nil) ?? newTensor([rowsK, group * l])
            let gcat = try newTensor([o, group * l])
            for start in Swift.stride(from: 0, to: n, by: group) {
                let b = min(group, n - start), ld = b * l
                // [b, O, L] -> [O, b·L]
                let gp = gd.pointer + start * o * l, cp = gcat.pointer
                Parallel.forEachChunk(count: b, chunk: samplesPerChunk(o * l)) { r in
                    for i in r {
                        for oc in 0..<o { copyFloats(gp + (i * o + oc) * l, to: cp + oc * ld + i * l, count: l) }
                    }
                }
                if let gw {
                    let cols = savedColumns ?? col
                    if savedColumns == nil {  // several groups: unfold this one again
                        unfold(win, xd.pointer + start * planeIn, planeIn, cols.pointer, l, ld, samples: b)
                    }
                    try BLAS.sgemm(transA: false, transB: true, m: o, n: rowsK, k: ld, gcat.pointer, lda: ld,
                             cols.pointer, ldb: ld, beta: 1, gw.pointer, ldc: rowsK)
                }
                if let gx {
                    try BLAS.sgemm(transA: true, transB: false, m: rowsK, n: ld, k: o, wd.pointer, lda: rowsK,
                             gcat.pointer, ldb: ld, beta: 0, col.pointer, ldc: ld)
                    let cp = col.pointer, gxp = gx.pointer + start * planeIn
                    Parallel.forEachChunk(count: b, chunk: samplesPerChunk(win)) { r in
                        for i in r { win.col2im(cp + i * l, ld: ld, gxp + i * planeIn) }
                    }
                }
            }
            var grads: [Tensor?] = [gx, gw]
            if let bias {
                grads.append(bias.requiresGrad ? try sumPlanes(gd.pointer, batch: n, channels: o, size: l) : nil)
            }
            return grads
        }
    }
}

/// Samples per thread chunk for the im2col/col2im loops (each sample touches its own memory).
func samplesPerChunk(_ win: Window2d) -> Int {
    samplesPerChunk(win.colRows * win.colCols)
}

/// Samples per thread chunk for per-sample loops touching `floats` floats each.
func samplesPerChunk(_ floats: Int) -> Int {
    max(1, Parallel.defaultChunk / max(floats, 1))
}

/// im2col of `samples` consecutive samples (`planeIn` floats apart) into column blocks `l` apart
/// of a `[C·kh·kw, ld]` matrix, split over threads by sample.
func unfold(_ win: Window2d, _ x: UnsafePointer<Float>, _ planeIn: Int, _ col: UnsafeMutablePointer<Float>,
            _ l: Int, _ ld: Int, samples: Int) {
    Parallel.forEachChunk(count: samples, chunk: samplesPerChunk(win)) { r in
        for i in r { win.im2col(x + i * planeIn, col + i * l, ld: ld) }
    }
}

/// Per-channel sums of a dense `[batch, channels, size]` buffer, as a `[channels]` tensor.
func sumPlanes(_ p: UnsafePointer<Float>, batch: Int, channels: Int, size: Int) throws -> Tensor {
    let t = try newTensor([channels])
    for ch in 0..<channels {
        var acc: Double = 0
        for b in 0..<batch { acc += Reduce.rowSum(p + (b * channels + ch) * size, size) }
        t.pointer[ch] = Float(acc)
    }
    return t
}
