/// NumPy broadcasting: shape arithmetic, broadcast strides, and `sumTo`, which every broadcasting
/// backward uses to fold a gradient back onto its input's shape.
extension Tensor {
    /// The shape two shapes broadcast to (NumPy rules: align on the right, sizes equal or 1).
    ///
    /// ```swift
    /// try Tensor.broadcastShapes([3, 1], [4])   // [3, 4]
    /// try Tensor.broadcastShapes([3, 4], [5])   // throws "shapes [3, 4] and [5] cannot be broadcast"
    /// ```
    public static func broadcastShapes(_ a: [Int], _ b: [Int]) throws -> [Int] {
        if a == b { return a }
        let n = Swift.max(a.count, b.count)
        let padA = n - a.count, padB = n - b.count
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let x = i < padA ? 1 : a[i - padA], y = i < padB ? 1 : b[i - padB]
            if x == y || y == 1 {
                out[i] = x
            } else if x == 1 {
                out[i] = y
            } else {
                throw TensorError("shapes \(describe(shape: a)) and \(describe(shape: b)) cannot be broadcast")
            }
        }
        return out
    }

    /// `broadcastShapes` with the op's name in front of the error, as scripts see it.
    static func broadcastShapes(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        do { return try broadcastShapes(a, b) } catch let e as TensorError { throw TensorError("\(op): \(e.message)") }
    }

    /// Strides that read `self` as if it were expanded to `shape` (0 on broadcast dimensions).
    /// `shape` must be a broadcast of `self.shape` (the callers computed it with `broadcastShapes`).
    func broadcastStrides(to shape: [Int], op: String) throws -> [Int] {
        let pad = shape.count - self.shape.count
        guard pad >= 0 else {
            throw TensorError("\(op): shape \(describe(shape: self.shape)) cannot be broadcast to \(describe(shape: shape))")
        }
        var out = [Int](repeating: 0, count: shape.count)
        for i in 0..<self.shape.count {
            let have = self.shape[i], want = shape[i + pad]
            if have == want {
                out[i + pad] = have == 1 ? 0 : strides[i]
            } else if have != 1 {
                throw TensorError("\(op): shape \(describe(shape: self.shape)) cannot be broadcast to \(describe(shape: shape))")
            }
        }
        return out
    }

    /// The kernel operand that reads `self` broadcast to `shape`.
    func operand(_ shape: [Int], op: String) throws -> Operand {
        if self.shape == shape {
            return Operand(base: pointer, strides: strides, dense: isContiguous, scalar: count == 1)
        }
        let s = try broadcastStrides(to: shape, op: op)
        return Operand(base: pointer, strides: s, dense: false, scalar: s.allSatisfy { $0 == 0 })
    }

    /// Sums a gradient of a broadcast shape back onto `shape` (the shape of an op's input):
    /// leading dimensions are summed away and dimensions where `shape` has 1 are summed with
    /// keepdim. Returns `self` when the shapes already match. Differentiable.
    ///
    /// ```swift
    /// let g = try Tensor.ones([4, 3])
    /// try g.sumTo(shape: [3]).toArray()      // [4, 4, 4]
    /// try g.sumTo(shape: [4, 1]).toArray()   // [3, 3, 3, 3]
    /// ```
    public func sumTo(shape target: [Int]) throws -> Tensor {
        if target == shape { return self }
        let lead = shape.count - target.count
        guard lead >= 0, try Tensor.broadcastShapes(target, shape, op: "sumTo") == shape else {
            throw TensorError("sumTo: shape \(describe(shape: shape)) cannot be summed to \(describe(shape: target))")
        }
        var dims = Array(0..<lead)
        for i in 0..<target.count where target[i] == 1 && shape[i + lead] != 1 { dims.append(i + lead) }
        let summed = try GradMode.withoutGrad { try sum(dims: dims, keepdim: true) }
        // Same elements in the same order: only the leading unit dims go away.
        let out = Tensor(storage: summed.storage, shape: target, strides: Tensor.rowMajorStrides(target), offset: summed.offset)
        let inShape = shape
        return Tensor.record("sumTo", out, [self]) { g in
            if GradMode.isEnabled { return [try g.expand(inShape)] }
            return [try GradMode.withoutGrad { try g.broadcastCopy(to: inShape) }]
        }
    }

    /// A new contiguous tensor holding `self` broadcast to `shape` (no autograd).
    func broadcastCopy(to shape: [Int]) throws -> Tensor {
        try Tensor.ewMap(self, to: shape, EW.Identity())
    }

    /// `self` viewed with size-1 dimensions inserted at the (sorted, 0-based) positions `dims` of
    /// the result: how a keepdim=false reduction's gradient lines up with the reduced input.
    func insertingUnitDims(_ dims: [Int], rank: Int) -> Tensor {
        if dims.isEmpty || shape.count == rank { return self }
        var newShape = [Int](), newStrides = [Int]()
        var src = 0
        for d in 0..<rank {
            if dims.contains(d) {
                newShape.append(1); newStrides.append(0)
            } else {
                newShape.append(shape[src]); newStrides.append(strides[src]); src += 1
            }
        }
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }
}
