/// `einsum`: Einstein summation over any number of operands, with `...` for broadcast dims,
/// repeated subscripts (diagonals), implicit output (`"ij,jk"`), and size-1 broadcasting.
///
/// Lowering: repeated subscripts in one operand become `diagonal`s; subscripts that appear in
/// a single operand and not in the output are summed at once; then operands are contracted left
/// to right, each pair as one batched GEMM (`bmm`) after a permute/reshape into
/// [batch, free-left, contracted] · [batch, contracted, free-right]. Every step is a recorded
/// op, so gradients (and their gradients) come from those ops.
extension Tensor {
    /// ```swift
    /// let scores = try Tensor.einsum("bhqd,bhkd->bhqk", [q, k])   // attention logits
    /// let tr = try Tensor.einsum("ii", [m])                        // trace
    /// ```
    public static func einsum(_ equation: String, _ operands: [Tensor]) throws -> Tensor {
        let spec = try EinsumSpec(equation, operands.map(\.shape))
        var terms: [(Tensor, [Int])] = []
        for (x, labels) in zip(operands, spec.inputs) {
            var t = x, ls = labels
            // Repeated subscripts within one operand: take the diagonal (appended last).
            while let (i, j) = firstRepeat(ls) {
                t = try t.diagonal(offset: 0, dim1: i, dim2: j)
                let label = ls[i]
                ls.remove(at: j); ls.remove(at: i)
                ls.append(label)
            }
            terms.append((t, ls))
        }
        // Labels used by each operand, to know what later steps still need.
        func needed(after k: Int) -> Set<Int> {
            var s = Set(spec.output)
            for m in (k + 1)..<terms.count { s.formUnion(terms[m].1) }
            return s
        }
        // Sum out what only one operand uses and the output does not keep.
        for k in 0..<terms.count {
            var others = Set(spec.output)
            for m in 0..<terms.count where m != k { others.formUnion(terms[m].1) }
            terms[k] = try sumOut(terms[k], keeping: others)
        }
        var (acc, labels) = terms[0]
        for k in 1..<terms.count {
            let later = needed(after: k)
            let (b, bLabels) = terms[k]
            (acc, labels) = try contract((acc, labels), (b, bLabels), later: later)
        }
        (acc, labels) = try sumOut((acc, labels), keeping: Set(spec.output))
        // Output dims of size-1 broadcast that no operand made larger are already right; order them.
        let order = try spec.output.map { l -> Int in
            guard let i = labels.firstIndex(of: l) else {
                throw TensorError("einsum: internal error: output subscript lost in '\(equation)'")
            }
            return i
        }
        if order == Array(0..<order.count) { return acc }
        return try acc.permute(order)
    }

    private static func firstRepeat(_ ls: [Int]) -> (Int, Int)? {
        for i in 0..<ls.count { for j in (i + 1)..<Swift.max(ls.count, i + 1) where ls[i] == ls[j] { return (i, j) } }
        return nil
    }

    /// Sums the dims whose labels are not in `keeping`.
    private static func sumOut(_ term: (Tensor, [Int]), keeping: Set<Int>) throws -> (Tensor, [Int]) {
        let (t, ls) = term
        let drop = ls.indices.filter { !keeping.contains(ls[$0]) }
        if drop.isEmpty { return term }
        let rest = ls.indices.filter { keeping.contains(ls[$0]) }.map { ls[$0] }
        return (try t.sum(dims: drop, keepdim: false), rest)
    }

    /// One pairwise contraction as a batched GEMM.
    private static func contract(_ a: (Tensor, [Int]), _ b: (Tensor, [Int]), later: Set<Int>) throws -> (Tensor, [Int]) {
        var (x, xl) = a, (y, yl) = b
        // Labels only one side has and nothing later needs are summed first.
        (x, xl) = try sumOut((x, xl), keeping: later.union(yl))
        (y, yl) = try sumOut((y, yl), keeping: later.union(xl))
        let shared = xl.filter { yl.contains($0) }
        let batch = shared.filter { later.contains($0) }
        let summed = shared.filter { !later.contains($0) }
        let xFree = xl.filter { !yl.contains($0) }, yFree = yl.filter { !xl.contains($0) }
        // Size-1 broadcasting of shared labels: expand both sides to the common sizes.
        var xs = x.shape, ys = y.shape
        for l in shared {
            let i = xl.firstIndex(of: l)!, j = yl.firstIndex(of: l)!
            let n = Swift.max(xs[i], ys[j])
            if xs[i] == 1 { xs[i] = n } else if ys[j] == 1 { ys[j] = n }
        }
        if xs != x.shape { x = try x.expand(xs) }
        if ys != y.shape { y = try y.expand(ys) }
        func size(_ ls: [Int], _ labels: [Int], _ s: [Int]) -> [Int] { ls.map { s[labels.firstIndex(of: $0)!] } }
        let bs = size(batch, xl, xs), ms = size(xFree, xl, xs), ks = size(summed, xl, xs), ns = size(yFree, yl, ys)
        let B = bs.reduce(1, *), M = ms.reduce(1, *), K = ks.reduce(1, *), N = ns.reduce(1, *)
        let xp = try x.permute((batch + xFree + summed).map { xl.firstIndex(of: $0)! }).reshape([B, M, K])
        let yp = try y.permute((batch + summed + yFree).map { yl.firstIndex(of: $0)! }).reshape([B, K, N])
        let out = try bmm(xp, yp).reshape(bs + ms + ns)
        return (out, batch + xFree + yFree)
    }
}

/// A parsed einsum equation: one label list per operand (letters by ASCII code, broadcast dims
/// of `...` as 1000 + position, right-aligned) and the output's labels.
struct EinsumSpec {
    var inputs: [[Int]] = []
    var output: [Int] = []

    init(_ equation: String, _ shapes: [[Int]]) throws {
        let eq = equation.filter { $0 != " " }
        let sides = eq.splitting(on: "->")
        guard sides.count <= 2 else { throw TensorError("einsum: '->' appears more than once in '\(equation)'") }
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !shapes.isEmpty else { throw TensorError("einsum: expected at least one operand") }
        guard terms.count == shapes.count else {
            throw TensorError("einsum: '\(equation)' has subscripts for \(terms.count) operand\(terms.count == 1 ? "" : "s"), got \(shapes.count) tensor\(shapes.count == 1 ? "" : "s")")
        }
        // Letters and where '...' stands, per term.
        func parse(_ term: String, _ what: String) throws -> (letters: [Int], ellipsisAt: Int?) {
            var letters: [Int] = [], at: Int? = nil
            var rest = Substring(term)
            while let c = rest.first {
                if rest.hasPrefix("...") {
                    guard at == nil else { throw TensorError("einsum: '...' appears more than once in \(what) '\(term)'") }
                    at = letters.count
                    rest = rest.dropFirst(3)
                    continue
                }
                guard let v = c.asciiValue, c.isLetter else {
                    throw TensorError("einsum: invalid subscript '\(c)' in \(what) '\(term)' of '\(equation)' (expected letters a-z, A-Z and '...')")
                }
                letters.append(Int(v))
                rest = rest.dropFirst()
            }
            return (letters, at)
        }
        var parsed: [([Int], Int?)] = []
        var ellipsisRank = 0
        for (k, (term, shape)) in zip(terms, shapes).enumerated() {
            let (letters, at) = try parse(term, "operand \(k + 1)")
            if at == nil {
                guard letters.count == shape.count else {
                    throw TensorError("einsum: operand \(k + 1) has \(shape.count) dim\(shape.count == 1 ? "" : "s") (shape \(describe(shape: shape))) but subscripts '\(term)' name \(letters.count)")
                }
            } else {
                guard letters.count <= shape.count else {
                    throw TensorError("einsum: operand \(k + 1) has \(shape.count) dim\(shape.count == 1 ? "" : "s") (shape \(describe(shape: shape))) but subscripts '\(term)' name at least \(letters.count)")
                }
                ellipsisRank = Swift.max(ellipsisRank, shape.count - letters.count)
            }
            parsed.append((letters, at))
        }
        let ellipsisLabels = (0..<ellipsisRank).map { 1000 + $0 }
        for ((letters, at), shape) in zip(parsed, shapes) {
            guard let at else { inputs.append(letters); continue }
            let e = shape.count - letters.count
            inputs.append(Array(letters[..<at]) + ellipsisLabels.suffix(e) + Array(letters[at...]))
        }
        // Sizes agree or are 1 (broadcast).
        var sizes: [Int: (Int, Int)] = [:]
        for (k, (ls, shape)) in zip(inputs, shapes).enumerated() {
            for (l, n) in zip(ls, shape) {
                if let (m, where_) = sizes[l], m != n, m != 1, n != 1 {
                    let name = l >= 1000 ? "the '...' dim \(l - 999)" : "subscript '\(Character(UnicodeScalar(UInt8(l))))'"
                    throw TensorError("einsum: \(name) has size \(m) in operand \(where_ + 1) but \(n) in operand \(k + 1)")
                }
                if sizes[l] == nil || sizes[l]!.0 == 1 { sizes[l] = (n, k) }
            }
        }
        if sides.count == 2 {
            let (letters, at) = try parse(sides[1], "the output")
            var seen = Set<Int>()
            for l in letters {
                guard seen.insert(l).inserted else {
                    throw TensorError("einsum: output subscript '\(Character(UnicodeScalar(UInt8(l))))' appears more than once in '\(equation)'")
                }
                guard sizes[l] != nil else {
                    throw TensorError("einsum: output subscript '\(Character(UnicodeScalar(UInt8(l))))' does not appear in the inputs of '\(equation)'")
                }
            }
            if let at { output = Array(letters[..<at]) + ellipsisLabels + Array(letters[at...]) } else { output = letters }
        } else {
            // Implicit output: broadcast dims, then the letters used once, in alphabetical order.
            var uses: [Int: Int] = [:]
            for ls in inputs { for l in ls where l < 1000 { uses[l, default: 0] += 1 } }
            output = ellipsisLabels + uses.filter { $0.value == 1 }.map(\.key).sorted()
        }
    }
}

private extension String {
    /// Splits on a separator string, keeping empty pieces (Foundation-free).
    func splitting(on sep: String) -> [String] {
        var out: [String] = [], rest = Substring(self)
        while let r = rest.firstRange(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}
