#if canImport(Glibc)
import Glibc
#endif

/// Running extremes and the running log-sum-exp along a dimension: `cummax`, `cummin`,
/// `logcumsumexp`. Gradients are written with recorded ops (scatter_add, logcumsumexp itself).
extension Tensor {
    /// The running maximum along `dim` and the 1-based position where it was reached (the latest
    /// among equal values, as PyTorch; a NaN, once seen, stays).
    ///
    /// ```swift
    /// let (peak, at) = try losses.cummax(dim: 0)
    /// ```
    public func cummax(dim: Int) throws -> (values: Tensor, indices: Tensor) { try runningExtreme(dim, max: true) }

    /// The running minimum along `dim` and its 1-based position (see `cummax`).
    public func cummin(dim: Int) throws -> (values: Tensor, indices: Tensor) { try runningExtreme(dim, max: false) }

    private func runningExtreme(_ dim: Int, max: Bool) throws -> (values: Tensor, indices: Tensor) {
        let op = max ? "cummax" : "cummin"
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: op)
        let values = try scan(d) { row, out, n in
            guard n > 0 else { return }
            var best = row[0]
            for i in 0..<n {
                let v = row[i]
                if v.isNaN || (!best.isNaN && (max ? v >= best : v <= best)) { best = v }
                out[i] = best
            }
        }
        let indices = try scan(d) { row, out, n in
            guard n > 0 else { return }
            var best = row[0], at = 0
            for i in 0..<n {
                let v = row[i]
                if v.isNaN || (!best.isNaN && (max ? v >= best : v <= best)) { best = v; at = i }
                out[i] = Float(at + 1)
            }
        }
        let inShape = shape
        let recorded = Tensor.record(op, values, [self]) { g in
            if inShape.isEmpty { return [g] }
            return [try Tensor.zeros(inShape).scatterAdd(dim: d, index: indices, src: g)]
        }
        return (recorded, indices)
    }

    /// `log(sum_{j <= i} exp(x_j))` along `dim`, computed stably (running maximum).
    ///
    /// ```swift
    /// let lse = try logits.logcumsumexp(dim: 1)
    /// ```
    public func logcumsumexp(dim: Int) throws -> Tensor {
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "logcumsumexp")
        let out = try scan(d) { row, out, n in
            var acc = -Double.infinity
            for i in 0..<n {
                let v = Double(row[i])
                let m = Swift.max(acc, v)
                acc = m == -.infinity ? -.infinity : (m.isNaN ? .nan : m + Glibc.log(Glibc.exp(acc - m) + Glibc.exp(v - m)))
                out[i] = Float(acc)
            }
        }
        let x = self
        return Tensor.record("logcumsumexp", out, [self]) { g in
            if g.dim == 0 { return [g] }
            // d/dx_j = sum_{i >= j} g_i exp(x_j - y_i), split into g > 0 and g < 0 parts so each
            // is exp(x_j + reversed logcumsumexp(log|g_i| - y_i)): no overflow (PyTorch's way).
            let y = try x.logcumsumexp(dim: d)
            func part(_ sign: Float) throws -> Tensor {
                let mag = try Tensor.where(sign > 0 ? g.gt(0) : g.lt(0), g.mul(sign), Tensor.scalar(0))
                let logs = try mag.log().sub(y)
                return try x.add(logs.flip([d]).logcumsumexp(dim: d).flip([d])).exp()
            }
            return [try part(1).sub(part(-1))]
        }
    }
}
