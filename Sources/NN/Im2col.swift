/// Geometry of a 2-d sliding window over one `[C, H, W]` plane stack: shared by conv2d (im2col /
/// col2im) and the pooling kernels.
struct Window2d {
    let channels, height, width: Int
    let kh, kw, sh, sw, ph, pw, dh, dw: Int
    let outH, outW: Int

    /// Output size along one axis, or a value < 1 when the window does not fit.
    /// Checked arithmetic: this module builds with `-Ounchecked`, where an overflow (a dilation
    /// of 2^62, an expanded 2^40-wide kernel) would wrap to a wrong size instead of trapping.
    static func outSize(_ n: Int, k: Int, s: Int, p: Int, d: Int) -> Int {
        let (span, o1) = d.multipliedReportingOverflow(by: k - 1)
        let (padded, o2) = p.multipliedReportingOverflow(by: 2)
        let (total, o3) = n.addingReportingOverflow(padded)
        guard !o1, !o2, !o3, s > 0, span < total else { return 0 }
        return (total - span - 1) / s + 1
    }

    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    var colRows: Int { channels * kh * kw }
    /// Columns of the column matrix for one sample: one per output position.
    var colCols: Int { outH * outW }

    /// The outputs `lo..<hi` (of `count`) whose input index `start + o·stride` lies in
    /// `0..<size`, so the copy loops run branch-free (and vectorize) between zero-filled edges.
    @inline(__always)
    static func validRange(start: Int, stride: Int, size: Int, count: Int) -> (Int, Int) {
        if stride == 1 {  // the common case, without the divisions (tens of cycles each)
            let lo = min(max(-start, 0), count)
            return (lo, max(lo, min(count, size - start)))
        }
        let lo = start >= 0 ? 0 : (-start + stride - 1) / stride
        let hi = start >= size ? 0 : min(count, (size - 1 - start) / stride + 1)
        return (min(lo, count), max(hi, min(lo, count)))
    }

    /// Unfolds one sample `x` ([C, H, W], dense) into `col`, whose row `r` (one per channel and
    /// kernel offset) starts at `col + r·ld` and holds `outH·outW` values; padding reads 0.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        if isPlain { return plainIm2col(x, col, ld: ld) }
        for c in 0..<channels {
            let plane = x + c * height * width
            for i in 0..<kh {
                for j in 0..<kw { unfoldRow(plane, i, j, col + ((c * kh + i) * kw + j) * ld) }
            }
        }
    }

    /// Folds `col` (layout as `im2col`) back into `dx` ([C, H, W], accumulated): the adjoint.
    func col2im(_ col: UnsafePointer<Float>, ld: Int, _ dx: UnsafeMutablePointer<Float>) {
        if isPlain { return plainCol2im(col, ld: ld, dx) }
        for c in 0..<channels {
            let plane = dx + c * height * width
            for i in 0..<kh {
                for j in 0..<kw { foldRow(col + ((c * kh + i) * kw + j) * ld, i, j, plane) }
            }
        }
    }

    /// One row of the column matrix: the input values under kernel offset (i, j) for every
    /// output position, 0 where the window hangs over the padding. Out of line, so its loop has
    /// the registers to itself; the unpadded stride-1 case is a plain sequence of row copies.
    @inline(never)
    private func unfoldRow(_ plane: UnsafePointer<Float>, _ i: Int, _ j: Int, _ row: UnsafeMutablePointer<Float>) {
        let outW = outW, sw = sw, width = width, ih0 = i * dh - ph, iw0 = j * dw - pw
        let (rowLo, rowHi) = Self.validRange(start: ih0, stride: sh, size: height, count: outH)
        let (lo, hi) = Self.validRange(start: iw0, stride: sw, size: width, count: outW)
        if rowLo > 0 { row.initialize(repeating: 0, count: rowLo * outW) }  // padding rows only
        if rowHi < outH { (row + rowHi * outW).initialize(repeating: 0, count: (outH - rowHi) * outW) }
        let rowStep = sh * width
        var src = plane + (ih0 + rowLo * sh) * width + iw0, dst = row + rowLo * outW
        if sw == 1, lo == 0, hi == outW {
            return copyRows(src, stride: rowStep, to: dst, stride: outW, rows: rowHi - rowLo, count: outW)
        }
        for _ in rowLo..<rowHi {
            for ow in 0..<lo { dst[ow] = 0 }
            if sw == 1 {
                copyFloats(src + lo, to: dst + lo, count: hi - lo)
            } else {
                for ow in lo..<hi { dst[ow] = src[ow * sw] }
            }
            for ow in hi..<outW { dst[ow] = 0 }
            src += rowStep; dst += outW
        }
    }

    /// The adjoint of `unfoldRow`: adds the row's values back onto the input positions they
    /// were read from.
    @inline(never)
    private func foldRow(_ row: UnsafePointer<Float>, _ i: Int, _ j: Int, _ plane: UnsafeMutablePointer<Float>) {
        let outW = outW, sw = sw, ih0 = i * dh - ph, iw0 = j * dw - pw
        let (rowLo, rowHi) = Self.validRange(start: ih0, stride: sh, size: height, count: outH)
        let (lo, hi) = Self.validRange(start: iw0, stride: sw, size: width, count: outW)
        let rowStep = sh * width
        var dst = plane + (ih0 + rowLo * sh) * width + iw0, src = row + rowLo * outW
        for _ in rowLo..<rowHi {
            if sw == 1 {
                addFloats(src + lo, to: dst + lo, count: hi - lo)
            } else {
                for ow in lo..<hi { dst[ow * sw] += src[ow] }
            }
            dst += rowStep; src += outW
        }
    }

    /// Stride 1, no padding, no dilation: the common convolution, whose every row of the column
    /// matrix is `outH` contiguous runs of `outW` input values. Kept apart from `unfoldRow` /
    /// `foldRow`, which reach the same `copyRows` for such windows: their per-row window
    /// bookkeeping and call cost 14 % more instructions per CNN step (callgrind, 94.5M vs 107.6M).
    var isPlain: Bool { sh == 1 && sw == 1 && ph == 0 && pw == 0 && dh == 1 && dw == 1 }

    /// `im2col` for a plain window: straight row copies, no bounds or padding logic.
    @inline(never)
    func plainIm2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        let (width, outW, outH) = (width, outW, outH)
        var row = col
        for c in 0..<channels {
            for i in 0..<kh {
                for j in 0..<kw {
                    copyRows(x + (c * height + i) * width + j, stride: width, to: row, stride: outW,
                             rows: outH, count: outW)
                    row += ld
                }
            }
        }
    }

    /// `col2im` for a plain window (the adjoint of `plainIm2col`).
    @inline(never)
    func plainCol2im(_ col: UnsafePointer<Float>, ld: Int, _ dx: UnsafeMutablePointer<Float>) {
        let (width, outW, outH) = (width, outW, outH)
        var row = col
        for c in 0..<channels {
            for i in 0..<kh {
                for j in 0..<kw {
                    addRows(row, stride: outW, to: dx + (c * height + i) * width + j, stride: width,
                            rows: outH, count: outW)
                    row += ld
                }
            }
        }
    }
}

/// Copies `count` floats. Rows in im2col are short (8–30 floats): a `memmove` call costs more
/// than the copy, and the auto-vectorized loop (16 floats per iteration) runs its scalar tail.
@inline(__always)
func copyFloats(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    if count >= 256 { dst.update(from: src, count: count); return }
    var k = 0
    while k + 8 <= count {
        UnsafeMutableRawPointer(dst + k).storeBytes(of: UnsafeRawPointer(src + k).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        k += 8
    }
    while k < count { dst[k] = src[k]; k += 1 }
}

/// `dst[k] += src[k]` for `count` floats, blocked like `copyFloats`.
@inline(__always)
func addFloats(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k + 8 <= count {
        let d = UnsafeMutableRawPointer(dst + k)
        d.storeBytes(of: d.loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(src + k).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        k += 8
    }
    while k < count { dst[k] += src[k]; k += 1 }
}

/// Copies `rows` runs of `count` floats, `srcStride` and `dstStride` floats apart (source and
/// destination must not overlap). The length is examined once for all runs: a run of 8 floats
/// is one SIMD copy, of 4–16 floats two, the second overlapping the first (it rewrites equal
/// values), with no per-float loop. im2col's runs are mostly this short
/// (8 floats for the second convolution of a MNIST CNN), and a general copy per run cost
/// ~20 instructions for what is 4 loads and stores.
@inline(__always)
func copyRows(_ src: UnsafePointer<Float>, stride srcStride: Int, to dst: UnsafeMutablePointer<Float>,
              stride dstStride: Int, rows: Int, count: Int) {
    @inline(__always) func copy<V: SIMD>(_: V.Type, _ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>)
    where V.Scalar == Float {
        UnsafeMutableRawPointer(d).storeBytes(of: UnsafeRawPointer(s).loadUnaligned(as: V.self), as: V.self)
    }
    var s = src, d = dst
    if count == 8 {
        for _ in 0..<rows {
            copy(SIMD8<Float>.self, s, d)
            s += srcStride; d += dstStride
        }
    } else if count > 8, count <= 16 {
        let tail = count - 8
        for _ in 0..<rows {
            copy(SIMD8<Float>.self, s, d)
            copy(SIMD8<Float>.self, s + tail, d + tail)
            s += srcStride; d += dstStride
        }
    } else if count >= 4, count < 8 {
        let tail = count - 4
        for _ in 0..<rows {
            copy(SIMD4<Float>.self, s, d)
            copy(SIMD4<Float>.self, s + tail, d + tail)
            s += srcStride; d += dstStride
        }
    } else {
        for _ in 0..<rows {
            copyFloats(s, to: d, count: count)
            s += srcStride; d += dstStride
        }
    }
}

/// `dst[k] += src[k]` over `rows` runs of `count` floats (the adjoint of `copyRows`): runs of
/// exactly 8 floats are one SIMD addition each, others go through `addFloats`.
@inline(__always)
func addRows(_ src: UnsafePointer<Float>, stride srcStride: Int, to dst: UnsafeMutablePointer<Float>,
             stride dstStride: Int, rows: Int, count: Int) {
    var s = src, d = dst
    if count == 8 {
        for _ in 0..<rows {
            let p = UnsafeMutableRawPointer(d)
            p.storeBytes(of: p.loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(s).loadUnaligned(as: SIMD8<Float>.self),
                         as: SIMD8<Float>.self)
            s += srcStride; d += dstStride
        }
    } else {
        for _ in 0..<rows {
            addFloats(s, to: d, count: count)
            s += srcStride; d += dstStride
        }
    }
}
