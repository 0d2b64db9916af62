/// Strided element loops shared by the view, indexing and autograd code.
///
/// A loop walks two same-shape views in row-major order, one row (the last dimension) at a time,
/// and hands each row to a kernel as raw pointers plus strides, so the inner loop is a plain
/// pointer loop without ARC or array traffic.
extension Tensor {
    /// Calls `row(dst, src, n, dstStride, srcStride)` for every last-dimension row of `dst` and
    /// `src`, which must have the same shape (the caller checks). 0-d tensors are one row of one.
    @inlinable
    static func forEachRow(
        _ dst: Tensor, _ src: Tensor,
        _ row: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int, Int) -> Void
    ) {
        let n = dst.count
        if n == 0 { return }
        let shape = dst.shape, d = shape.count
        if d == 0 { row(dst.pointer, src.pointer, 1, 1, 1); return }
        let ds = dst.strides, ss = src.strides
        let base = dst.storage.base, sbase = src.storage.base
        let last = shape[d - 1], dLast = ds[d - 1], sLast = ss[d - 1]
        var index = [Int](repeating: 0, count: d)
        var dOff = dst.offset, sOff = src.offset
        var done = 0
        while done < n {
            row(base + dOff, sbase + sOff, last, dLast, sLast)
            done += last
            var k = d - 2
            while k >= 0 {
                index[k] += 1
                dOff += ds[k]; sOff += ss[k]
                if index[k] < shape[k] { break }
                dOff -= ds[k] * shape[k]; sOff -= ss[k] * shape[k]
                index[k] = 0
                k -= 1
            }
            if k < 0 { break }
        }
    }

    /// `dst[i] = src[i]` for every element (same shape; `src` may have zero strides).
    static func stridedCopy(into dst: Tensor, from src: Tensor) {
        if dst.isContiguous && src.isContiguous {
            dst.pointer.update(from: src.pointer, count: dst.count)
            return
        }
        forEachRow(dst, src) { d, s, n, dStride, sStride in
            if dStride == 1 && sStride == 1 {
                for i in 0..<n { d[i] = s[i] }
            } else {
                for i in 0..<n { d[i * dStride] = s[i * sStride] }
            }
        }
    }

    /// `dst[i] += src[i]` for every element, in row-major order. Zero strides in `dst` (an
    /// expanded view) accumulate, which is how gradients of broadcasts are summed.
    static func stridedAdd(into dst: Tensor, from src: Tensor) {
        if dst.isContiguous && src.isContiguous {
            let d = dst.pointer, s = src.pointer
            for i in 0..<dst.count { d[i] += s[i] }
            return
        }
        forEachRow(dst, src) { d, s, n, dStride, sStride in
            if dStride == 1 && sStride == 1 {
                for i in 0..<n { d[i] += s[i] }
            } else if dStride == 0 {
                var acc: Float = 0
                for i in 0..<n { acc += s[i * sStride] }
                d[0] += acc
            } else {
                for i in 0..<n { d[i * dStride] += s[i * sStride] }
            }
        }
    }

    /// A new contiguous tensor of `shape` filled with `value` (no autograd).
    static func filled(_ shape: [Int], _ value: Float) throws -> Tensor {
        let t = try Tensor(uninitializedShape: shape)
        t.pointer.initialize(repeating: value, count: t.count)
        return t
    }

    /// A new contiguous copy of `self`'s values (no autograd).
    func copyData() throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        Tensor.stridedCopy(into: out, from: self)
        return out
    }

    /// `a + b` for same-shape tensors of any layout, as a new contiguous tensor (no autograd).
    static func sumOfSameShape(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        if a.isContiguous && b.isContiguous {
            // One pass (no copy of `a` first).
            let out = try Tensor(uninitializedShape: a.shape)
            let o = out.pointer, x = a.pointer, y = b.pointer
            for i in 0..<out.count { o[i] = x[i] + y[i] }
            return out
        }
        let out = try a.copyData()
        stridedAdd(into: out, from: b)
        return out
    }

    /// The gradient of a view op: zeros of `inputShape`, with `g` added through the same view
    /// of them that the forward op took (`makeView`). Works for every view, including expanded
    /// ones, whose zero strides sum the gradient over the broadcast dimensions.
    ///
    /// While a backward records itself (grad mode on), the result is recorded too: its own
    /// gradient is the same view of the incoming gradient.
    static func gradThroughView(
        _ g: Tensor, inputShape: [Int], _ makeView: @escaping (Tensor) throws -> Tensor
    ) throws -> Tensor {
        let zero = try filled(inputShape, 0)
        let v = try GradMode.withoutGrad { try makeView(zero) }
        stridedAdd(into: v, from: g)
        return record("view_backward", zero, [g]) { h in [try makeView(h)] }
    }
}
