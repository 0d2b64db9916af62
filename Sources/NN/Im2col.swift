/// Geometry of a 2-d sliding window over one `[C, H, W]` plane stack: shared by conv2d (im2col /
/// col2im) and the pooling kernels.
struct Window2d {
    let channels, height, width: Int
    let kh, kw, sh, sw, ph, pw, dh, dw: Int
    let outH, outW: Int

    /// Output size along one axis, or a value < 1 when the window does not fit.
    static func outSize(_ n: Int, k: Int, s: Int, p: Int, d: Int) -> Int {
        (n + 2 * p - d * (k - 1) - 1) / s + 1
    }

    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    var colRows: Int { channels * kh * kw }
    /// Columns of the column matrix for one sample: one per output position.
    var colCols: Int { outH * outW }

    /// The output columns `lo..<hi` whose input column `iw0 + ow·sw` lies inside the row, so the
    /// copy loops run branch-free (and vectorize) between zero-filled edges.
    @inline(__always)
    func validColumns(_ iw0: Int) -> (Int, Int) {
        let lo = iw0 >= 0 ? 0 : (-iw0 + sw - 1) / sw
        let hi = iw0 >= width ? 0 : min(outW, (width - 1 - iw0) / sw + 1)
        return (min(lo, outW), max(hi, min(lo, outW)))
    }

    /// Unfolds one sample `x` ([C, H, W], dense) into `col`, whose row `r` (one per channel and
    /// kernel offset) starts at `col + r·ld` and holds `outH·outW` values; padding reads 0.
    func im2col(_ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        for c in 0..<channels {
            let plane = x + c * height * width
            for i in 0..<kh {
                for j in 0..<kw { unfoldRow(plane, i, j, col + ((c * kh + i) * kw + j) * ld) }
            }
        }
    }

    /// One row of the column matrix: the input values under kernel offset (i, j) for every
    /// output position. Kept out of line so its loop has registers for itself.
    @inline(never)
    private func unfoldRow(_ plane: UnsafePointer<Float>, _ i: Int, _ j: Int, _ row: UnsafeMutablePointer<Float>) {
        let iw0 = j * dw - pw, outW = outW, sw = sw
        let (lo, hi) = validColumns(iw0)
        for oh in 0..<outH {
            let dst = row + oh * outW
            let ih = oh * sh - ph + i * dh
            if ih < 0 || ih >= height {
                dst.initialize(repeating: 0, count: outW)
                continue
            }
            let src = plane + ih * width + iw0
            for ow in 0..<lo { dst[ow] = 0 }
            if sw == 1 {
                copyFloats(src + lo, to: dst + lo, count: hi - lo)
            } else {
                for ow in lo..<hi { dst[ow] = src[ow * sw] }
            }
            for ow in hi..<outW { dst[ow] = 0 }
        }
    }

    /// Folds `col` (layout as `im2col`) back into `dx` ([C, H, W], accumulated): the adjoint.
    func col2im(_ col: UnsafePointer<Float>, ld: Int, _ dx: UnsafeMutablePointer<Float>) {
        for c in 0..<channels {
            let plane = dx + c * height * width
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = col + ((c * kh + i) * kw + j) * ld
                    let iw0 = j * dw - pw
                    let (lo, hi) = validColumns(iw0)
                    for oh in 0..<outH {
                        let ih = oh * sh - ph + i * dh
                        if ih < 0 || ih >= height { continue }
                        let src = row + oh * outW
                        let dst = plane + ih * width + iw0
                        if sw == 1 {
                            addFloats(src + lo, to: dst + lo, count: hi - lo)
                        } else {
                            for ow in lo..<hi { dst[ow * sw] += src[ow] }
                        }
                    }
                }
            }
        }
    }
}
