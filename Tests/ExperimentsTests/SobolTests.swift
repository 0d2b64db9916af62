import Foundation
import Testing
@testable import Experiments

@Test func sobolMatchesScipyUnscrambled() throws {
    struct Fixture: Decodable { let points: [[Double]] }
    let url = try #require(Bundle.module.url(forResource: "Fixtures/sobol_21d", withExtension: "json"))
    let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    var sobol = try Sobol(dimensions: 21)
    for (i, expected) in fixture.points.enumerated() {
        let p = sobol.next()
        #expect(p == expected, "point \(i): \(p) vs \(expected)")
        if p != expected { break }
    }
}

@Test func scrambledSobolIsSeededAndStaysStratified() throws {
    var a = try Sobol(dimensions: 3, scrambleSeed: 1), b = try Sobol(dimensions: 3, scrambleSeed: 1)
    var c = try Sobol(dimensions: 3, scrambleSeed: 2)
    let pa = (0..<16).map { _ in a.next() }, pb = (0..<16).map { _ in b.next() }, pc = (0..<16).map { _ in c.next() }
    #expect(pa == pb && pa != pc)
    // A digital shift keeps the net property: 16 points put one in each sixteenth of every axis.
    for d in 0..<3 {
        #expect(Set(pa.map { Int($0[d] * 16) }).count == 16)
    }
    #expect(throws: ExperimentError.self) { try Sobol(dimensions: 22) }
}

@Test func searchSpacesSampleEveryDistribution() throws {
    let space = try SearchSpace(json: JSONValue.parse(#"""
        {"lr": {"log_uniform": [1e-4, 1]}, "wd": {"uniform": [0, 0.1]}, "n": {"int": [1, 3]},
         "act": {"choice": ["relu", "gelu"]}, "eps": 1e-8,
         "opt": {"choice": {"adam": {"beta2": {"uniform": [0.9, 0.999]}}, "sgd": {"momentum": {"uniform": [0, 0.9]}}}}}
        """#))
    #expect(space.dimensions == 8)
    let low = Dictionary(uniqueKeysWithValues: space.sample([Double](repeating: 0, count: 8)))
    #expect(low["lr"] == "0.0001" && low["wd"] == "0" && low["n"] == "1" && low["act"] == "relu" && low["eps"] == "1e-08")
    #expect(low["opt"] == "adam" && low["beta2"] == "0.9" && low["momentum"] == nil)
    let high = Dictionary(uniqueKeysWithValues: space.sample([Double](repeating: 0.99, count: 8)))
    #expect(high["n"] == "3" && high["act"] == "gelu" && high["opt"] == "sgd" && high["beta2"] == nil)
    #expect(abs((Double(high["lr"] ?? "") ?? 0) / pow(10, -4 + 4 * 0.99) - 1) < 1e-5)  // 6 significant digits
    // Grid: 3 values per continuous/int key, every option of a choice.
    #expect(space.gridPoints(perAxis: 3).count == 3 * 3 * 3 * 2 * 1 * 2)
    #expect(throws: ExperimentError.self) { try SearchSpace(json: JSONValue.parse(#"{"lr": {"uniform": [1, 0]}}"#)) }
}

@Test func successiveHalvingKeepsTheBestThirdAtEachRung() {
    let sha = SuccessiveHalving(eta: 3, minResource: 1, maxResource: 27)
    #expect(sha.rungs == [1, 3, 9])
    #expect(sha.continues(5, competitors: [], lowerIsBetter: true))           // the first always continues
    #expect(!sha.continues(5, competitors: [1], lowerIsBetter: true))         // 2 there: only the best
    #expect(sha.continues(1, competitors: [5, 6], lowerIsBetter: true))
    #expect(sha.continues(2, competitors: [1, 5, 6, 7, 8], lowerIsBetter: true))    // best 6/3 = 2 of 6
    #expect(!sha.continues(5, competitors: [1, 2, 6, 7, 8], lowerIsBetter: true))
    #expect(!sha.continues(.nan, competitors: [], lowerIsBetter: true))             // diverged: stop
    #expect(sha.continues(0.9, competitors: [0.5, 0.4], lowerIsBetter: false))      // accuracy: higher is better
}
