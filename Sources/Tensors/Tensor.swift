/// An n-dimensional float32 array: a view (shape, strides, offset) onto a shared `Storage`.
///
/// Views (`select`, `narrow`, `transpose`, `view`, ...) share storage with their base; ops return
/// new contiguous tensors; methods ending in `_` write in place. Autograd state (`requiresGrad`,
/// `grad`, `gradFn`) lives here so that every op can record its backward.
///
/// ```swift
/// let a = try Tensor.zeros([2, 3])
/// let b = try a.add(Tensor.ones([3]))   // broadcasts
/// ```
public final class Tensor {
    /// A `var` only so that `isSoleOwner` can ask whether it is uniquely referenced; never reassigned.
    public internal(set) var storage: Storage
    public let shape: [Int]
    public let strides: [Int]
    public let offset: Int
    /// Number of elements (the product of `shape`).
    public let count: Int
    /// True when the elements are laid out densely in row-major order from `offset`.
    public let isContiguous: Bool

    /// Whether operations on this tensor are recorded for backward.
    public var requiresGrad = false
    /// The accumulated gradient, nil until a backward reaches this tensor.
    public var grad: Tensor?
    /// The node that produced this tensor, nil for leaves.
    public var gradFn: GradNode?
    /// Gradient hooks of a leaf (`registerHook`; a non-leaf's hooks live on its `gradFn`).
    public var hooks: [GradHook] = []

    /// A view onto `storage`; the caller guarantees that every index stays inside the storage.
    public init(storage: Storage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.count = shape.reduce(1, *)
        self.isContiguous = Tensor.isRowMajor(shape: shape, strides: strides)
    }

    /// A new contiguous tensor with uninitialised contents.
    public convenience init(uninitializedShape shape: [Int]) throws {
        try Tensor.validate(shape: shape)
        let n = shape.reduce(1, *)
        self.init(storage: try Storage(count: n), shape: shape, strides: Tensor.rowMajorStrides(shape), offset: 0)
    }

    public var dim: Int { shape.count }
    public var isLeaf: Bool { gradFn == nil }

    /// Pointer to the first element of this view.
    @inlinable public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }

    /// The most dimensions a new tensor may have (NumPy's limit). Code that walks a tensor's
    /// dimensions recursively (printing, `totable`) relies on it: 100,000 nested levels would
    /// overflow the C stack. Views can still add dimensions (`unsqueeze`); such walkers check
    /// `dim <= maxRank` themselves.
    public static let maxRank = 64

    /// Checks that a shape is non-negative and neither its element count nor its row-major
    /// strides overflow (strides skip zero sizes, so `[0, 2^40, 2^40]` must be refused too), and
    /// that it has at most `maxRank` dimensions.
    public static func validate(shape: [Int]) throws {
        guard shape.count <= maxRank else {
            throw TensorError("a tensor has at most \(maxRank) dimensions, got \(shape.count)")
        }
        var n = 1, span = 1
        for d in shape {
            guard d >= 0 else { throw TensorError("sizes must be non-negative, got \(describe(shape: shape))") }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            let (q, o2) = span.multipliedReportingOverflow(by: max(d, 1))
            guard !o, !o2 else { throw TensorError("shape \(describe(shape: shape)) has too many elements") }
            n = p
            span = q
        }
    }

    public static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= max(shape[i], 1)
        }
        return strides
    }

    static func isRowMajor(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Storage offsets of every element in row-major order, passed to `body` in order.
    /// The general (non-contiguous) path for kernels; contiguous tensors use `pointer` directly.
    @inlinable
    public func forEachOffset(_ body: (Int) -> Void) {
        let n = count
        if n == 0 { return }
        let d = shape.count
        if d == 0 { body(offset); return }
        var index = [Int](repeating: 0, count: d)
        var off = offset
        let lastSize = shape[d - 1], lastStride = strides[d - 1]
        var done = 0
        while done < n {
            var o = off
            for _ in 0..<lastSize { body(o); o += lastStride }
            done += lastSize
            // advance the outer dimensions like an odometer
            var k = d - 2
            while k >= 0 {
                index[k] += 1
                off += strides[k]
                if index[k] < shape[k] { break }
                off -= strides[k] * shape[k]
                index[k] = 0
                k -= 1
            }
            if k < 0 { break }
        }
    }

    /// A contiguous tensor with the same values: `self` when already contiguous, else a copy.
    /// (No autograd: the autograd-aware version is `contiguous()` in the ops.)
    public func contiguousData() throws -> Tensor {
        if isContiguous { return self }
        let out = try Tensor(uninitializedShape: shape)
        var p = out.pointer
        let src = storage.base
        forEachOffset { o in p.pointee = src[o]; p += 1 }
        return out
    }

    /// The values in row-major order.
    public func toArray() -> [Float] {
        var out = [Float]()
        out.reserveCapacity(count)
        let src = storage.base
        forEachOffset { out.append(src[$0]) }
        return out
    }

    /// A new tensor holding `values` with `shape`.
    public convenience init(_ values: [Float], shape: [Int]) throws {
        try Tensor.validate(shape: shape)
        guard values.count == shape.reduce(1, *) else {
            throw TensorError("\(values.count) values do not fill shape \(describe(shape: shape))")
        }
        try self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }
}
