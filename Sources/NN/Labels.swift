import Tensors

/// Exact conversion of a label/index value to an Int, or nil when it is not an integer.
@inline(__always)
func integral(_ v: Float) -> Int? {
    guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else { return nil }
    return Int(v)
}

/// Formats a label value for an error message: integers without a decimal point.
func describe(label v: Float) -> String {
    if let i = integral(v) { return String(i) }
    return String(v)
}

/// Converts a tensor of 1-based integer labels/indices (any shape, read in row-major order) to
/// 0-based rows, checking each is an integer in `1...count`; a value equal to `ignore` becomes −1.
/// Errors name the value and its 1-based position, e.g.
/// `cross_entropy: label 12 out of range 1..10 at position 3`.
func rowIndices(_ op: String, _ t: Tensor, count: Int, what: String, ignore: Int? = nil) throws -> [Int] {
    // An expanded label tensor can have 2^40 elements: check before sizing the array.
    try TensorMemory.checkScratch(count: t.count, bytesPerElement: MemoryLayout<Int>.stride, op: op)
    var rows = [Int]()
    rows.reserveCapacity(t.count)
    var position = 0
    var bad: Float? = nil
    let base = t.storage.base
    t.forEachOffset { o in
        if bad != nil { return }
        position += 1
        let value = base[o]
        let i = integral(value)
        if let ignore, i == ignore { rows.append(-1); return }
        guard let i, i >= 1, i <= count else { bad = value; return }
        rows.append(i - 1)
    }
    if let bad {
        if integral(bad) == nil {
            throw TensorError("\(op): \(what) \(describe(label: bad)) at position \(position) is not an integer")
        }
        throw TensorError("\(op): \(what) \(describe(label: bad)) out of range 1..\(count) at position \(position)")
    }
    return rows
}
