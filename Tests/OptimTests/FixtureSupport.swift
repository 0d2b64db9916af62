import Foundation
import Optim
import Tensors

/// Fixtures/<name>.json of this test bundle decoded as `type`; nil when the file is missing or
/// does not decode (each suite then records an issue saying which fixture).
func decodeFixture<T: Decodable>(_ name: String, as type: T.Type) -> T? {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
          let data = try? Data(contentsOf: url) else { return nil }
    return try? JSONDecoder().decode(type, from: data)
}

/// The parity fixtures written by scripts/reference/optim_fixtures.py, and the formulas that
/// rebuild their parameters and gradients (libm sin/cos, as the script uses).
struct FixtureFile: Decodable {
    let steps: Int
    let cases: [FixtureCase]

    static let shared: FixtureFile? = decodeFixture("optim_parity", as: FixtureFile.self)

    static var caseNames: [String] { shared?.cases.map(\.name) ?? [] }
    static func named(_ name: String) -> FixtureCase? { shared?.cases.first { $0.name == name } }
}

struct FixtureGroup: Decodable {
    let params: [Int]
    let options: [String: JSONOption]?
}

indirect enum SchedulerSpec: Decodable {
    case spec(type: String, values: [String: JSONOption], children: [SchedulerSpec])

    private struct Key: CodingKey {
        var stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var type = "", values: [String: JSONOption] = [:], children: [SchedulerSpec] = []
        for key in c.allKeys {
            switch key.stringValue {
            case "type": type = try c.decode(String.self, forKey: key)
            case "schedulers": children = try c.decode([SchedulerSpec].self, forKey: key)
            default: values[key.stringValue] = try c.decode(JSONOption.self, forKey: key)
            }
        }
        self = .spec(type: type, values: values, children: children)
    }
}

/// A JSON option value: bool, number, string or list of numbers.
enum JSONOption: Decodable {
    case bool(Bool), number(Double), string(String), list([Double])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .list(try c.decode([Double].self)) }
    }

    var optionValue: OptionValue {
        switch self {
        case .bool(let b): .bool(b)
        case .number(let x): .number(x)
        case .string(let s): .string(s)
        case .list(let l): l.count == 3 ? .triple(l[0], l[1], l[2]) : l.count == 2 ? .pair(l[0], l[1]) : .number(l.first ?? 0)
        }
    }
    var number: Double { if case .number(let x) = self { x } else { 0 } }
    var list: [Double] { switch self { case .list(let l): l; case .number(let x): [x]; default: [] } }
}

struct FixtureCase: Decodable {
    let name: String
    let optimizer: String
    let options: [String: JSONOption]
    let shapes: [[Int]]
    let groups: [FixtureGroup]?
    let frozen: [Int]?
    let skip: [String: [Int]]?
    let scheduler: SchedulerSpec?
    let trajectory: [[[Double]]]
    let lrs: [[Double]]?

    func hasGrad(step: Int, param j: Int) -> Bool {
        !(frozen ?? []).contains(j) && !(skip?[String(j)] ?? []).contains(step)
    }
}

enum Formula {
    static func param(_ j: Int, shape: [Int]) throws -> Tensor {
        let n = shape.reduce(1, *)
        return try Tensor((0..<n).map { i in Float(0.5 * cos(0.9 * Double(i) + 1.7 * Double(j)) + 0.1 * Double(j)) }, shape: shape)
    }

    static func grad(step s: Int, param j: Int, shape: [Int]) throws -> Tensor {
        let n = shape.reduce(1, *)
        let scale = (1.5 + cos(0.5 * Double(s))) * (1 + 0.5 * Double(j))
        return try Tensor((0..<n).map { i in Float(sin(0.37 * Double(s) + 0.61 * Double(i) + 1.3 * Double(j)) * scale) }, shape: shape)
    }
}

/// Runs a fixture case in Swift: build, then per step set grads, step, step the scheduler.
struct FixtureRun {
    let fixture: FixtureCase
    let params: [Tensor]
    let optimizer: Optimizer
    let scheduler: LRScheduler?

    init(_ fixture: FixtureCase) throws {
        self.fixture = fixture
        let params = try fixture.shapes.enumerated().map { try Formula.param($0.offset, shape: $0.element) }
        self.params = params
        let options = fixture.options.mapValues(\.optionValue)
        let groups = fixture.groups.map { gs in
            gs.map { ParamGroupSpec(params: $0.params.map { params[$0] }, options: ($0.options ?? [:]).mapValues(\.optionValue)) }
        } ?? [ParamGroupSpec(params: params)]
        let optimizer = try Optimizers.build(name: fixture.optimizer, groups: groups, options: options)
        self.optimizer = optimizer
        scheduler = try fixture.scheduler.map { try FixtureRun.makeScheduler(optimizer, $0) }
    }

    static func makeScheduler(_ opt: Optimizer, _ spec: SchedulerSpec) throws -> LRScheduler {
        guard case .spec(let type, let v, let children) = spec else { throw TensorError("bad spec") }
        func num(_ k: String, _ d: Double) -> Double { v[k]?.number ?? d }
        switch type {
        case "StepLR": return try StepLR(opt, stepSize: Int(num("step_size", 1)), gamma: num("gamma", 0.1))
        case "ExponentialLR": return try ExponentialLR(opt, gamma: num("gamma", 0.1))
        case "CosineAnnealingLR": return try CosineAnnealingLR(opt, tMax: Int(num("T_max", 1)), etaMin: num("eta_min", 0))
        case "LinearLR": return try LinearLR(opt, startFactor: num("start_factor", 1.0 / 3), endFactor: num("end_factor", 1), totalIters: Int(num("total_iters", 5)))
        case "OneCycleLR":
            var anneal = OneCycleLR.Anneal.cos
            if case .string(let s)? = v["anneal"], s == "linear" { anneal = .linear }
            var three = false, cycle = true
            if case .bool(let b)? = v["three_phase"] { three = b }
            if case .bool(let b)? = v["cycle_momentum"] { cycle = b }
            return try OneCycleLR(opt, maxLR: v["max_lr"]?.list ?? [], totalSteps: Int(num("total_steps", 1)),
                                  pctStart: num("pct_start", 0.3), anneal: anneal, cycleMomentum: cycle, threePhase: three)
        case "LambdaLR": return try LambdaLR(opt) { e in 1 / (1 + Double(e)) }
        case "SequentialLR":
            let kids = try children.map { try makeScheduler(opt, $0) }
            return try SequentialLR(opt, schedulers: kids, milestones: (v["milestones"]?.list ?? []).map { Int($0) })
        default: throw TensorError("unknown scheduler \(type)")
        }
    }

    /// Steps `from`..<`to` (1-based step numbers as in the fixture).
    func run(steps: Range<Int>, check: (Int) throws -> Void = { _ in }) throws {
        for s in steps {
            for (j, p) in params.enumerated() {
                p.grad = fixture.hasGrad(step: s, param: j) ? try Formula.grad(step: s, param: j, shape: fixture.shapes[j]) : nil
            }
            try optimizer.step()
            try scheduler?.step()
            try check(s)
        }
    }
}

/// |a − b| ≤ rel·|b| + abs, elementwise; returns a description of the first mismatch.
func mismatch(_ a: [Float], _ b: [Double], rel: Double = 1e-5, abs absTol: Double = 1e-6) -> String? {
    guard a.count == b.count else { return "count \(a.count) vs \(b.count)" }
    for i in 0..<a.count where !(Swift.abs(Double(a[i]) - b[i]) <= rel * Swift.abs(b[i]) + absTol) {
        return "element \(i): \(a[i]) vs \(b[i])"
    }
    return nil
}
