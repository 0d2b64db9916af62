import Optim
import Tensors
import Testing

/// Every fixture case, every step, every parameter within 1e-5 relative (+1e-6 absolute) of the
/// reference (PyTorch, or float64 numpy for the switches PyTorch lacks).
@Suite struct ParityTests {
    @Test func fixturesLoad() {
        #expect(FixtureFile.shared != nil)
        #expect(FixtureFile.caseNames.count >= 40)
    }

    @Test(arguments: FixtureFile.caseNames)
    func parity(_ name: String) throws {
        let fixture = try #require(FixtureFile.named(name))
        let run = try FixtureRun(fixture)
        if let lrs = fixture.lrs {
            #expect(mismatch(run.optimizer.groups.map { Float($0.lr) }, lrs[0], rel: 1e-6, abs: 1e-9) == nil, "initial lr")
        }
        try run.run(steps: 1..<fixture.trajectory.count + 1) { s in
            for (j, p) in run.params.enumerated() {
                let bad = mismatch(p.toArray(), fixture.trajectory[s - 1][j])
                #expect(bad == nil, "\(name) step \(s) param \(j): \(bad ?? "")")
            }
            if let lrs = fixture.lrs, let sched = run.scheduler {
                let bad = mismatch(sched.lastLR.map { Float($0) }, lrs[s], rel: 1e-6, abs: 1e-9)
                #expect(bad == nil, "\(name) step \(s) lr: \(bad ?? "")")
            }
        }
    }
}

extension ParityTests {
    /// Prints the worst errors over all cases, for the record (relative where |value| ≥ 0.1,
    /// absolute below), and checks that every element of every trajectory was compared.
    @Test func worstCaseError() throws {
        var worstRel = 0.0, worstAbs = 0.0, relName = "", absName = ""
        for fixture in FixtureFile.shared?.cases ?? [] {
            let run = try FixtureRun(fixture)
            var compared = 0
            try run.run(steps: 1..<fixture.trajectory.count + 1) { s in
                for (j, p) in run.params.enumerated() {
                    for (a, b) in zip(p.toArray(), fixture.trajectory[s - 1][j]) {
                        let d = abs(Double(a) - b)
                        if abs(b) >= 0.1, d / abs(b) > worstRel { worstRel = d / abs(b); relName = "\(fixture.name) step \(s)" }
                        if abs(b) < 0.1, d > worstAbs { worstAbs = d; absName = "\(fixture.name) step \(s)" }
                        compared += 1
                    }
                }
            }
            #expect(compared == fixture.trajectory.count * fixture.shapes.reduce(0) { $0 + $1.reduce(1, *) })
        }
        print("optim parity: worst relative error \(worstRel) (\(relName)), worst absolute error below 0.1: \(worstAbs) (\(absName))")
        #expect(worstRel < 1e-5)
        #expect(worstAbs < 1e-6)
    }
}
