import Foundation
import Optim
import Tensors
import Testing

/// The research-frontier optimizers against optax 0.2.8 (float64), from
/// Tests/OptimTests/Fixtures/optax_parity.json (scripts/reference/optax_fixtures.py), and MARS
/// against pytorch-optimizer 4.1.0 (pytorch_optimizer_parity.json,
/// scripts/reference/pytorch_optimizer_fixtures.py): every case, every step, every parameter
/// within 1e-5 relative (+1e-6 absolute); the `cautious = true` cases of Adam, AdamW, AMSGrad,
/// Lion, LAMB and AdEMAMix come from the second file. Schedule-free optimizers are compared at their
/// evaluation point (after `eval()`, then `train()` again).
@Suite struct OptaxParityTests {
    struct File: Decodable {
        let steps: Int
        let cases: [FixtureCase]
    }

    static func load(_ name: String) -> File? {
        return decodeFixture(name, as: File.self)
    }

    static let file: File? = {
        guard let optax = load("optax_parity"), let others = load("pytorch_optimizer_parity") else { return nil }
        return File(steps: optax.steps, cases: optax.cases + others.cases)
    }()

    static var caseNames: [String] { file?.cases.map(\.name) ?? [] }

    @Test func fixturesLoadAndEveryOptimizerIsBuilt() throws {
        let file = try #require(Self.file)
        // The `cautious_` cases exercise a switch of other optimizers (Adam, Lion, LAMB, ...).
        let frontier = file.cases.filter { !$0.name.hasPrefix("cautious_") }
        let names = Set(frontier.map(\.optimizer))
        #expect(names.count >= 16)
        for name in names {
            #expect(Optimizers.names.contains(name), "\(name) is not registered")
            // At least two configurations each.
            #expect(frontier.filter { $0.optimizer == name }.count >= 2, "\(name)")
        }
    }

    @Test(arguments: caseNames)
    func parity(_ name: String) throws {
        let fixture = try #require(Self.file?.cases.first { $0.name == name })
        let run = try FixtureRun(fixture)
        let atEval = run.optimizer.hasEvaluationPoint
        try run.run(steps: 1..<fixture.trajectory.count + 1) { s in
            if atEval { try run.optimizer.eval() }
            for (j, p) in run.params.enumerated() {
                let bad = mismatch(p.toArray(), fixture.trajectory[s - 1][j])
                #expect(bad == nil, "\(name) step \(s) param \(j): \(bad ?? "")")
            }
            if atEval { try run.optimizer.train() }
        }
    }
}
