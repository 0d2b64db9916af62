/// The loops behind every elementwise op: one generic driver per arity, specialised on the op's
/// kernel type (ElementwiseOps.swift), so the inner loops are plain arithmetic over raw pointers.
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

/// Elementwise kernel drivers, generic over the operation (`UnaryKernel`, `BinaryKernel`,
/// `TernaryKernel`).
///
/// The loop over one chunk is an `@inline(never)` generic function taking raw pointers: the
/// compiler specialises it per operation type, so the operation is inlined and the loop
/// vectorizes whether `Parallel.forEachChunk` calls it directly (1 thread) or from Dispatch
/// (2+ threads), and profiles name the kernel (`EW.unitChunk<EW.Add>`...). The operation as a
/// closure value would not do: called from the Dispatch side, it stays a call per element
/// (docs/performance.md).
///
/// ```swift
/// EW.map2(shape, out.denseOperand, try a.operand(shape, op: "add"), try b.operand(shape, op: "add"), EW.Add())
/// ```
enum EW {
    typealias Pointer = UnsafeMutablePointer<Float>

    /// `out = op(a)` over `shape`.
    static func map1<Op: UnaryKernel>(_ shape: [Int], _ out: Operand, _ a: Operand, _ op: Op) {
        let count = shape.reduce(1, *)
        if count == 0 { return }
        if out.dense && a.dense { return dense(count, out.base, a.base, op) }
        let loop = StridedLoop(shape: shape, [out, a])
        Parallel.forEachChunk(count: count) { r in stridedChunk(loop, r, out.base, a.base, op) }
    }

    /// `out = op(a, b)` over `shape`.
    static func map2<Op: BinaryKernel>(_ shape: [Int], _ out: Operand, _ a: Operand, _ b: Operand, _ op: Op) {
        let count = shape.reduce(1, *)
        if count == 0 { return }
        let o = out.base, x = a.base, y = b.base
        if out.dense && a.dense && b.dense {
            return Parallel.forEachChunk(count: count) { r in unitChunk(r, o, x, y, op) }
        }
        if out.dense && a.dense && b.scalar { return dense(count, o, x, op.withRight(y[0])) }
        if out.dense && a.scalar && b.dense { return dense(count, o, y, op.withLeft(x[0])) }
        let loop = StridedLoop(shape: shape, [out, a, b])
        Parallel.forEachChunk(count: count) { r in stridedChunk(loop, r, o, x, y, op) }
    }

    /// `out = op(a, b, c)` over `shape`.
    static func map3<Op: TernaryKernel>(
        _ shape: [Int], _ out: Operand, _ a: Operand, _ b: Operand, _ c: Operand, _ op: Op
    ) {
        let count = shape.reduce(1, *)
        if count == 0 { return }
        let o = out.base, x = a.base, y = b.base, z = c.base
        if out.dense && a.dense && b.dense && c.dense {
            return Parallel.forEachChunk(count: count) { r in unitChunk(r, o, x, y, z, op) }
        }
        let loop = StridedLoop(shape: shape, [out, a, b, c])
        Parallel.forEachChunk(count: count) { r in stridedChunk(loop, r, o, x, y, z, op) }
    }

    /// `o[i] = op(x[i])` for i < count, in chunks over the threads.
    private static func dense<Op: UnaryKernel>(_ count: Int, _ o: Pointer, _ x: Pointer, _ op: Op) {
        Parallel.forEachChunk(count: count) { r in unitChunk(r, o, x, op) }
    }

    // The chunk loops. Every pointer is a parameter (not a closure capture), so LLVM knows that
    // stores through `o` cannot change them and keeps them in registers.

    @inline(never)
    private static func unitChunk<Op: UnaryKernel>(_ r: Range<Int>, _ o: Pointer, _ x: Pointer, _ op: Op) {
        if let wide = Op.wideRow { return wide(x + r.lowerBound, o + r.lowerBound, r.count) }
        unitRow(r.count, o + r.lowerBound, x + r.lowerBound, op)
    }

    @inline(never)
    private static func unitChunk<Op: BinaryKernel>(_ r: Range<Int>, _ o: Pointer, _ x: Pointer, _ y: Pointer, _ op: Op) {
        unitRow(r.count, o + r.lowerBound, x + r.lowerBound, y + r.lowerBound, op)
    }

    @inline(never)
    private static func unitChunk<Op: TernaryKernel>(
        _ r: Range<Int>, _ o: Pointer, _ x: Pointer, _ y: Pointer, _ z: Pointer, _ op: Op
    ) {
        let i = r.lowerBound
        if let wide = Op.wideRow { return wide(x + i, y + i, z + i, o + i, r.count) }
        unitRow(r.count, o + i, x + i, y + i, z + i, op)
    }

    // The unit-stride rows. In-place ops pass the output as the first input (`o == x`); that
    // case is written with `o` alone, because LLVM's runtime overlap check counts equal
    // pointers as overlapping and would run the scalar version of the loop (measured: in-place
    // add on 1 thread half as fast).

    @inline(__always)
    private static func unitRow<Op: UnaryKernel>(_ n: Int, _ o: Pointer, _ x: Pointer, _ op: Op) {
        if o == x {
            for i in 0..<n { o[i] = op(o[i]) }
        } else {
            for i in 0..<n { o[i] = op(x[i]) }
        }
    }

    @inline(__always)
    private static func unitRow<Op: BinaryKernel>(_ n: Int, _ o: Pointer, _ x: Pointer, _ y: Pointer, _ op: Op) {
        if o == x {
            for i in 0..<n { o[i] = op(o[i], y[i]) }
        } else {
            for i in 0..<n { o[i] = op(x[i], y[i]) }
        }
    }

    @inline(__always)
    private static func unitRow<Op: TernaryKernel>(
        _ n: Int, _ o: Pointer, _ x: Pointer, _ y: Pointer, _ z: Pointer, _ op: Op
    ) {
        if o == x {
            for i in 0..<n { o[i] = op(o[i], y[i], z[i]) }
        } else {
            for i in 0..<n { o[i] = op(x[i], y[i], z[i]) }
        }
    }

    @inline(never)
    private static func stridedChunk<Op: UnaryKernel>(
        _ loop: StridedLoop, _ r: Range<Int>, _ o: Pointer, _ x: Pointer, _ op: Op
    ) {
        let s = loop.inner
        loop.forEachRow(r) { off, n in
            let o = o + off[0], x = x + off[1]
            if s[0] == 1 && s[1] == 1 {
                unitRow(n, o, x, op)
            } else if s[1] == 0 {
                let v = op(x[0])
                for i in 0..<n { o[i &* s[0]] = v }
            } else {
                for i in 0..<n { o[i &* s[0]] = op(x[i &* s[1]]) }
            }
        }
    }

    @inline(never)
    private static func stridedChunk<Op: BinaryKernel>(
        _ loop: StridedLoop, _ r: Range<Int>, _ o: Pointer, _ x: Pointer, _ y: Pointer, _ op: Op
    ) {
        let s = loop.inner
        loop.forEachRow(r) { off, n in
            let o = o + off[0], x = x + off[1], y = y + off[2]
            if s[0] == 1 && s[1] == 1 && s[2] == 1 {
                unitRow(n, o, x, y, op)
            } else if s[0] == 1 && s[1] == 1 && s[2] == 0 {
                unitRow(n, o, x, op.withRight(y[0]))
            } else if s[0] == 1 && s[1] == 0 && s[2] == 1 {
                unitRow(n, o, y, op.withLeft(x[0]))
            } else {
                for i in 0..<n { o[i &* s[0]] = op(x[i &* s[1]], y[i &* s[2]]) }
            }
        }
    }

    @inline(never)
    private static func stridedChunk<Op: TernaryKernel>(
        _ loop: StridedLoop, _ r: Range<Int>, _ o: Pointer, _ x: Pointer, _ y: Pointer, _ z: Pointer, _ op: Op
    ) {
        let s = loop.inner
        loop.forEachRow(r) { off, n in
            let o = o + off[0], x = x + off[1], y = y + off[2], z = z + off[3]
            if s == SIMD4(1, 1, 1, 1) {
                unitRow(n, o, x, y, z, op)
            } else {
                for i in 0..<n { o[i &* s[0]] = op(x[i &* s[1]], y[i &* s[2]], z[i &* s[3]]) }
            }
        }
    }
}

extension Tensor {
    /// A new tensor `op(a)` (no autograd).
    ///
    /// ```swift
    /// let y = try Tensor.ewMap(x, EW.Mul().withRight(2))   // x * 2
    /// ```
    static func ewMap<Op: UnaryKernel>(_ a: Tensor, _ op: Op) throws -> Tensor {
        let out = try Tensor(uninitializedShape: a.shape)
        EW.map1(a.shape, out.denseOperand, try a.operand(a.shape, op: ""), op)
        return out
    }

    /// A new tensor `op(a)` with `a` broadcast to `shape` (no autograd).
    static func ewMap<Op: UnaryKernel>(_ a: Tensor, to shape: [Int], _ op: Op) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        EW.map1(shape, out.denseOperand, try a.operand(shape, op: "expand"), op)
        return out
    }

    /// A new tensor `op(a, b)` over the broadcast shape (no autograd); `name` is the op named in
    /// shape errors.
    static func ewMap<Op: BinaryKernel>(_ a: Tensor, _ b: Tensor, op name: String, _ op: Op) throws -> Tensor {
        let shape = try broadcastShapes(a.shape, b.shape, op: name)
        let out = try Tensor(uninitializedShape: shape)
        EW.map2(shape, out.denseOperand, try a.operand(shape, op: name), try b.operand(shape, op: name), op)
        return out
    }

    /// A new tensor `op(a, b, c)` over the broadcast shape (no autograd).
    static func ewMap<Op: TernaryKernel>(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, op name: String, _ op: Op
    ) throws -> Tensor {
        let shape = try broadcastShapes(broadcastShapes(a.shape, b.shape, op: name), c.shape, op: name)
        let out = try Tensor(uninitializedShape: shape)
        EW.map3(
            shape, out.denseOperand, try a.operand(shape, op: name), try b.operand(shape, op: name),
            try c.operand(shape, op: name), op)
        return out
    }
}
