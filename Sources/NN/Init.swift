import Tensors

/// Parameter initialisation with PyTorch's rules (`torch.nn.init`): in place, no autograd, every
/// random draw from a `Generator` so a seed reproduces the weights.
///
/// ```swift
/// try Init.kaimingUniform_(w, a: 5.0.squareRoot(), generator: gen)
/// try Init.defaultLinear_(weight: w, bias: b, generator: gen)   // what nn.Linear does
/// ```
public enum Init {
    /// `(fan_in, fan_out)` of a weight: `size(1)·receptive` and `size(0)·receptive`, where
    /// `receptive` is the product of the dimensions after the second.
    public static func fans(_ t: Tensor) throws -> (fanIn: Int, fanOut: Int) {
        guard t.dim >= 2 else {
            throw TensorError("init: fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions, got shape \(describe(shape: t.shape))")
        }
        let receptive = t.shape.dropFirst(2).reduce(1, *)
        return (t.shape[1] * receptive, t.shape[0] * receptive)
    }

    /// The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for
    /// relu, √(2/(1 + a²)) for leaky_relu (slope `param`, default 0.01), 3/4 for selu.
    public static func gain(_ nonlinearity: String, param: Double? = nil) throws -> Double {
        switch nonlinearity {
        case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "sigmoid":
            return 1
        case "tanh": return 5.0 / 3
        case "relu": return 2.0.squareRoot()
        case "leaky_relu":
            let a = param ?? 0.01
            return (2 / (1 + a * a)).squareRoot()
        case "selu": return 0.75
        default:
            throw TensorError("init: unsupported nonlinearity \"\(nonlinearity)\" (expected linear, conv2d, sigmoid, tanh, relu, leaky_relu or selu)")
        }
    }

    /// Fills `t` with U(from, to).
    @discardableResult
    public static func uniform_(_ t: Tensor, from: Double = 0, to: Double = 1, generator: Generator = .shared) throws -> Tensor {
        guard from <= to else { throw TensorError("uniform_: expected from <= to, got \(from) and \(to)") }
        return try fill(t) { generator.fillUniform($0, count: $1, from: Float(from), to: Float(to)) }
    }

    /// Fills `t` with N(mean, std²).
    @discardableResult
    public static func normal_(_ t: Tensor, mean: Double = 0, std: Double = 1, generator: Generator = .shared) throws -> Tensor {
        guard std >= 0 else { throw TensorError("normal_: expected std >= 0, got \(std)") }
        return try fill(t) { generator.fillNormal($0, count: $1, mean: Float(mean), std: Float(std)) }
    }

    /// Fills `t` with `value`.
    @discardableResult
    public static func constant_(_ t: Tensor, _ value: Double) throws -> Tensor {
        try fill(t) { $0.initialize(repeating: Float(value), count: $1) }
    }

    /// Fills `t` with zeros.
    @discardableResult
    public static func zeros_(_ t: Tensor) throws -> Tensor { try constant_(t, 0) }

    /// Fills `t` with ones.
    @discardableResult
    public static func ones_(_ t: Tensor) throws -> Tensor { try constant_(t, 1) }

    /// Glorot uniform: U(−b, b) with `b = gain·√(6/(fan_in + fan_out))`.
    @discardableResult
    public static func xavierUniform_(_ t: Tensor, gain: Double = 1, generator: Generator = .shared) throws -> Tensor {
        let (fi, fo) = try fans(t)
        let bound = gain * (6 / Double(max(fi + fo, 1))).squareRoot()
        return try uniform_(t, from: -bound, to: bound, generator: generator)
    }

    /// Glorot normal: N(0, std²) with `std = gain·√(2/(fan_in + fan_out))`.
    @discardableResult
    public static func xavierNormal_(_ t: Tensor, gain: Double = 1, generator: Generator = .shared) throws -> Tensor {
        let (fi, fo) = try fans(t)
        return try normal_(t, std: gain * (2 / Double(max(fi + fo, 1))).squareRoot(), generator: generator)
    }

    /// He uniform: U(−b, b) with `b = √3·gain(nonlinearity, a)/√fan`, `fan` chosen by `mode`
    /// (`"fan_in"` or `"fan_out"`).
    @discardableResult
    public static func kaimingUniform_(
        _ t: Tensor, a: Double = 0, mode: String = "fan_in", nonlinearity: String = "leaky_relu",
        generator: Generator = .shared
    ) throws -> Tensor {
        let std = try kaimingStd(t, a: a, mode: mode, nonlinearity: nonlinearity)
        return try uniform_(t, from: -3.0.squareRoot() * std, to: 3.0.squareRoot() * std, generator: generator)
    }

    /// He normal: N(0, std²) with `std = gain(nonlinearity, a)/√fan`.
    @discardableResult
    public static func kaimingNormal_(
        _ t: Tensor, a: Double = 0, mode: String = "fan_in", nonlinearity: String = "leaky_relu",
        generator: Generator = .shared
    ) throws -> Tensor {
        let std = try kaimingStd(t, a: a, mode: mode, nonlinearity: nonlinearity)
        return try normal_(t, std: std, generator: generator)
    }

    /// PyTorch's default initialisation of `nn.Linear` and `nn.Conv2d` (`reset_parameters`):
    /// weight kaiming-uniform with `a = √5` (that is U(±1/√fan_in)), bias U(±1/√fan_in).
    public static func defaultLinear_(weight: Tensor, bias: Tensor?, generator: Generator = .shared) throws {
        try kaimingUniform_(weight, a: 5.0.squareRoot(), generator: generator)
        if let bias {
            let fanIn = try fans(weight).fanIn
            let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
            try uniform_(bias, from: -bound, to: bound, generator: generator)
        }
    }

    /// Same rule as `defaultLinear_` (PyTorch uses one for both); named for the call site.
    public static func defaultConv2d_(weight: Tensor, bias: Tensor?, generator: Generator = .shared) throws {
        try defaultLinear_(weight: weight, bias: bias, generator: generator)
    }

    static func kaimingStd(_ t: Tensor, a: Double, mode: String, nonlinearity: String) throws -> Double {
        let (fi, fo) = try fans(t)
        let fan: Int
        switch mode {
        case "fan_in": fan = fi
        case "fan_out": fan = fo
        default: throw TensorError("init: mode must be \"fan_in\" or \"fan_out\", got \"\(mode)\"")
        }
        guard fan > 0 else { throw TensorError("init: cannot initialise a tensor with zero elements (shape \(describe(shape: t.shape)))") }
        return try gain(nonlinearity, param: a) / Double(fan).squareRoot()
    }

    /// Runs `body` on a dense buffer of `t.count` floats that ends up in `t` (any strides).
    static func fill(_ t: Tensor, _ body: (UnsafeMutablePointer<Float>, Int) -> Void) throws -> Tensor {
        try withDenseBuffer(t, write: true, body)
        return t
    }
}
