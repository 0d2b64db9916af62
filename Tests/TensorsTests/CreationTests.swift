import Testing
@testable import Tensors

@Test func constantFactories() throws {
    #expect(try Tensor.zeros([2, 3]).toArray() == [Float](repeating: 0, count: 6))
    #expect(try Tensor.ones([2]).toArray() == [1, 1])
    #expect(try Tensor.full([2, 2], value: 7).toArray() == [7, 7, 7, 7])
    #expect(try Tensor.empty([0, 3]).count == 0)
    #expect(try Tensor.eye(3).toArray() == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    #expect(try Tensor.eye(2, 3).toArray() == [1, 0, 0, 0, 1, 0])
    let s = try Tensor.scalar(2.5)
    #expect(s.shape == [] && s.toArray() == [2.5])
    let like = try Tensor.fullLike(Tensor.zeros([2, 5]), value: 3)
    #expect(like.shape == [2, 5] && like.toArray().allSatisfy { $0 == 3 })
    #expect(try Tensor.zerosLike(s).shape == [])
    #expect(try Tensor.onesLike(Tensor.zeros([4])).toArray() == [1, 1, 1, 1])
    #expect(throws: TensorError.self) { try Tensor.zeros([-1, 2]) }
}

@Test func ranges() throws {
    #expect(try Tensor.arange(start: 1, end: 4).toArray() == [1, 2, 3])
    #expect(try Tensor.arange(start: 0, end: 1, step: 0.25).toArray() == [0, 0.25, 0.5, 0.75])
    #expect(try Tensor.arange(start: 5, end: 0, step: -2).toArray() == [5, 3, 1])
    #expect(try Tensor.arange(start: 0, end: 0).shape == [0])
    #expect(try Tensor.arange(start: 0, end: 1, step: 0.3).count == 4)  // ceil(1 / 0.3)
    #expect(throws: TensorError("arange: step must be non-zero")) { try Tensor.arange(start: 0, end: 3, step: 0) }
    #expect(throws: TensorError.self) { try Tensor.arange(start: 0, end: 3, step: -1) }
    #expect(throws: TensorError.self) { try Tensor.arange(start: 0, end: 1e300) }
    #expect(throws: TensorError.self) { try Tensor.arange(start: 0, end: .nan) }
    #expect(try Tensor.linspace(start: 0, end: 1, count: 5).toArray() == [0, 0.25, 0.5, 0.75, 1])
    #expect(try Tensor.linspace(start: 3, end: 9, count: 1).toArray() == [3])
    #expect(try Tensor.linspace(start: 0, end: 1, count: 0).count == 0)
    #expect(try Tensor.linspace(start: -1, end: 0.3, count: 7).toArray().last == 0.3)
    #expect(throws: TensorError.self) { try Tensor.linspace(start: 0, end: 1, count: -1) }
}

@Test func randomFactoriesAreSeededAndInRange() throws {
    let u = try Tensor.rand([1000], generator: Generator(seed: 7))
    #expect(u.toArray().allSatisfy { $0 >= 0 && $0 < 1 })
    #expect(try Tensor.rand([1000], generator: Generator(seed: 7)).toArray() == u.toArray())
    let n = try Tensor.randn([20000], generator: Generator(seed: 8))
    let mean = try n.mean().item(), std = try n.std().item()
    #expect(Swift.abs(mean) < 0.05 && Swift.abs(std - 1) < 0.05)
    let r = try Tensor.randint(low: 1, high: 11, shape: [5000], generator: Generator(seed: 9))
    let v = r.toArray()
    #expect(v.allSatisfy { $0 >= 1 && $0 <= 10 && $0 == $0.rounded() })
    #expect(Set(v).count == 10)
    #expect(throws: TensorError("randint: expected low < high, got low = 3, high = 3")) {
        try Tensor.randint(low: 3, high: 3, shape: [2])
    }
    #expect(try Tensor.randnLike(Tensor.zeros([3, 2])).shape == [3, 2])
}
