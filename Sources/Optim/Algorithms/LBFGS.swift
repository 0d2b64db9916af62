import Tensors

/// L-BFGS as PyTorch's `torch.optim.LBFGS` (after minFunc): one parameter group, a closure that
/// re-evaluates the loss and gradients, up to `max_iter` iterations per `step`, an optional
/// strong-Wolfe line search (`line_search_fn = "strong_wolfe"`; "none" or absent: fixed step
/// `lr`, the first iteration scaled by min(1, 1/‖g‖₁)).
///
/// Each iteration: the two-loop recursion over the last `history_size` pairs (s, y) (a pair is
/// kept only when yᵀs > 1e-10; H0 = yᵀs/yᵀy) gives the direction d; stop when
/// max|g| ≤ tolerance_grad, gᵀd > −tolerance_change, max|t·d| ≤ tolerance_change, the loss
/// changes by less than tolerance_change, or `max_eval` evaluations (default max_iter·5/4,
/// given as −1) are spent. State (kept on the first parameter, as PyTorch): the direction,
/// step, history, `func_evals` and `n_iter`.
///
/// Vectors are float32; scalars follow PyTorch's mix of Python floats and 0-d float32 tensors
/// (`PyNum`), so small problems take PyTorch's path (Rosenbrock: 40 iterations, as PyTorch).
///
/// ```swift
/// let opt = try Optimizer(LBFGS(), params: [x], options: ["line_search_fn": .string("strong_wolfe")])
/// let loss = try opt.step { x.grad = nil; return try evaluate(x) }
/// ```
public struct LBFGS: WholeStepAlgorithm {
    public let name = "LBFGS"
    public let spec = OptionTable(algorithm: "LBFGS", specs: [
        OptionSpec("lr", .number(1), check: OptionSpec.nonNegative),
        OptionSpec("max_iter", .number(20), check: OptionSpec.positiveCount),
        OptionSpec("max_eval", .number(-1), check: { v in
            if case .number(let x) = v, x == -1 || (x >= 1 && x == x.rounded() && x < 1e9) { return nil }
            return "a positive integer (or -1 for max_iter * 5 / 4)"
        }),
        OptionSpec("tolerance_grad", .number(1e-7), check: OptionSpec.nonNegative),
        OptionSpec("tolerance_change", .number(1e-9), check: OptionSpec.nonNegative),
        OptionSpec("history_size", .number(100), check: OptionSpec.positiveCount),
        OptionSpec("line_search_fn", .string("none"), check: OptionSpec.oneOf(["none", "strong_wolfe"])),
    ])

    /// The history buffers are flat vectors over all parameters.
    public var buffersMatchParamShape: Bool { false }

    public init() {}

    public func checkGroups(_ groups: [ParamGroupSpec]) throws {
        guard groups.count == 1 else {
            throw TensorError("LBFGS: supports one parameter group (no per-parameter options), got \(groups.count) groups")
        }
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        throw TensorError("LBFGS: step requires a closure that re-evaluates the model and returns the loss")
    }

    public func step(_ optimizer: Optimizer, closure: () throws -> Double) throws -> Double {
        guard let group = optimizer.groups.first, !group.params.isEmpty else {
            throw TensorError("LBFGS: no parameters")
        }
        let o = group.options
        let state: ParamState
        if let s = optimizer.states[0][0] { state = s } else { state = ParamState(); optimizer.states[0][0] = state }
        return try withoutActuallyEscaping(closure) { closure in
            var run = Run(params: group.params, closure: closure)
            try run.load(state)
            let loss = try run.step(
            lr: o.number("lr"), maxIter: o.integer("max_iter"),
            maxEval: o.number("max_eval") < 0 ? o.integer("max_iter") * 5 / 4 : o.integer("max_eval"),
            toleranceGrad: o.number("tolerance_grad"), toleranceChange: o.number("tolerance_change"),
                historySize: o.integer("history_size"), strongWolfe: o.string("line_search_fn") == "strong_wolfe")
            try run.save(state)
            return loss
        }
    }

    /// One `step`'s working data: flat copies of the parameters' gradients and the history.
    struct Run {
        let params: [Tensor]
        let closure: () throws -> Double
        let n: Int
        var funcEvals = 0, nIter = 0
        var d: [Float]? = nil
        var t = 0.0
        var oldDirs: [[Float]] = [], oldStps: [[Float]] = [], ro: [Float] = []
        var hDiag: Float = 1
        var prevFlatGrad: [Float]? = nil
        var prevLoss: Double? = nil

        init(params: [Tensor], closure: @escaping () throws -> Double) {
            self.params = params
            self.closure = closure
            n = params.reduce(0) { $0 + $1.count }
        }

        // MARK: state

        mutating func load(_ s: ParamState) throws {
            /// A saved counter: a non-negative integer below 2^52 (a state dict can hold anything).
            func count(_ key: String) throws -> Int {
                let x = s.scalars[key] ?? 0
                guard x >= 0, x < 4.5e15, x == x.rounded() else {
                    throw TensorError("LBFGS: state '\(key)' expected a non-negative integer, got \(x)")
                }
                return Int(x)
            }
            funcEvals = try count("func_evals")
            nIter = try count("n_iter")
            t = s.scalars["t"] ?? 0
            hDiag = Float(s.scalars["H_diag"] ?? 1)
            prevLoss = s.scalars["prev_loss"]
            func vector(_ key: String) throws -> [Float]? {
                guard let b = s.buffers[key] else { return nil }
                guard b.count == n else {
                    throw TensorError("LBFGS: state '\(key)' has \(b.count) elements, expected \(n) (the parameters' total size)")
                }
                let c = try b.contiguousData()
                return Array(UnsafeBufferPointer(start: c.pointer, count: n))
            }
            d = try vector("d")
            prevFlatGrad = try vector("prev_flat_grad")
            let history = try count("history")
            guard history <= max(1, s.buffers.count) else {
                throw TensorError("LBFGS: state 'history' is \(history), but the state holds \(s.buffers.count) vectors")
            }
            oldDirs = []; oldStps = []; ro = []
            for k in 0..<history {
                guard let y = try vector("old_dirs_\(k + 1)"), let st = try vector("old_stps_\(k + 1)"), let r = s.scalars["ro_\(k + 1)"] else {
                    throw TensorError("LBFGS: state is missing history entry \(k + 1) of \(history)")
                }
                oldDirs.append(y); oldStps.append(st); ro.append(Float(r))
            }
        }

        func save(_ s: ParamState) throws {
            func tensor(_ v: [Float]) throws -> Tensor { try Tensor(v, shape: [v.count]) }
            var buffers: [String: Tensor] = [:]
            var scalars: [String: Double] = ["func_evals": Double(funcEvals), "n_iter": Double(nIter), "t": t,
                                             "H_diag": Double(hDiag), "history": Double(oldDirs.count)]
            if let prevLoss { scalars["prev_loss"] = prevLoss }
            if let d { buffers["d"] = try tensor(d) }
            if let prevFlatGrad { buffers["prev_flat_grad"] = try tensor(prevFlatGrad) }
            for k in 0..<oldDirs.count {
                buffers["old_dirs_\(k + 1)"] = try tensor(oldDirs[k])
                buffers["old_stps_\(k + 1)"] = try tensor(oldStps[k])
                scalars["ro_\(k + 1)"] = Double(ro[k])
            }
            s.buffers = buffers
            s.scalars = scalars
            s.step = nIter
        }

        // MARK: flat vectors

        func gatherFlatGrad() throws -> [Float] {
            var out = [Float](repeating: 0, count: n)
            var offset = 0
            for p in params {
                if let g = p.grad {
                    guard g.shape == p.shape else {
                        throw TensorError("LBFGS: gradient has shape \(describe(shape: g.shape)), expected \(describe(shape: p.shape))")
                    }
                    let c = try g.contiguousData()
                    for i in 0..<p.count { out[offset + i] = c.pointer[i] }
                }
                offset += p.count
            }
            return out
        }

        /// θ ← θ + t·v (as PyTorch's `p.add_(v, alpha=t)`: t rounded to float32, one fused
        /// multiply-add per element as ATen's CPU `add` with alpha computes it).
        func addGrad(_ t: Double, _ v: [Float]) {
            let tf = Float(t)
            var offset = 0
            for p in params {
                let pp = p.pointer
                for i in 0..<p.count { pp[i] = pp[i].addingProduct(tf, v[offset + i]) }
                offset += p.count
            }
        }

        func cloneParams() -> [[Float]] { params.map { Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count)) } }

        func setParams(_ values: [[Float]]) {
            for (p, v) in zip(params, values) { v.withUnsafeBufferPointer { p.pointer.update(from: $0.baseAddress!, count: v.count) } }
        }

        func evaluate() throws -> Double { try closure() }

        func directionalEvaluate(_ x: [[Float]], _ t: Double, _ d: [Float]) throws -> (Double, [Float]) {
            addGrad(t, d)
            let loss = try evaluate()
            let g = try gatherFlatGrad()
            setParams(x)
            return (loss, g)
        }

        // MARK: the step

        mutating func step(lr: Double, maxIter: Int, maxEval: Int, toleranceGrad: Double, toleranceChange: Double,
                           historySize: Int, strongWolfe: Bool) throws -> Double {
            let origLoss = try evaluate()
            var loss = origLoss
            var currentEvals = 1
            funcEvals += 1
            var flatGrad = try gatherFlatGrad()
            let tolGrad = Float(toleranceGrad), tolChange = Float(toleranceChange)
            if absMax(flatGrad) <= tolGrad { return origLoss }
            var iter = 0
            while iter < maxIter {
                iter += 1
                nIter += 1
                var dir: [Float]
                if nIter == 1 {
                    dir = flatGrad.map { -$0 }
                    oldDirs = []; oldStps = []; ro = []
                    hDiag = 1
                } else {
                    let prev = prevFlatGrad ?? flatGrad
                    let lastD = d ?? flatGrad.map { -$0 }
                    let tf = Float(t)
                    var y = [Float](repeating: 0, count: n), s = [Float](repeating: 0, count: n)
                    for i in 0..<n { y[i] = flatGrad[i] - prev[i]; s[i] = lastD[i] * tf }
                    let ys = dot(y, s)
                    if ys > Float(1e-10) {
                        if oldDirs.count == historySize, !oldDirs.isEmpty {
                            oldDirs.removeFirst(); oldStps.removeFirst(); ro.removeFirst()
                        }
                        oldDirs.append(y); oldStps.append(s); ro.append(1 / ys)
                        hDiag = ys / dot(y, y)
                    }
                    let numOld = oldDirs.count
                    var al = [Float](repeating: 0, count: numOld)
                    var q = flatGrad.map { -$0 }
                    for k in stride(from: numOld - 1, through: 0, by: -1) {
                        al[k] = dot(oldStps[k], q) * ro[k]
                        let a = -al[k]
                        let yk = oldDirs[k]
                        for i in 0..<n { q[i] = q[i].addingProduct(a, yk[i]) }
                    }
                    let h = hDiag
                    for i in 0..<n { q[i] = q[i] * h }
                    for k in 0..<numOld {
                        let be = dot(oldDirs[k], q) * ro[k]
                        let a = al[k] - be
                        let sk = oldStps[k]
                        for i in 0..<n { q[i] = q[i].addingProduct(a, sk[i]) }
                    }
                    dir = q
                }
                prevFlatGrad = flatGrad
                prevLoss = loss
                // PyTorch: min(1.0, 1.0 / |g|.sum()) * lr, a float32 tensor when the reciprocal wins.
                var tNum: PyNum
                if nIter == 1 {
                    let inv = PyNum(1) / PyNum(f32: absSum(flatGrad))
                    tNum = (inv < PyNum(1) ? inv : PyNum(1)) * PyNum(lr)
                } else {
                    tNum = PyNum(lr)
                }
                t = tNum.v
                d = dir
                let gtd = PyNum(f32: dot(flatGrad, dir))
                if gtd > PyNum(-toleranceChange) { break }
                var lsEvals = 0
                if strongWolfe {
                    let x0 = cloneParams()
                    let result = try strongWolfeSearch(x0, t: tNum, d: dir, f: loss, g: flatGrad, gtd: gtd,
                                                       toleranceChange: toleranceChange, maxLS: maxEval - currentEvals)
                    loss = result.f; flatGrad = result.g; t = result.t.v; lsEvals = result.evals
                    addGrad(t, dir)
                } else {
                    addGrad(t, dir)
                    if iter != maxIter {
                        loss = try evaluate()
                        flatGrad = try gatherFlatGrad()
                        lsEvals = 1
                    }
                }
                currentEvals += lsEvals
                funcEvals += lsEvals
                if iter == maxIter { break }
                if currentEvals >= maxEval { break }
                if absMax(flatGrad) <= tolGrad { break }
                let tf = Float(t)
                var stepMax: Float = 0
                for v in dir { stepMax = max(stepMax, abs(v * tf)) }
                if stepMax <= tolChange { break }
                if abs(loss - (prevLoss ?? loss)) < toleranceChange { break }
            }
            return origLoss
        }

        // MARK: strong Wolfe line search (PyTorch's _strong_wolfe, c1 = 1e-4, c2 = 0.9)

        /// Scalars are `PyNum`s: float32 where PyTorch holds a 0-d float32 tensor (gᵀd, and t
        /// once interpolated), double where it holds a Python float (the losses).
        func strongWolfeSearch(_ x: [[Float]], t t0: PyNum, d: [Float], f: Double, g: [Float], gtd: PyNum,
                               toleranceChange: Double, maxLS: Int) throws
            -> (f: Double, g: [Float], t: PyNum, evals: Int) {
            let c1 = PyNum(1e-4), c2 = PyNum(0.9), fN = PyNum(f), tol = PyNum(toleranceChange)
            let dNorm = PyNum(f32: absMax(d))
            var t = t0
            var (fNew, gNew) = try directionalEvaluate(x, t.v, d)
            var evals = 1
            var gtdNew = PyNum(f32: dot(gNew, d))
            var tPrev = PyNum(0), fPrev = f, gPrev = g, gtdPrev = gtd
            var done = false
            var lsIter = 0
            var bracket: [PyNum] = [], bracketF: [Double] = [], bracketG: [[Float]] = [], bracketGtd: [PyNum] = []
            while lsIter < maxLS {
                if PyNum(fNew) > fN + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev) {
                    bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew]
                    break
                }
                if gtdNew.magnitude <= -c2 * gtd {
                    bracket = [t]; bracketF = [fNew]; bracketG = [gNew]
                    done = true
                    break
                }
                if gtdNew >= PyNum(0) {
                    bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew]
                    break
                }
                let minStep = t + PyNum(0.01) * (t - tPrev), maxStep = t * PyNum(10)
                let tmp = t
                t = cubicInterpolate(tPrev, PyNum(fPrev), gtdPrev, t, PyNum(fNew), gtdNew, bounds: (minStep, maxStep))
                tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew
                (fNew, gNew) = try directionalEvaluate(x, t.v, d)
                evals += 1
                gtdNew = PyNum(f32: dot(gNew, d))
                lsIter += 1
            }
            if lsIter == maxLS || bracket.isEmpty {
                bracket = [PyNum(0), t]; bracketF = [f, fNew]; bracketG = [g, gNew]
                if bracketGtd.count < 2 { bracketGtd = [gtd, gtdNew] }
            }
            var insufProgress = false
            var (low, high) = bracketF[0] <= bracketF[bracketF.count - 1] ? (0, 1) : (1, 0)
            while !done && lsIter < maxLS {
                if (bracket[1] - bracket[0]).magnitude * dNorm < tol { break }
                t = cubicInterpolate(bracket[0], PyNum(bracketF[0]), bracketGtd[0], bracket[1], PyNum(bracketF[1]), bracketGtd[1], bounds: nil)
                let hi = pyMax(bracket[0], bracket[1]), lo = pyMin(bracket[0], bracket[1])
                let eps = PyNum(0.1) * (hi - lo)
                if pyMin(hi - t, t - lo) < eps {
                    if insufProgress || t >= hi || t <= lo {
                        t = (t - hi).magnitude < (t - lo).magnitude ? hi - eps : lo + eps
                        insufProgress = false
                    } else {
                        insufProgress = true
                    }
                } else {
                    insufProgress = false
                }
                (fNew, gNew) = try directionalEvaluate(x, t.v, d)
                evals += 1
                gtdNew = PyNum(f32: dot(gNew, d))
                lsIter += 1
                if PyNum(fNew) > fN + c1 * t * gtd || fNew >= bracketF[low] {
                    bracket[high] = t; bracketF[high] = fNew; bracketG[high] = gNew; bracketGtd[high] = gtdNew
                    (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0)
                } else {
                    if gtdNew.magnitude <= -c2 * gtd {
                        done = true
                    } else if gtdNew * (bracket[high] - bracket[low]) >= PyNum(0) {
                        bracket[high] = bracket[low]; bracketF[high] = bracketF[low]
                        bracketG[high] = bracketG[low]; bracketGtd[high] = bracketGtd[low]
                    }
                    bracket[low] = t; bracketF[low] = fNew; bracketG[low] = gNew; bracketGtd[low] = gtdNew
                }
            }
            let pick = min(low, bracket.count - 1)
            return (bracketF[pick], bracketG[pick], bracket[pick], evals)
        }
    }
}

/// A scalar as PyTorch's LBFGS holds it: a Python float (double) or a 0-d float32 tensor. An
/// operation with a float32 operand is computed in float32 (the Python float rounded to float32,
/// as a wrapped scalar is), `python / tensor` as reciprocal(tensor)·python (torch's
/// `__rtruediv__`), comparisons likewise; Python floats alone stay double. This reproduces
/// PyTorch's line-search path, so iteration counts agree on small problems.
struct PyNum {
    var v: Double
    var f32: Bool

    init(_ v: Double) { self.v = v; f32 = false }
    init(f32 x: Float) { v = Double(x); f32 = true }

    var float: Float { Float(v) }
    var magnitude: PyNum { f32 ? PyNum(f32: abs(float)) : PyNum(abs(v)) }

    static func + (a: PyNum, b: PyNum) -> PyNum { a.f32 || b.f32 ? PyNum(f32: a.float + b.float) : PyNum(a.v + b.v) }
    static func - (a: PyNum, b: PyNum) -> PyNum { a.f32 || b.f32 ? PyNum(f32: a.float - b.float) : PyNum(a.v - b.v) }
    static func * (a: PyNum, b: PyNum) -> PyNum { a.f32 || b.f32 ? PyNum(f32: a.float * b.float) : PyNum(a.v * b.v) }
    static func / (a: PyNum, b: PyNum) -> PyNum {
        if !a.f32 && b.f32 { return PyNum(f32: (1 / b.float) * a.float) }
        return a.f32 || b.f32 ? PyNum(f32: a.float / b.float) : PyNum(a.v / b.v)
    }
    static prefix func - (a: PyNum) -> PyNum { a.f32 ? PyNum(f32: -a.float) : PyNum(-a.v) }

    static func < (a: PyNum, b: PyNum) -> Bool { a.f32 || b.f32 ? a.float < b.float : a.v < b.v }
    static func > (a: PyNum, b: PyNum) -> Bool { b < a }
    static func <= (a: PyNum, b: PyNum) -> Bool { a.f32 || b.f32 ? a.float <= b.float : a.v <= b.v }
    static func >= (a: PyNum, b: PyNum) -> Bool { b <= a }
}

/// Python's `max(a, b)`: a unless b > a (so the result keeps its operand's type).
private func pyMax(_ a: PyNum, _ b: PyNum) -> PyNum { b > a ? b : a }
/// Python's `min(a, b)`: a unless b < a.
private func pyMin(_ a: PyNum, _ b: PyNum) -> PyNum { b < a ? b : a }

/// Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to `bounds` (PyTorch's
/// `_cubic_interpolate`, with its mix of float32 tensors and Python floats); the bounds' midpoint
/// when the cubic has no real minimiser.
func cubicInterpolate(_ x1: PyNum, _ f1: PyNum, _ g1: PyNum, _ x2: PyNum, _ f2: PyNum, _ g2: PyNum,
                      bounds: (PyNum, PyNum)?) -> PyNum {
    let (lo, hi) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
    let d1 = g1 + g2 - PyNum(3) * (f1 - f2) / (x1 - x2)
    let d2sq = d1 * d1 - g1 * g2
    if d2sq >= PyNum(0) {
        let d2 = d2sq.f32 ? PyNum(f32: d2sq.float.squareRoot()) : PyNum(d2sq.v.squareRoot())
        let minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + PyNum(2) * d2))
                              : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + PyNum(2) * d2))
        return pyMin(pyMax(minPos, lo), hi)
    }
    return (lo + hi) / PyNum(2)
}

/// Dot product as PyTorch's float32 `dot`: for up to 3 elements MKL's sum is the sequential
/// float32 one, reproduced exactly; longer vectors are accumulated in double and rounded.
private func dot(_ a: [Float], _ b: [Float]) -> Float {
    let n = min(a.count, b.count)
    if n <= 3 {
        var s: Float = 0
        for i in 0..<n { s = s + a[i] * b[i] }
        return s
    }
    var s = 0.0
    for i in 0..<n { s += Double(a[i]) * Double(b[i]) }
    return Float(s)
}

private func absMax(_ a: [Float]) -> Float {
    var m: Float = 0
    for v in a { m = max(m, abs(v)) }
    return m
}

private func absSum(_ a: [Float]) -> Float {
    var s = 0.0
    for v in a { s += Double(abs(v)) }
    return Float(s)
}

extension LBFGS: BuiltinOptimizer {
    public static let registryOrder = 140
    public static var registered: [any OptimizerAlgorithm] { [LBFGS()] }
}
