import Foundation
import Optim
import Tensors
import Testing

/// Shampoo and SOAP against pytorch-optimizer 4.1.0 (`ScalableShampoo(use_svd=True)`, `SOAP`; float64
/// reference runs) from Tests/OptimTests/Fixtures/shampoo_soap_parity.json
/// (scripts/reference/shampoo_soap_fixtures.py): every case, every step, every parameter within
/// 1e-4 relative (+1e-5 absolute), the tolerance where eigendecompositions differ in rounding.
@Suite struct ShampooSOAPParityTests {
    struct Case: Decodable {
        let name: String
        let optimizer: String
        let options: [String: JSONOption]
        let shapes: [[Int]]
        let initial: [[Double]]
        let grads: [[[Double]]]
        let trajectory: [[[Double]]]
        enum CodingKeys: String, CodingKey { case name, optimizer, options, shapes, initial = "init", grads, trajectory }
    }
    struct File: Decodable { let steps: Int; let cases: [Case] }

    static let file: File? = decodeFixture("shampoo_soap_parity", as: File.self)

    static var caseNames: [String] { file?.cases.map(\.name) ?? [] }

    @Test func fixturesCoverBoth() throws {
        let file = try #require(Self.file)
        for name in ["shampoo", "soap"] {
            #expect(file.cases.filter { $0.optimizer == name }.count >= 2, "\(name)")
            #expect(Optimizers.names.contains(name))
        }
    }

    @Test(arguments: caseNames)
    func parity(_ name: String) throws {
        let c = try #require(Self.file?.cases.first { $0.name == name })
        let params = try zip(c.initial, c.shapes).map { try Tensor($0.0.map { Float($0) }, shape: $0.1) }
        let opt = try Optimizers.build(name: c.optimizer, params: params, options: c.options.mapValues(\.optionValue))
        for (s, grads) in c.grads.enumerated() {
            for (j, p) in params.enumerated() { p.grad = try Tensor(grads[j].map { Float($0) }, shape: c.shapes[j]) }
            try opt.step()
            for (j, p) in params.enumerated() {
                let got = p.toArray(), want = c.trajectory[s][j]
                var worst = 0.0, at = -1
                for (i, (x, y)) in zip(got, want).enumerated() {
                    let excess = abs(Double(x) - y) - (1e-4 * abs(y) + 1e-5)
                    if excess > worst { worst = excess; at = i }
                }
                #expect(at < 0, "\(name) step \(s + 1) param \(j) element \(at): got \(at >= 0 ? Double(got[at]) : 0), want \(at >= 0 ? want[at] : 0)")
            }
        }
    }

    /// Save after 4 steps, load into a fresh optimizer over copies, 4 more steps on both: same bits.
    @Test(arguments: ["shampoo", "soap"])
    func stateDictRoundTrip(_ name: String) throws {
        let c = try #require(Self.file?.cases.first { $0.optimizer == name && !$0.options.isEmpty })
        let options = c.options.mapValues(\.optionValue)
        let a = try zip(c.initial, c.shapes).map { try Tensor($0.0.map { Float($0) }, shape: $0.1) }
        let opt = try Optimizers.build(name: name, params: a, options: options)
        func step(_ o: Optimizer, _ ps: [Tensor], _ s: Int) throws {
            for (j, p) in ps.enumerated() { p.grad = try Tensor(c.grads[s][j].map { Float($0) }, shape: c.shapes[j]) }
            try o.step()
        }
        for s in 0..<4 { try step(opt, a, s) }
        let b = try a.map { try Tensor($0.toArray(), shape: $0.shape) }
        let other = try Optimizers.build(name: name, params: b, options: options)
        try other.loadStateDict(try opt.stateDict())
        for s in 4..<8 {
            try step(opt, a, s)
            try step(other, b, s)
        }
        for (x, y) in zip(a, b) { #expect(x.toArray() == y.toArray(), "\(name)") }
    }

    /// A state whose matrices were made for another block size has matrices of other shapes: an error, not a trap.
    @Test func mismatchedStateIsAnError() throws {
        let p = try Tensor([Float](repeating: 0.5, count: 36), shape: [6, 6])
        p.grad = try Tensor((0..<36).map { Float(sin(Double($0 * $0))) }, shape: [6, 6])
        let small = try Optimizers.build(name: "shampoo", params: [p], options: ["block_size": .number(4), "preconditioning_compute_steps": .number(1)])
        try small.step()
        let q = try Tensor([Float](repeating: 0.5, count: 36), shape: [6, 6])
        q.grad = p.grad
        let big = try Optimizers.build(name: "shampoo", params: [q], options: ["block_size": .number(3), "shape_interpretation": .bool(false)])
        try big.loadStateDict(try small.stateDict())
        // The state dict brings its options back; change the block size afterwards.
        try big.setOption("block_size", .number(3), group: 0)
        #expect(throws: TensorError.self) { try big.step() }
    }
}
