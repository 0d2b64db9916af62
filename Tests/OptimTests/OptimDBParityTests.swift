import Foundation
import Optim
import Tensors
import Testing

/// The configurations of PyTorch's own optimizer test database (optim_db, CPU) for the 14
/// optimizers descent shares with torch.optim, written by scripts/reference/optim_db_fixtures.py:
/// every one replayed through `Optimizers.build(name:params:options:)`, every step within 1e-5
/// relative (+1e-6 absolute) of PyTorch.
struct OptimDBFile: Decodable {
    struct Config: Decodable {
        let name: String
        let optimizer: String
        let options: [String: JSONOption]
        let shapes: [[Int]]
        let trajectory: [[[Double]]]
        let losses: [Double]?
        let n_iter: Int?
        let func_evals: Int?
    }
    struct Skipped: Decodable { let name: String; let reason: String }
    let steps: Int
    let configs: [Config]
    let skipped: [Skipped]

    static let shared: OptimDBFile? = {
        guard let url = Bundle.module.url(forResource: "optim_db", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(OptimDBFile.self, from: data)
    }()

    static var names: [String] { shared?.configs.map(\.name) ?? [] }
}

/// The fixture's problem: loss = Σ 0.5·a·r² + 0.05·r⁴ with r = p − c, in double on float32
/// parameters, the gradient a·r + 0.2·r³ rounded to float32 (same operation order as the script).
enum OptimDBProblem {
    static func lossAndGrad(_ j: Int, _ p: Tensor) throws -> Double {
        let n = p.count
        var loss = 0.0
        var grad = [Float](repeating: 0, count: n)
        let pp = p.pointer
        for i in 0..<n {
            let c = 0.3 * sin(1.1 * Double(i) + 0.7 * Double(j))
            let a = 1 + 0.5 * cos(0.3 * Double(i) + Double(j))
            let r = Double(pp[i]) - c
            loss += 0.5 * a * r * r + 0.05 * r * r * r * r
            grad[i] = Float(a * r + 0.2 * r * r * r)
        }
        p.grad = try Tensor(grad, shape: p.shape)
        return loss
    }

    static func setGrads(_ params: [Tensor]) throws -> Double {
        var total = 0.0
        for (j, p) in params.enumerated() { total += try lossAndGrad(j, p) }
        return total
    }
}

@Suite struct OptimDBParityTests {
    @Test func everyConfigurationIsPresent() throws {
        let file = try #require(OptimDBFile.shared)
        // 87 CPU configurations in torch 2.13's optim_db for the 14 optimizers, none skipped.
        #expect(file.configs.count == 87)
        #expect(file.skipped.isEmpty)
        let optimizers = Set(file.configs.map(\.optimizer))
        #expect(optimizers.count == 14)
        for name in optimizers { #expect(Optimizers.names.contains(name.lowercased()), "\(name) is registered") }
    }

    @Test(arguments: OptimDBFile.names)
    func parity(_ name: String) throws {
        let config = try #require(OptimDBFile.shared?.configs.first { $0.name == name })
        let params = try config.shapes.enumerated().map { try Formula.param($0.offset, shape: $0.element) }
        let opt = try Optimizers.build(name: config.optimizer, params: params, options: config.options.mapValues(\.optionValue))
        for s in 0..<config.trajectory.count {
            if opt.requiresClosure {
                let loss = try opt.step { try OptimDBProblem.setGrads(params) }
                if let losses = config.losses {
                    #expect(abs(loss - losses[s]) <= 1e-5 * abs(losses[s]) + 1e-9, "\(name) step \(s + 1) loss \(loss) vs \(losses[s])")
                }
            } else {
                _ = try OptimDBProblem.setGrads(params)
                try opt.step()
            }
            for (j, p) in params.enumerated() {
                let bad = mismatch(p.toArray(), config.trajectory[s][j])
                #expect(bad == nil, "\(name) step \(s + 1) param \(j): \(bad ?? "")")
            }
        }
        if let nIter = config.n_iter, let evals = config.func_evals {
            let state = try #require(opt.state(for: params[0]))
            #expect(state.scalars["n_iter"] == Double(nIter), "\(name): iterations")
            #expect(state.scalars["func_evals"] == Double(evals), "\(name): function evaluations")
        }
    }
}
