import Tensors

extension Functional {
    /// The recurrence of one layer and direction of `nn.RNN`, `nn.LSTM` or `nn.GRU`.
    public enum RecurrentKind: String, Sendable {
        case rnnTanh = "rnn_tanh", rnnRelu = "rnn_relu", lstm, gru

        /// Gate blocks per step: PyTorch's row blocks of `weight_hh` (LSTM i, f, g, o; GRU r, z, n).
        public var gates: Int {
            switch self {
            case .rnnTanh, .rnnRelu: return 1
            case .lstm: return 4
            case .gru: return 3
            }
        }
    }

    /// Runs one recurrent layer-direction over all `T` time steps as a single op with its own
    /// backward (backpropagation through time in one node), given the input projections of all
    /// steps `xp = x·W_ihᵀ + b_ih` (`[T, B, G·H]`, computed by the caller in one product), the
    /// hidden-to-hidden weight `wHH` (`[G·H, H]`) and bias `bHH` (`[G·H]`, optional), and the
    /// initial state `h0` (`[B, H]`; LSTM also `c0`). With `reverse`, steps run from the last
    /// time to the first (a bidirectional layer's second direction); outputs stay at their time.
    ///
    /// Returns `[T, B, H]` of hidden states (LSTM: `[T, B, 2H]`, hidden state then cell state),
    /// so the final state is the output at the last step processed. Step equations and gate order
    /// are PyTorch's:
    ///
    ///     RNN:  h' = tanh|relu(xp + W_hh·h + b_hh)
    ///     LSTM: i, f, g, o = σ, σ, tanh, σ (xp + W_hh·h + b_hh); c' = f·c + i·g; h' = o·tanh(c')
    ///     GRU:  r, z = σ(xp_rz + (W_hh·h + b_hh)_rz); n = tanh(xp_n + r·(W_hn·h + b_hn));
    ///           h' = (1 − z)·n + z·h
    ///
    /// One node instead of a dozen tensor ops per step: the per-step cost is two small matrix
    /// products (forward, backward) and one fused pointwise pass, and the weight gradient is one
    /// product over all steps.
    ///
    /// ```swift
    /// let xp = try Functional.linear(x.reshape([T * B, I]), weight: wIH, bias: bIH).reshape([T, B, 4 * H])
    /// let y = try Functional.recurrentLayer(.lstm, xp: xp, wHH: wHH, bHH: bHH, h0: h0, c0: c0, reverse: false)
    /// ```
    public static func recurrentLayer(
        _ kind: RecurrentKind, xp: Tensor, wHH: Tensor, bHH: Tensor?, h0: Tensor, c0: Tensor?, reverse: Bool
    ) throws -> Tensor {
        let op = "recurrent_layer"
        guard h0.dim == 2 else { throw TensorError("\(op): expected h0 of shape [B, H], got \(describe(shape: h0.shape))") }
        let b = h0.shape[0], h = h0.shape[1], g = kind.gates, gh = g * h
        guard xp.dim == 3, xp.shape[1] == b, xp.shape[2] == gh, xp.shape[0] >= 1 else {
            throw TensorError("\(op): expected input projections of shape [T >= 1, \(b), \(gh)], got \(describe(shape: xp.shape))")
        }
        guard wHH.shape == [gh, h] else {
            throw TensorError("\(op): expected weight_hh of shape [\(gh), \(h)], got \(describe(shape: wHH.shape))")
        }
        if let bHH, bHH.shape != [gh] {
            throw TensorError("\(op): expected bias_hh of shape [\(gh)], got \(describe(shape: bHH.shape))")
        }
        if kind == .lstm {
            guard let c0, c0.shape == h0.shape else {
                throw TensorError("\(op): expected c0 of shape \(describe(shape: h0.shape)), got \(c0.map { describe(shape: $0.shape) } ?? "none")")
            }
        } else if c0 != nil {
            throw TensorError("\(op): only LSTM takes a cell state")
        }
        let t = xp.shape[0]
        let ow = kind == .lstm ? 2 * h : h          // output row width
        try BLAS.checkLimits(b, h, gh, t * b)
        let xd = try dense(xp), wd = try dense(wHH), h0d = try dense(h0)
        let bd = try bHH.map(dense), c0d = try c0.map(dense)
        let out = try newTensor([t, b, ow])
        // Saved for backward (never `out` itself: the node must not keep its output alive, and a
        // script may modify the output in place): activated gates (RNN: the new state), the state
        // each step started from, LSTM tanh(c') and c, GRU W_hn·h + b_hn.
        let acts = try newTensor([t, b, gh])
        let hPrev = try newTensor([t, b, h])
        let isRNN = kind == .rnnTanh || kind == .rnnRelu
        let extra = try newTensor(isRNN ? [0] : [t, b, h])
        let cPrevAll = try newTensor(kind == .lstm ? [t, b, h] : [0])
        let scratch = try newTensor([b, gh])
        // W_hhᵀ ([H, G·H]) once per sequence: the step's product h·W_hhᵀ then reads its operand
        // untransposed, which OpenBLAS's small-matrix kernels take in place (`recurrentProduct`).
        let wT = try GradMode.withoutGrad { try dense(wHH.t()) }
        let wTq = wT.pointer
        let xq = xd.pointer, wq = wd.pointer, oq = out.pointer, aq = acts.pointer, hq = hPrev.pointer
        let eq = extra.pointer, zq = scratch.pointer, bq = bd?.pointer, cq = cPrevAll.pointer
        let c0p = c0d?.pointer ?? h0d.pointer   // read only for LSTM, whose c0 was checked above
        let stepOrder = reverse ? Array((0..<t).reversed()) : Array(0..<t)
        // Batch rows are independent through the whole recurrence, so blocks of rows run their
        // time loops concurrently with one single-threaded product per step each: no
        // synchronisation per step. The blocks depend on the shape only, so results are the same
        // for any thread count.
        let rowBlock = recurrentRowBlock(b)   // ≤ b, within the limits checked above

        Parallel.forEachChunk(count: b, chunk: rowBlock) { rows in
            let r0 = rows.lowerBound, nr = rows.count
            for (s, ti) in stepOrder.enumerated() {
                let prevT = s == 0 ? -1 : stepOrder[s - 1]
                let hp = hq + ti * b * h
                // The state this step starts from, kept (contiguous) for the weight gradient.
                if prevT < 0 {
                    (hp + r0 * h).update(from: h0d.pointer + r0 * h, count: nr * h)
                } else {
                    let src = oq + prevT * b * ow
                    for r in rows { (hp + r * h).update(from: src + r * ow, count: h) }
                }
                // scratch = (GRU: 0, else xp[t]) + b_hh, then += h·W_hhᵀ.
                let x = xq + ti * b * gh
                for r in rows {
                    let z = zq + r * gh
                    if kind == .gru { z.initialize(repeating: 0, count: gh) } else { z.update(from: x + r * gh, count: gh) }
                    if let bq { for j in 0..<gh { z[j] += bq[j] } }
                }
                recurrentProduct(m: nr, n: gh, k: h, hp + r0 * h, lda: h, wTq, ldb: gh, beta: 1, zq + r0 * gh, ldc: gh)
                let o = oq + ti * b * ow, a = aq + ti * b * gh, e = eq + ti * b * h
                switch kind {
                case .rnnTanh:
                    for i in (r0 * h)..<(rows.upperBound * h) { let v = FastMath.tanh(zq[i]); o[i] = v; a[i] = v }
                case .rnnRelu:
                    for i in (r0 * h)..<(rows.upperBound * h) { let v = max(zq[i], 0); o[i] = v; a[i] = v }
                case .lstm:
                    let cSrc = prevT < 0 ? c0p : oq + prevT * b * ow + h
                    let cStride = prevT < 0 ? h : ow
                    let cPrev = cq + ti * b * h
                    for r in rows { (cPrev + r * h).update(from: cSrc + r * cStride, count: h) }
                    for r in rows {
                        let z = zq + r * gh, ar = a + r * gh, cr = cPrev + r * h, orow = o + r * ow, er = e + r * h
                        if let sigmoid = WideKernels.sigmoid, let tanh = WideKernels.tanh {
                            // The same cell through the AVX-512 rows (bit-identical: WideKernels).
                            sigmoid(z, ar, 2 * h)
                            tanh(z + 2 * h, ar + 2 * h, h)
                            sigmoid(z + 3 * h, ar + 3 * h, h)
                            for j in 0..<h { orow[h + j] = ar[h + j] * cr[j] + ar[j] * ar[2 * h + j] }
                            tanh(orow + h, er, h)
                            for j in 0..<h { orow[j] = ar[3 * h + j] * er[j] }
                            continue
                        }
                        for j in 0..<(2 * h) { ar[j] = FastMath.sigmoid(z[j]) }
                        for j in (2 * h)..<(3 * h) { ar[j] = FastMath.tanh(z[j]) }
                        for j in (3 * h)..<(4 * h) { ar[j] = FastMath.sigmoid(z[j]) }
                        for j in 0..<h {
                            let cNew = ar[h + j] * cr[j] + ar[j] * ar[2 * h + j]
                            let tc = FastMath.tanh(cNew)
                            er[j] = tc
                            orow[j] = ar[3 * h + j] * tc
                            orow[h + j] = cNew
                        }
                    }
                case .gru:
                    for r in rows {
                        let q = zq + r * gh, xr = x + r * gh, ar = a + r * gh, hr = hp + r * h, orow = o + r * h, er = e + r * h
                        for j in 0..<h {
                            let rg = FastMath.sigmoid(xr[j] + q[j])
                            let zg = FastMath.sigmoid(xr[h + j] + q[h + j])
                            let n = FastMath.tanh(xr[2 * h + j] + rg * q[2 * h + j])
                            ar[j] = rg; ar[h + j] = zg; ar[2 * h + j] = n
                            er[j] = q[2 * h + j]
                            orow[j] = n + zg * (hr[j] - n)
                        }
                    }
                }
            }
        }

        var inputs = [xp, wHH]
        if let bHH { inputs.append(bHH) }
        inputs.append(h0)
        if let c0 { inputs.append(c0) }
        return Tensor.record(op, out, inputs) { grad in
            if GradMode.isEnabled {
                // create_graph: the same gradient from the recurrence written with recorded ops,
                // so that it can be differentiated again (HVPs through RNN/LSTM/GRU).
                return try Tensor.compositeVJP(inputs, grad) { xs in
                    var k = 2
                    let bias: Tensor? = bHH == nil ? nil : xs[k]
                    if bHH != nil { k += 1 }
                    let c: Tensor? = c0 == nil ? nil : xs[k + 1]
                    return try recurrentComposite(kind, xp: xs[0], wHH: xs[1], bHH: bias, h0: xs[k], c0: c, reverse: reverse)
                }
            }
            let gd = try dense(grad)
            let gq = gd.pointer, aq = acts.pointer, hq = hPrev.pointer, eq = extra.pointer, wq = wd.pointer, cq = cPrevAll.pointer
            let dxp = try newTensor([t, b, gh])
            // GRU: the gradient of W_hh·h + b_hh differs from that of xp in the n block.
            let dgh = kind == .gru ? try newTensor([t, b, gh]) : dxp
            let dhNext = try zeroTensor([b, h]), dcNext = try zeroTensor([b, h]), dh = try newTensor([b, h])
            let dx = dxp.pointer, dg = dgh.pointer, dn = dhNext.pointer, dc = dcNext.pointer, dcur = dh.pointer
            // Blocks of batch rows, as in the forward pass.
            Parallel.forEachChunk(count: b, chunk: rowBlock) { rows in
                let r0 = rows.lowerBound, nr = rows.count
                for ti in stepOrder.reversed() {
                    let gRow = gq + ti * b * ow, a = aq + ti * b * gh, e = eq + ti * b * h
                    let hp = hq + ti * b * h, dxr = dx + ti * b * gh, dgr = dg + ti * b * gh
                    for r in rows { for j in 0..<h { dcur[r * h + j] = gRow[r * ow + j] + dn[r * h + j] } }
                    switch kind {
                    case .rnnTanh:
                        for i in (r0 * h)..<(rows.upperBound * h) { dxr[i] = dcur[i] * (1 - a[i] * a[i]) }
                    case .rnnRelu:
                        for i in (r0 * h)..<(rows.upperBound * h) { dxr[i] = a[i] > 0 ? dcur[i] : 0 }
                    case .lstm:
                        let cPrev = cq + ti * b * h
                        for r in rows {
                            let ar = a + r * gh, er = e + r * h, d = dxr + r * gh, cr = cPrev + r * h
                            let dhr = dcur + r * h, gc = gRow + r * ow + h, dcr = dc + r * h
                            // Eight lanes at a time, written out: with this many pointers LLVM
                            // left the loop scalar. Each lane does the scalar formula's operations;
                            // whole blocks call `cell` with a constant 8 (no tail branches inside).
                            @inline(__always) func cell(_ j: Int, _ n: Int) {
                                let i = lanes(ar + j, n), f = lanes(ar + h + j, n)
                                let gg = lanes(ar + 2 * h + j, n), og = lanes(ar + 3 * h + j, n)
                                let tc = lanes(er + j, n), dhv = lanes(dhr + j, n)
                                let dcNew = lanes(gc + j, n) + lanes(dcr + j, n) + dhv * og * (1 - tc * tc)
                                store(dcNew * gg * i * (1 - i), d + j, n)
                                store(dcNew * lanes(cr + j, n) * f * (1 - f), d + h + j, n)
                                store(dcNew * i * (1 - gg * gg), d + 2 * h + j, n)
                                store(dhv * tc * og * (1 - og), d + 3 * h + j, n)
                                store(dcNew * f, dcr + j, n)
                            }
                            var j = 0
                            while j + 8 <= h { cell(j, 8); j += 8 }
                            if j < h { cell(j, h - j) }
                        }
                    case .gru:
                        for r in rows {
                            let ar = a + r * gh, er = e + r * h, d = dxr + r * gh, q = dgr + r * gh, hr = hp + r * h
                            for j in 0..<h {
                                let rg = ar[j], zg = ar[h + j], n = ar[2 * h + j], go = dcur[r * h + j]
                                let dnv = go * (1 - zg) * (1 - n * n)
                                let dr = dnv * er[j] * rg * (1 - rg)
                                let dz = go * (hr[j] - n) * zg * (1 - zg)
                                d[j] = dr; q[j] = dr
                                d[h + j] = dz; q[h + j] = dz
                                d[2 * h + j] = dnv; q[2 * h + j] = dnv * rg
                                dn[r * h + j] = go * zg       // the direct path h' = ... + z·h
                            }
                        }
                    }
                    // dh for the previous step: dgh·W_hh (plus the GRU's direct path, already in dn).
                    recurrentProduct(m: nr, n: h, k: gh, dgr + r0 * gh, lda: gh, wq, ldb: h,
                                     beta: kind == .gru ? 1 : 0, dn + r0 * h, ldc: h)
                }
            }
            // Weight and bias gradients over all steps at once: dW = Σ_t dghᵀ·h_prev, db = Σ dgh.
            var grads: [Tensor?] = [xp.requiresGrad ? dxp : nil]
            if wHH.requiresGrad {
                let dw = try newTensor([gh, h])
                BLAS.sgemm(transA: true, transB: false, m: gh, n: h, k: t * b, dg, lda: gh, hq, ldb: h, beta: 0,
                           dw.pointer, ldc: h, parallel: true)
                grads.append(dw)
            } else {
                grads.append(nil)
            }
            if let bHH {
                if bHH.requiresGrad {
                    let db = try zeroTensor([gh])
                    let p = db.pointer
                    for row in 0..<(t * b) {
                        let src = dg + row * gh
                        for j in 0..<gh { p[j] += src[j] }
                    }
                    grads.append(db)
                } else {
                    grads.append(nil)
                }
            }
            grads.append(h0.requiresGrad ? dhNext : nil)
            if let c0 { grads.append(c0.requiresGrad ? dcNext : nil) }
            return grads
        }
    }

    /// C (+)= A·B (row-major, neither transposed) on the calling thread, as products of at most
    /// 100³ multiply-adds over column blocks of B and C (widths a multiple of 16). OpenBLAS
    /// 0.3.21 runs products up to that size with its small-matrix kernels (SkylakeX and later),
    /// which read B in place; a larger one packs B first, and for the recurrence's per-step
    /// products (16 rows by W_hh of 512×128) the packing cost as much as the arithmetic:
    /// 31.9 → 18.3 µs forward and 27.5 → 18.1 µs backward per product, measured with OpenBLAS
    /// alone on one core (docs/performance.md). Splitting columns leaves each element's sum over
    /// k in one call, and the blocks depend on the shape only (deterministic).
    static func recurrentProduct(
        m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let work = m * n * k, limit = 1_000_000
        let blocks = Swift.max(1, (work + limit - 1) / limit)
        let width = Swift.min(n, ((n + blocks - 1) / blocks + 15) / 16 * 16)
        var start = 0
        while start < n {
            let w = Swift.min(width, n - start)
            BLAS.sgemm(transA: false, transB: false, m: m, n: w, k: k, a, lda: lda, b + start, ldb: ldb,
                       beta: beta, c + start, ldc: ldc, parallel: false)
            start += w
        }
    }

    /// Batch rows per block of `recurrentLayer`'s time loops: two blocks from 32 rows up (one
    /// per core of a 2-core machine; smaller blocks would make each step's product too small to
    /// use the cores well), else one. A function of the batch size only, for determinism.
    static func recurrentRowBlock(_ batch: Int) -> Int {
        batch >= 32 ? (batch + 1) / 2 : Swift.max(batch, 1)
    }

    /// `recurrentLayer`'s forward written with differentiable ops, one step at a time (the
    /// create_graph backward differentiates it). Same output layout: `[T, B, H]`, LSTM `[T, B, 2H]`.
    static func recurrentComposite(
        _ kind: RecurrentKind, xp: Tensor, wHH: Tensor, bHH: Tensor?, h0: Tensor, c0: Tensor?, reverse: Bool
    ) throws -> Tensor {
        let t = xp.shape[0], h = h0.shape[1]
        var hs = h0, cs = c0
        var outs = [Tensor?](repeating: nil, count: t)
        let wt = try wHH.t()
        for ti in (reverse ? Array((0..<t).reversed()) : Array(0..<t)) {
            let x = try xp.select(dim: 0, index: ti)
            var q = try hs.mm(wt)
            if let bHH { q = try q.add(bHH) }
            let gate = { (z: Tensor, j: Int) throws -> Tensor in try z.narrow(dim: 1, start: j * h, length: h) }
            switch kind {
            case .rnnTanh, .rnnRelu:
                let z = try x.add(q)
                hs = kind == .rnnTanh ? try z.tanh() : try z.relu()
                outs[ti] = hs
            case .lstm:
                let z = try x.add(q)
                let i = try gate(z, 0).sigmoid(), f = try gate(z, 1).sigmoid()
                let g = try gate(z, 2).tanh(), o = try gate(z, 3).sigmoid()
                guard let c = cs else { throw TensorError("recurrent_layer: expected c0 for LSTM") }
                let cNew = try f.mul(c).add(i.mul(g))
                hs = try o.mul(cNew.tanh())
                cs = cNew
                outs[ti] = try Tensor.cat([hs, cNew], dim: 1)
            case .gru:
                let r = try gate(x, 0).add(gate(q, 0)).sigmoid()
                let zg = try gate(x, 1).add(gate(q, 1)).sigmoid()
                let n = try gate(x, 2).add(r.mul(gate(q, 2))).tanh()
                hs = try n.add(zg.mul(hs.sub(n)))
                outs[ti] = hs
            }
        }
        return try Tensor.stack(outs.compactMap { $0 }, dim: 0)
    }
}

/// `n` ≤ 8 floats from `p` as lanes (the rest 0): whole blocks load at once.
@inline(__always)
private func lanes(_ p: UnsafePointer<Float>, _ n: Int) -> SIMD8<Float> {
    if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    var v = SIMD8<Float>()
    for k in 0..<n { v[k] = p[k] }
    return v
}

@inline(__always)
private func lanes(_ p: UnsafeMutablePointer<Float>, _ n: Int) -> SIMD8<Float> { lanes(UnsafePointer(p), n) }

/// The first `n` ≤ 8 lanes of `v` to `p`.
@inline(__always)
private func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self); return }
    for k in 0..<n { p[k] = v[k] }
}
