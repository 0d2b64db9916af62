import Tensors

extension Functional {
    /// 2-d convolution (cross-correlation, as PyTorch): `x` `[N, C, H, W]` (or `[C, H, W]`),
    /// `weight` `[O, C, kh, kw]`, optional `bias` `[O]`; `stride`, `padding` and `dilation` are
    /// one value for both axes or `[h, w]`. Result `[N, O, outH, outW]`.
    ///
    /// im2col then sgemm (`W · col`), sample by sample when a sample has at least
    /// `perSampleMinOutputs` output positions and at most `perSampleMaxColumns` column floats,
    /// else over groups of samples. Backward folds `Wᵀ · g` back with col2im for the input
    /// gradient and sums `dW += g · colᵀ`: per sample (columns unfolded again, sums in fixed
    /// blocks of samples), or per group (reusing the forward columns when one group holds all).
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
        let rowsK = win.colRows, l = win.colCols, planeIn = c * h * w, planeOut = o * l
        // Samples per grouped GEMM: wide enough for BLAS to run near peak, with at most ~16 MB of columns.
        let group = max(1, min(n, (1 << 22) / max(rowsK * l, 1)))
        let perSample = l >= perSampleMinOutputs && rowsK * l <= perSampleMaxColumns
        // Grouped, with one group: the forward columns are exactly what backward needs for dW;
        // keep them (at most 16 MB, see `group`) instead of unfolding again.
        let savedColumns = !perSample && group == n && weight.requiresGrad ? try newTensor([rowsK, n * l]) : nil
        if perSample {
            try BLAS.checkLimits(o, l, rowsK)
            try forwardPerSample(win, xd.pointer, n: n, wd.pointer, o: o, bd?.pointer, out.pointer)
        } else {
            let columns = try savedColumns ?? newTensor([rowsK, group * l])
            try forwardGrouped(win, xd.pointer, n: n, group: group, wd.pointer, o: o, bd?.pointer,
                               columns.pointer, out.pointer)
        }

        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record("conv2d", out, inputs) { g in
            if GradMode.isEnabled {
                return try Tensor.compositeVJP(inputs, g) { xs in try conv2dComposite(xs, win: win, batched: batched) }
            }
            let gd = try dense(g)
            // Per sample, each sample's input gradient is zeroed just before col2im adds into it
            // (in cache) rather than all at once up front.
            let gx = x.requiresGrad ? try (perSample ? newTensor(x.shape) : zeroTensor(x.shape)) : nil
            let gw = weight.requiresGrad ? try zeroTensor(weight.shape) : nil
            if perSample {
                try backwardPerSample(win, xd.pointer, gd.pointer, n: n, wd.pointer, o: o, gx?.pointer, gw?.pointer)
            } else if gw != nil || gx != nil {
                // Scratch for unfolding and for Wᵀ·g; the saved columns are never written (backward
                // may run again with retain_graph).
                let col = try (gx == nil ? savedColumns : nil) ?? newTensor([rowsK, group * l])
                let gcat = try newTensor([o, group * l])
                for start in Swift.stride(from: 0, to: n, by: group) {
                    let b = min(group, n - start), ld = b * l
                    // [b, O, L] -> [O, b·L]
                    let gp = gd.pointer + start * planeOut, cp = gcat.pointer
                    Parallel.forEachChunk(count: b, chunk: samplesPerChunk(planeOut)) { r in
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
            }
            var grads: [Tensor?] = [gx, gw]
            if let bias {
                grads.append(bias.requiresGrad ? try sumPlanes(gd.pointer, batch: n, channels: o, size: l) : nil)
            }
            return grads
        }
    }
}

/// Output positions per sample from which conv2d multiplies sample by sample: each product
/// (`W · col` of one sample) is then wide enough for BLAS, and a sample's columns stay in
/// cache between im2col and the product; the result lands in place, with no `[O, N·L]`
/// intermediate to transpose. Below it, samples are grouped into one wide product.
let perSampleMinOutputs = 32
/// The largest column block (floats) of one sample that conv2d handles sample by sample: beyond
/// ~4 MB it no longer stays in cache, and the grouped path's wide products win.
let perSampleMaxColumns = 1 << 20

/// Forward, one sample at a time, samples split over threads: im2col into the thread's scratch
/// block (it stays in cache for the product), then `y_i = W · col_i (+ bias)` straight into the
/// output. Nothing is saved: backward unfolds each sample again, which is cheaper than writing
/// and re-reading the whole column matrix.
private func forwardPerSample(
    _ win: Window2d, _ x: UnsafePointer<Float>, n: Int, _ w: UnsafePointer<Float>, o: Int,
    _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>
) throws {
    let rowsK = win.colRows, l = win.colCols, planeIn = win.channels * win.height * win.width
    try SampleSlots(samples: n, slots: Parallel.threads, floats: rowsK * l).forEach { _, r, col in
        for i in r {
            win.im2col(x + i * planeIn, col, ld: l)
            let yi = y + i * o * l
            if let bias { for oc in 0..<o { (yi + oc * l).update(repeating: bias[oc], count: l) } }
            BLAS.sgemm(transA: false, transB: false, m: o, n: l, k: rowsK, w, lda: rowsK, col, ldb: l,
                       beta: bias == nil ? 0 : 1, yi, ldc: l, parallel: false)
        }
    }
}

/// Forward over groups of samples: im2col of a group into `col` (`[rowsK, b·L]`), one (parallel)
/// product `W · col` into `[O, b·L]`, then a transpose into `[b, O, L]` adding the bias.
private func forwardGrouped(
    _ win: Window2d, _ x: UnsafePointer<Float>, n: Int, group: Int, _ w: UnsafePointer<Float>, o: Int,
    _ bias: UnsafePointer<Float>?, _ col: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>
) throws {
    let rowsK = win.colRows, l = win.colCols, planeIn = win.channels * win.height * win.width
    let tmp = try newTensor([o, group * l])
    for start in Swift.stride(from: 0, to: n, by: group) {
        let b = min(group, n - start), ld = b * l
        unfold(win, x + start * planeIn, planeIn, col, l, ld, samples: b)
        try BLAS.sgemm(transA: false, transB: false, m: o, n: ld, k: rowsK, w, lda: rowsK,
                       col, ldb: ld, beta: 0, tmp.pointer, ldc: ld)
        // [O, b·L] -> [b, O, L], adding the bias.
        let tp = tmp.pointer, yp = y + start * o * l
        Parallel.forEachChunk(count: b, chunk: samplesPerChunk(o * l)) { r in
            for i in r {
                for oc in 0..<o {
                    let src = tp + oc * ld + i * l, dst = yp + (i * o + oc) * l
                    let bv = bias?[oc] ?? 0
                    for k in 0..<l { dst[k] = src[k] + bv }
                }
            }
        }
    }
}

/// Blocks of samples whose weight gradients conv2d sums separately before adding them up in
/// block order: a fixed number (for the shape), so dW is bit-identical for any thread count.
let weightGradientBlocks = 8

/// Both gradients one sample at a time, samples split over threads, every intermediate in a
/// scratch block per range of samples that stays in cache: `gx_i` = col2im(`Wᵀ · g_i`) (`gx` arrives
/// uninitialised; each sample is zeroed here), and `dW += g_i · col_iᵀ` with `col_i` unfolded
/// again, summed per block of samples.
private func backwardPerSample(
    _ win: Window2d, _ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, n: Int, _ w: UnsafePointer<Float>,
    o: Int, _ gx: UnsafeMutablePointer<Float>?, _ gw: UnsafeMutablePointer<Float>?
) throws {
    let rowsK = win.colRows, l = win.colCols, planeIn = win.channels * win.height * win.width
    if let gx {
        try SampleSlots(samples: n, slots: Parallel.threads, floats: rowsK * l).forEach { _, r, dcol in
            for i in r {
                BLAS.sgemm(transA: true, transB: false, m: rowsK, n: l, k: o, w, lda: rowsK, g + i * o * l, ldb: l,
                           beta: 0, dcol, ldc: l, parallel: false)
                (gx + i * planeIn).update(repeating: 0, count: planeIn)
                win.col2im(dcol, ld: l, gx + i * planeIn)
            }
        }
    }
    guard let gw, n > 0 else { return }
    // Each block sums dWᵀ = Σ col_i · g_iᵀ ([rowsK, O]): OpenBLAS runs this orientation ~10 %
    // faster than g_i · col_iᵀ for the shapes of small CNNs ([400, 64] · [64, 32]). (Transposing
    // g_i first makes the product faster still, but the scalar transpose costs more than that
    // gains.) At most ~16 MB of partial sums; a single block (huge kernels) parallelises each
    // product instead.
    let blocks = SampleSlots(samples: n, slots: min(weightGradientBlocks, (1 << 22) / max(o * rowsK, 1)),
                             floats: rowsK * l)
    let partials = try zeroTensor([blocks.count, rowsK * o]), pp = partials.pointer
    try blocks.forEach { block, r, col in
        let partial = pp + block * rowsK * o
        for i in r {
            win.im2col(x + i * planeIn, col, ld: l)
            BLAS.sgemm(transA: false, transB: true, m: rowsK, n: o, k: l, col, lda: l, g + i * o * l, ldb: l,
                       beta: 1, partial, ldc: o, parallel: blocks.count == 1)
        }
    }
    // gw[oc, k] = Σ over blocks, in block order, of partial[k, oc].
    for b in 1..<blocks.count { addFloats(pp + b * rowsK * o, to: pp, count: rowsK * o) }
    for oc in 0..<o { for k in 0..<rowsK { gw[oc * rowsK + k] = pp[k * o + oc] } }
}

/// The per-sample loops' split of `samples` into at most `slots` contiguous ranges, each with
/// its own scratch block of `floats` floats. Where per-range results are added up (dW), the
/// caller passes a slot count fixed by the shape, so the sums do not depend on the threads.
struct SampleSlots {
    let samples, perSlot, floats: Int
    /// Ranges actually made (fewer than asked when samples are few).
    var count: Int { (samples + perSlot - 1) / perSlot }

    init(samples: Int, slots: Int, floats: Int) {
        let slots = max(1, min(slots, samples))
        self.samples = samples
        self.perSlot = max(1, (samples + slots - 1) / slots)  // 1 when there are no samples
        self.floats = floats
    }

    /// Runs `body(slot, samples, scratch)` once per range, in parallel. The scratch blocks are
    /// tensor storage, so they count against `--max-memory` and a failed allocation throws
    /// rather than crashes.
    func forEach(_ body: (Int, Range<Int>, UnsafeMutablePointer<Float>) -> Void) throws {
        let scratch = try newTensor([count, floats])
        let base = scratch.pointer, perSlot = perSlot, floats = floats
        Parallel.forEachChunk(count: samples, chunk: perSlot) { r in
            let slot = r.lowerBound / perSlot
            body(slot, r, base + slot * floats)
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

/// Per-channel sums of a dense `[batch, channels, size]` buffer, as a `[channels]` tensor;
/// channels in parallel (each channel's sum is the same whatever the thread count).
func sumPlanes(_ p: UnsafePointer<Float>, batch: Int, channels: Int, size: Int) throws -> Tensor {
    let t = try newTensor([channels])
    let out = t.pointer
    Parallel.forEachChunk(count: channels, chunk: samplesPerChunk(batch * size)) { r in
        for ch in r {
            var acc: Double = 0
            for b in 0..<batch { acc += Reduce.rowSum(p + (b * channels + ch) * size, size) }
            out[ch] = Float(acc)
        }
    }
    return t
}
