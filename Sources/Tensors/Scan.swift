/// Running sums and products along a dimension: `cumsum`, `cumprod`. Accumulation is in Double,
/// one lane at a time, so results do not depend on the thread count.
extension Tensor {
    /// `out[i] = x[0] + ... + x[i]` along `dim` (0-based).
    ///
    /// ```swift
    /// try Tensor([1, 2, 3], shape: [3]).cumsum(dim: 0)   // [1, 3, 6]
    /// ```
    public func cumsum(dim: Int) throws -> Tensor {
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "cumsum")
        let out = try scan(d) { row, out, n in
            var acc = 0.0
            for i in 0..<n { acc += Double(row[i]); out[i] = Float(acc) }
        }
        return Tensor.record("cumsum", out, [self]) { g in
            // The adjoint of a running sum is a running sum from the end.
            if g.dim == 0 { return [g] }
            return [try g.flip([d]).cumsum(dim: d).flip([d])]
        }
    }

    /// `out[i] = x[0] * ... * x[i]` along `dim` (0-based). The gradient is exact with zeros in
    /// the input too.
    ///
    /// ```swift
    /// try Tensor([1, 2, 3], shape: [3]).cumprod(dim: 0)   // [1, 2, 6]
    /// ```
    public func cumprod(dim: Int) throws -> Tensor {
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "cumprod")
        let out = try scan(d) { row, out, n in
            var acc = 1.0
            for i in 0..<n { acc *= Double(row[i]); out[i] = Float(acc) }
        }
        let x = self
        return Tensor.record("cumprod", out, [self]) { g in
            if g.dim == 0 { return [g] }
            let hasZero = try GradMode.withoutGrad { try x.eq(0).sum().item() } > 0
            if !hasZero {
                // d/dx_k = sum_{j >= k} g_j * y_j / x_k, with differentiable ops.
                let y = try x.cumprod(dim: d)
                return [try g.mul(y).flip([d]).cumsum(dim: d).flip([d]).div(x)]
            }
            if GradMode.isEnabled { return [try x.cumprodGradDifferentiable(g, d)] }
            return [try x.cumprodGradWithZeros(g, d)]
        }
    }

    /// The gradient of `cumprod` with zeros in the input, written with recorded ops so that it can
    /// be differentiated again (create_graph): for each k,
    /// `dx_k = Σ_{j >= k} g_j · (Π_{i < k} x_i) · (Π_{k < i <= j} x_i)`, O(n²) ops per lane,
    /// as PyTorch does when the backward itself is recorded.
    func cumprodGradDifferentiable(_ g: Tensor, _ d: Int) throws -> Tensor {
        let n = shape[d]
        var onesShape = shape
        onesShape[d] = 1
        let ones = try Tensor.ones(onesShape)
        var prefix = ones            // Π_{i < k} x_i, kept with dim d of size 1
        var columns = [Tensor]()
        for k in 0..<n {
            var omitted = prefix
            if k + 1 < n {
                let suffix = try narrow(dim: d, start: k + 1, length: n - k - 1).cumprod(dim: d)
                omitted = try Tensor.cat([ones, suffix], dim: d).mul(prefix)
            }
            let gk = try g.narrow(dim: d, start: k, length: n - k)
            columns.append(try gk.mul(omitted).sum(dims: [d], keepdim: true))
            prefix = try prefix.mul(narrow(dim: d, start: k, length: 1))
        }
        return try Tensor.cat(columns, dim: d)
    }

    /// d/dx_k = sum_{j >= k} g_j * prod_{i <= j, i != k} x_i, lane by lane (O(n²) per lane; only
    /// used when the input holds a zero, where dividing by x_k is not possible).
    private func cumprodGradWithZeros(_ g: Tensor, _ d: Int) throws -> Tensor {
        let last = dim - 1
        let xl = try detachedAlias.transpose(d, last).contiguousData()
        let gl = try g.detachedAlias.transpose(d, last).contiguousData()
        let out = try Tensor(uninitializedShape: xl.shape)
        let n = shape[d], outer = n == 0 ? 0 : xl.count / n
        let xp = xl.pointer, gp = gl.pointer, op = out.pointer
        for lane in 0..<outer {
            let x = xp + lane * n, gr = gp + lane * n, o = op + lane * n
            var prefix = 1.0   // prod_{i < k} x_i
            for k in 0..<n {
                var running = prefix, acc = 0.0
                for j in k..<n {
                    if j > k { running *= Double(x[j]) }
                    acc += Double(gr[j]) * running
                }
                o[k] = Float(acc)
                prefix *= Double(x[k])
            }
        }
        return try out.transpose(d, last).contiguousData()
    }

    /// Applies `body(lane, out, n)` to every lane along `d` of a contiguous copy (`d` moved last)
    /// and returns the result with `d` back in place.
    func scan(_ d: Int, _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) throws -> Tensor {
        if dim == 0 {
            let x = try copyData(), out = try Tensor(uninitializedShape: [])
            body(x.pointer, out.pointer, 1)
            return out
        }
        let last = dim - 1
        let lanes = try detachedAlias.transpose(d, last).contiguousData()
        let out = try Tensor(uninitializedShape: lanes.shape)
        let n = shape[d], outer = n == 0 ? 0 : lanes.count / n
        let src = lanes.pointer, dst = out.pointer
        for lane in 0..<outer { body(src + lane * n, dst + lane * n, n) }
        return try out.transpose(d, last).contiguousData()
    }
}
