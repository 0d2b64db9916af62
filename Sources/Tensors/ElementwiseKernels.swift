/// The loops behind every elementwise op: one generic driver per arity, specialised at each call
/// site on the op's closure (so the inner loops are plain arithmetic over raw pointers).
///
/// Fast paths, in order: all operands dense (one flat loop), dense with a scalar operand, then
/// the general strided walk (`StridedLoop`), whose inner rows still run as tight loops when the
/// innermost strides are 1 or 0 (e.g. `[N, M] + [M]`). Work of 1<<16 elements or more is split
/// over threads with `Parallel.forEachChunk`.

/// One operand of a kernel: where it starts and how it walks the loop's shape.
struct Operand {
    let base: UnsafeMutablePointer<Float>
    /// Strides over the loop's shape (0 on broadcast dimensions).
    let strides: [Int]
    /// Element i of the loop is `base[i]`.
    let dense: Bool
    /// Every element of the loop reads `base[0]`.
    let scalar: Bool
}

extension Tensor {
    /// This (freshly allocated, contiguous) tensor as a kernel's output operand.
    var denseOperand: Operand { Operand(base: pointer, strides: strides, dense: isContiguous, scalar: false) }
}

/// Walks several operands that share one shape, each with its own strides, row by row.
///
/// Size-1 dimensions are dropped, the dimension where most operands are unit-stride becomes the
/// innermost, and adjacent dimensions that are contiguous in every operand are merged, so rows
/// are as long as possible: a contiguous tensor is one row. The walk may therefore visit the
/// elements in an order other than row-major; every element is still visited exactly once.
struct StridedLoop {
    private(set) var shape: [Int]
    /// Per dimension, the strides of up to four operands.
    private(set) var strides: [SIMD4<Int>]
    let count: Int

    init(shape full: [Int], _ operands: [Operand]) {
        var dims = [(size: Int, strides: SIMD4<Int>)]()
        for d in 0..<full.count where full[d] != 1 {
            var s = SIMD4<Int>(repeating: 0)
            for k in 0..<Swift.min(operands.count, 4) { s[k] = operands[k].strides[d] }
            dims.append((full[d], s))
        }
        // Walk innermost along the dim where the most operands are unit-stride (inputs that are
        // transposed views read sequentially; a strided write costs less than two strided reads).
        let operandCount = Swift.min(operands.count, 4)
        func unitStrides(_ s: SIMD4<Int>) -> Int { (0..<operandCount).reduce(0) { $0 + (s[$1] == 1 ? 1 : 0) } }
        if let last = dims.last, let best = dims.indices.max(by: { unitStrides(dims[$0].strides) < unitStrides(dims[$1].strides) }),
           unitStrides(dims[best].strides) > unitStrides(last.strides) {
            dims.append(dims.remove(at: best))
        }
        var shape = [Int](), strides = [SIMD4<Int>]()
        for (size, s) in dims {
            if let prev = strides.last, prev == s &* size {
                shape[shape.count - 1] *= size
                strides[strides.count - 1] = s
            } else {
                shape.append(size); strides.append(s)
            }
        }
        if shape.isEmpty { shape = [1]; strides = [.zero] }
        self.shape = shape
        self.strides = strides
        self.count = full.reduce(1, *)
    }

    /// Strides of the innermost (merged) dimension.
    var inner: SIMD4<Int> { strides[strides.count - 1] }

    /// Calls `body(offsets, n)` for each run of consecutive elements in `range` (positions in the
    /// loop's own order) that lies in one inner row; `offsets` are the operands' offsets of its
    /// first element.
    @inline(__always)
    func forEachRow(_ range: Range<Int>, _ body: (SIMD4<Int>, Int) -> Void) {
        let d = shape.count, rowLength = shape[d - 1]
        var index = [Int](repeating: 0, count: d)
        var offsets = SIMD4<Int>(repeating: 0)
        var rest = range.lowerBound
        for k in stride(from: d - 1, through: 0, by: -1) {
            index[k] = rest % shape[k]
            rest /= shape[k]
            offsets &+= strides[k] &* index[k]
        }
        var left = range.count
        while left > 0 {
            let n = min(rowLength - index[d - 1], left)
            body(offsets, n)
            left -= n
            if left == 0 { return }
            offsets &-= strides[d - 1] &* index[d - 1]
            index[d - 1] = 0
            var k = d - 2
            while k >= 0 {
                index[k] += 1
                offsets &+= strides[k]
                if index[k] < shape[k] { break }
                offsets &-= strides[k] &* shape[k]
                index[k] = 0
                k -= 1
            }
        }
    }
}

/// Elementwise kernel drivers.
enum EW {
    /// `out = op(a)` over `shape`.
    @inline(__always)
    static func map1(_ shape: [Int], _ out: Operand, _ a: Operand, _ op: (Float) -> Float) {
        let count = shape.reduce(1, *)
        if count == 0 { return }
        let o = out.base, x = a.base
        if out.dense && a.dense {
            Parallel.forEachChunk(count: count) { r in
                let o = o + r.lowerBound, x = x + r.lowerBound
                for i in 0..<r.count { o[i] = op(x[i]) }
            }
            return
        }
        let loop = StridedLoop(shape: shape, [out, a])
        let s = loop.inner
        Parallel.forEachChunk(count: count) { r in
            loop.forEachRow(r) { off, n in
                let o = o + off[0], x = x + off[1]
                if s[0] == 1 && s[1] == 1 {
                    for i in 0..<n { o[i] = op(x[i]) }
                } else if s[1] == 0 {
                    let v = op(x[0])
                    for i in 0..<n { o[i &* s[0]] = v }
                } else {
                    for i in 0..<n { o[i &* s[0]] = op(x[i &* s[1]]) }
                }
            }
        }
    }

    /// `out = op(a, b)` over `shape`.
    @inline(__always)
    static func map2(_ shape: [Int], _ out: Operand, _ a: Operand, _ b: Operand, _ op: (Float, Float) -> Float) {
        let count = shape.reduce(1, *)
        if count == 0 { return }
        let o = out.base, x = a.base, y = b.base
        if out.dense && (a.dense || a.scalar) && (b.dense || b.scalar) {
            if a.dense && b.dense {
                Parallel.forEachChunk(count: count) { r in
                    let o = o + r.lowerBound, x = x + r.lowerBound, y = y + r.lowerBound
                    for i in 0..<r.count { o[i] = op(x[i], y[i]) }
                }
                return
            }
            if a.dense {
                let v = y[0]
                Parallel.forEachChunk(count: count) { r in
                    let o = o + r.lowerBound, x = x + r.lowerBound
                    for i in 0..<r.count { o[i] = op(x[i], v) }
                }
                return
            }
            if b.dense {
                let u = x[0]
                Parallel.forEachChunk(count: count) { r in
                    let o = o + r.lowerBound, y = y + r.lowerBound
                    for i in 0..<r.count { o[i] = op(u, y[i]) }
                }
                return
            }
        }
        let loop = StridedLoop(shape: shape, [out, a, b])
        let s = loop.inner
        Parallel.forEachChunk(count: count) { r in
            loop.forEachRow(r) { off, n in
                let o = o + off[0], x = x + off[1], y = y + off[2]
                if s[0] == 1 && s[1] == 1 && s[2] == 1 {
                    for i in 0..<n { o[i] = op(x[i], y[i]) }
                } else if s[0] == 1 && s[1] == 1 && s[2] == 0 {
                    let v = y[0]
                    for i in 0..<n { o[i] = op(x[i], v) }
                } else if s[0] == 1 && s[1] == 0 && s[2] == 1 {
                    let u = x[0]
                    for i in 0..<n { o[i] = op(u, y[i]) }
                } else {
                    for i in 0..<n { o[i &* s[0]] = op(x[i &* s[1]], y[i &* s[2]]) }
                }
            }
        }
    }

    /// `out = op(a, b, c)` over `shape`.
    @inline(__always)
    static func map3(
        _ shape: [Int], _ out: Operand, _ a: Operand, _ b: Operand, _ c: Operand,
        _ op: (Float, Float, Float) -> Float
    ) {
        let count = shape.reduce(1, *)
        if count == 0 { return }
        let o = out.base, x = a.base, y = b.base, z = c.base
        if out.dense && a.dense && b.dense && c.dense {
            Parallel.forEachChunk(count: count) { r in
                let o = o + r.lowerBound, x = x + r.lowerBound, y = y + r.lowerBound, z = z + r.lowerBound
                for i in 0..<r.count { o[i] = op(x[i], y[i], z[i]) }
            }
            return
        }
        let loop = StridedLoop(shape: shape, [out, a, b, c])
        let s = loop.inner
        Parallel.forEachChunk(count: count) { r in
            loop.forEachRow(r) { off, n in
                let o = o + off[0], x = x + off[1], y = y + off[2], z = z + off[3]
                if s == SIMD4(1, 1, 1, 1) {
                    for i in 0..<n { o[i] = op(x[i], y[i], z[i]) }
                } else {
                    for i in 0..<n { o[i &* s[0]] = op(x[i &* s[1]], y[i &* s[2]], z[i &* s[3]]) }
                }
            }
        }
    }
}

extension Tensor {
    /// A new tensor `op(a)` (no autograd).
    @inline(__always)
    static func ewMap(_ a: Tensor, _ op: (Float) -> Float) throws -> Tensor {
        let out = try Tensor(uninitializedShape: a.shape)
        EW.map1(a.shape, out.denseOperand, try a.operand(a.shape, op: ""), op)
        return out
    }

    /// A new tensor `op(a)` with `a` broadcast to `shape` (no autograd).
    @inline(__always)
    static func ewMap(_ a: Tensor, to shape: [Int], _ op: (Float) -> Float) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        EW.map1(shape, out.denseOperand, try a.operand(shape, op: "expand"), op)
        return out
    }

    /// A new tensor `op(a, b)` over the broadcast shape (no autograd).
    @inline(__always)
    static func ewMap(_ a: Tensor, _ b: Tensor, op name: String, _ op: (Float, Float) -> Float) throws -> Tensor {
        let shape = try broadcastShapes(a.shape, b.shape, op: name)
        let out = try Tensor(uninitializedShape: shape)
        EW.map2(shape, out.denseOperand, try a.operand(shape, op: name), try b.operand(shape, op: name), op)
        return out
    }

    /// A new tensor `op(a, b, c)` over the broadcast shape (no autograd).
    @inline(__always)
    static func ewMap(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, op name: String, _ op: (Float, Float, Float) -> Float
    ) throws -> Tensor {
        let shape = try broadcastShapes(broadcastShapes(a.shape, b.shape, op: name), c.shape, op: name)
        let out = try Tensor(uninitializedShape: shape)
        EW.map3(
            shape, out.denseOperand, try a.operand(shape, op: name), try b.operand(shape, op: name),
            try c.operand(shape, op: name), op)
        return out
    }
}
