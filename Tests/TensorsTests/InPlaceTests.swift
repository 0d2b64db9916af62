import Testing
@testable import Tensors

@Test func inPlaceArithmetic() throws {
    let x = try Tensor([1, 2, 3, 4], shape: [2, 2])
    #expect(try x.add_(1).toArray() == [2, 3, 4, 5])
    try x.sub_(Tensor([1, 1], shape: [2]))
    #expect(x.toArray() == [1, 2, 3, 4])
    try x.mul_(2).div_(Tensor.full([2, 2], value: 2))
    #expect(x.toArray() == [1, 2, 3, 4])
    try x.add_(Tensor.ones([2, 2]), alpha: 0.5)
    #expect(x.toArray() == [1.5, 2.5, 3.5, 4.5])
    try x.sub_(0.5).mul_(Tensor([1, -1], shape: [2])).abs_().neg_()
    #expect(x.toArray() == [-1, -2, -3, -4])
    try x.clamp_(min: -3.5, max: nil).neg_().sqrt_()
    #expect(elemClose(x.toArray(), [1, 2.0.squareRoot(), 3.0.squareRoot(), 3.5.squareRoot()]))
    try x.fill_(2).pow_(3)
    #expect(x.toArray() == [8, 8, 8, 8])
    try x.maximum_(Tensor([9, 1], shape: [2]))
    #expect(x.toArray() == [9, 8, 9, 8])
    try x.zero_().addcmul_(Tensor([1, 2], shape: [2]), Tensor.full([2, 1], value: 3), value: 2)
    #expect(x.toArray() == [6, 12, 6, 12])
    try x.addcdiv_(Tensor.full([2, 2], value: 6), Tensor([2, 3], shape: [2]), value: -1)
    #expect(x.toArray() == [3, 10, 3, 10])
    try x.lerp_(Tensor.zeros([2, 2]), weight: 0.5)
    #expect(x.toArray() == [1.5, 5, 1.5, 5])
    try x.copy_(Tensor([7, 8], shape: [2]))
    #expect(x.toArray() == [7, 8, 7, 8])
    try x.div_(2).sub_(Tensor.ones([2]), alpha: 2)
    #expect(x.toArray() == [1.5, 2, 1.5, 2])
}

@Test func inPlaceWritesThroughNonContiguousViews() throws {
    let m = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    let column = Tensor(storage: m.storage, shape: [2], strides: [3], offset: 1)
    try column.fill_(0)
    #expect(m.toArray() == [1, 0, 3, 4, 0, 6])
    try column.add_(Tensor([10, 20], shape: [2]))
    #expect(m.toArray() == [1, 10, 3, 4, 20, 6])
    let mt = Tensor(storage: m.storage, shape: [3, 2], strides: [1, 3], offset: 0)
    try mt.mul_(Tensor([1, 2], shape: [2]))  // doubles the second row of m
    #expect(m.toArray() == [1, 10, 3, 8, 40, 12])
    try mt.uniform_(from: 5, to: 6, generator: Generator(seed: 1))
    #expect(m.toArray().allSatisfy { $0 >= 5 && $0 < 6 })
    try mt.normal_(mean: 100, std: 0, generator: Generator(seed: 1))
    #expect(m.toArray().allSatisfy { $0 == 100 })
    // a source overlapping the destination in another layout is read before it is overwritten
    let sq = try Tensor([1, 2, 3, 4], shape: [2, 2])
    try sq.copy_(Tensor(storage: sq.storage, shape: [2, 2], strides: [1, 2], offset: 0))
    #expect(sq.toArray() == [1, 3, 2, 4])
}

@Test func inPlaceErrors() throws {
    let leaf = try Tensor.ones([2])
    leaf.requiresGrad = true
    #expect(throws: TensorError("add_: a leaf tensor that requires grad is used in an in-place operation")) {
        try leaf.add_(1)
    }
    try GradMode.withoutGrad { try leaf.add_(1) }
    #expect(leaf.toArray() == [2, 2])
    let x = try Tensor.zeros([2, 3])
    #expect(throws: TensorError.self) { try x.add_(Tensor.ones([3, 3])) }
    #expect(throws: TensorError.self) { try x.copy_(Tensor.ones([2, 3, 1])) }
    let expanded = Tensor(storage: x.storage, shape: [4, 3], strides: [0, 1], offset: 0)
    #expect(throws: TensorError.self) { try expanded.fill_(1) }
    #expect(throws: TensorError.self) { try x.clamp_(min: nil, max: nil) }
}
