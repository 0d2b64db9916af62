import Tensors

/// How a loss combines its per-element values: PyTorch's `reduction` argument.
enum Reduction {
    case mean, sum, none

    /// Parses `"mean" | "sum" | "none"`; any other value is an error naming it.
    init(_ name: String, op: String) throws {
        switch name {
        case "mean": self = .mean
        case "sum": self = .sum
        case "none": self = .none
        default: throw TensorError("\(op): reduction must be \"mean\", \"sum\" or \"none\", got \"\(name)\"")
        }
    }
}

/// Reduces dense per-element losses `values` (shape `shape`): the tensor itself for `.none`,
/// else a 0-d tensor holding the sum, divided by `denominator` for `.mean`.
func reduceLoss(_ values: Tensor, _ reduction: Reduction, denominator: Double) throws -> Tensor {
    if reduction == .none { return values }
    let p = values.pointer
    let total = Parallel.sumChunks(count: values.count) { r in
        var s: Double = 0
        for i in r { s += Double(p[i]) }
        return s
    }
    return try scalarTensor(Float(reduction == .mean ? total / denominator : total))
}

/// The factor each element's gradient gets from the upstream gradient `g` of a reduced loss:
/// `g` itself for `.none` (per element, dense), else the scalar `g/denominator` (mean) or `g`.
struct UpstreamGrad {
    let perElement: UnsafePointer<Float>?
    let scalar: Float
    let keep: Tensor

    init(_ g: Tensor, _ reduction: Reduction, denominator: Double) throws {
        let gd = try dense(g)
        keep = gd
        if reduction == .none {
            perElement = UnsafePointer(gd.pointer)
            scalar = 0
        } else {
            perElement = nil
            let v = Double(gd.pointer.pointee)
            scalar = Float(reduction == .mean ? v / denominator : v)
        }
    }

    @inline(__always) subscript(i: Int) -> Float { perElement?[i] ?? scalar }
}
