/// Dimension bookkeeping shared by the reductions: which dims, the result's shape, the lanes,
/// and how a result's gradient lines up with the input again.
extension Tensor {
    /// Sorted, distinct, 0-based dims (all dims when `dims` is empty, as PyTorch's `dim=[]`).
    /// A 0-d tensor accepts 0 and -1 and has nothing to reduce.
    func reductionDims(_ dims: [Int], op: String) throws -> [Int] {
        if dims.isEmpty { return Array(0..<dim) }
        var out = [Int]()
        for d in dims {
            let n = try Tensor.normalizeDim(d, rank: dim, op: op)
            guard !out.contains(n) else { throw TensorError("\(op): dim \(d) appears more than once in \(dims)") }
            out.append(n)
        }
        return dim == 0 ? [] : out.sorted()
    }

    /// The single dim of a reduction, or none for a 0-d tensor.
    func reductionDim(_ d: Int, op: String) throws -> [Int] {
        try reductionDims([d], op: op)
    }

    /// `shape` after reducing `dims`: 1 there with keepdim, removed otherwise.
    func reducedShape(_ dims: [Int], keepdim: Bool) -> [Int] {
        var out = [Int]()
        for (d, n) in shape.enumerated() {
            if !dims.contains(d) { out.append(n) } else if keepdim { out.append(1) }
        }
        return out
    }

    /// The lanes of a reduction over `dims`, which must be adjacent (none: all of a 0-d tensor).
    func lanes(_ dims: [Int]) -> Lanes {
        guard let first = dims.first, let last = dims.last else { return Lanes(outer: 1, length: count, inner: 1) }
        return Lanes(shape, first: first, last: last)
    }

    /// A reduction's result (or gradient) viewed with the reduced dims kept as size 1, so that it
    /// broadcasts against the input.
    func keptDims(_ dims: [Int], keepdim: Bool, rank: Int) -> Tensor {
        keepdim ? self : insertingUnitDims(dims, rank: rank)
    }

    /// A fresh contiguous result given the shape it should have (same element order).
    static func reshaped(_ t: Tensor, _ shape: [Int]) -> Tensor {
        Tensor(storage: t.storage, shape: shape, strides: rowMajorStrides(shape), offset: t.offset)
    }

    /// `dims` (sorted) split into runs of adjacent dims.
    static func adjacentBlocks(_ dims: [Int]) -> [ClosedRange<Int>] {
        var out = [ClosedRange<Int>]()
        for d in dims {
            if let last = out.last, last.upperBound + 1 == d {
                out[out.count - 1] = last.lowerBound...d
            } else {
                out.append(d...d)
            }
        }
        return out
    }
}
