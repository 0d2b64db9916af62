import Foundation
import Testing
@testable import Experiments

/// `descent report --compare` against scipy.stats 1.17 (scripts/reference/stats_fixtures.py).
@Suite struct TwoSampleComparisonTests {
    struct Case: Decodable {
        let name: String
        let a: [Double], b: [Double]
        let welch_t: Double, welch_df: Double, welch_p: Double
        let mwu_u: Double, mwu_p: Double
        let boot_low: Double, boot_high: Double
        let cohens_d: Double, hedges_g: Double, rank_biserial: Double
    }
    struct Holm: Decodable { let p: [Double]; let adjusted: [Double] }
    struct Fixture: Decodable { let cases: [Case]; let holm: Holm }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures/two_sample_tests", withExtension: "json")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func close(_ x: Double, _ y: Double, _ tol: Double = 1e-9) -> Bool {
        abs(x - y) <= tol * max(1, abs(y))
    }

    @Test(arguments: fixture.cases.map(\.name))
    func agreesWithScipy(name: String) throws {
        let c = try #require(Self.fixture.cases.first { $0.name == name })
        let r = TwoSampleComparison(a: c.a, b: c.b, resamples: 20_000, seed: 3)
        #expect(Self.close(r.welchT, c.welch_t), "t \(r.welchT) vs \(c.welch_t)")
        #expect(Self.close(r.welchDF, c.welch_df), "df \(r.welchDF) vs \(c.welch_df)")
        #expect(Self.close(r.welchP, c.welch_p, 1e-7), "p \(r.welchP) vs \(c.welch_p)")
        #expect(r.mannWhitneyU == c.mwu_u)
        #expect(Self.close(r.mannWhitneyP, c.mwu_p, 1e-9), "MWU p \(r.mannWhitneyP) vs \(c.mwu_p)")
        #expect(Self.close(r.cohensD, c.cohens_d) && Self.close(r.hedgesG, c.hedges_g))
        #expect(Self.close(r.rankBiserial, c.rank_biserial))
        // Different random streams: the intervals agree to Monte Carlo error (5 % of the width).
        let width = c.boot_high - c.boot_low
        #expect(abs(r.bootstrapLow - c.boot_low) < 0.05 * width, "low \(r.bootstrapLow) vs \(c.boot_low)")
        #expect(abs(r.bootstrapHigh - c.boot_high) < 0.05 * width, "high \(r.bootstrapHigh) vs \(c.boot_high)")
    }

    @Test func holmMatchesTheStepDownDefinition() {
        let h = Self.fixture.holm
        let adjusted = TwoSampleComparison.holm(h.p)
        #expect(zip(adjusted, h.adjusted).allSatisfy { Self.close($0, $1) }, "\(adjusted)")
        #expect(TwoSampleComparison.holm([0.01, .nan, 0.02]).enumerated().map { $0.element.isNaN ? -1 : $0.element } == [0.02, -1, 0.02])
    }

    @Test func bootstrapIsDeterministicPerSeed() {
        let a = [0.3, 1.7, 2.2, 5.1, 3.3, 0.9, 4.4, 2.8], b = [1.1, 2.0, 3.9, 0.4, 2.6, 1.5]
        #expect(TwoSampleComparison(a: a, b: b, seed: 5) == TwoSampleComparison(a: a, b: b, seed: 5))
        #expect(TwoSampleComparison(a: a, b: b, seed: 5).bootstrapLow != TwoSampleComparison(a: a, b: b, seed: 6).bootstrapLow)
    }
}
