import Testing
@testable import Tensors

@Test func formatsMatricesWithAlignedColumns() throws {
    let m = try Tensor([1, -2.5, 3, 4], shape: [2, 2])
    #expect(m.description == "[[ 1.0000, -2.5000],\n [ 3.0000,  4.0000]]\n[tensor of shape [2, 2]]")
    let ints = try Tensor([1, 20, 3], shape: [3])
    #expect(ints.description == "[ 1, 20,  3]\n[tensor of shape [3]]")
    let cube = try Tensor.arange(start: 0, end: 8).contiguousData()
    let c3 = Tensor(storage: cube.storage, shape: [2, 2, 2], strides: [4, 2, 1], offset: 0)
    #expect(c3.description == "[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]\n[tensor of shape [2, 2, 2]]")
}

@Test func formatsScalarsEmptyAndSpecialValues() throws {
    #expect(try Tensor.scalar(3.5).description == "3.5000")
    #expect(try Tensor.scalar(3).description == "3")
    #expect(try Tensor.zeros([0]).description == "[tensor of shape [0]]")
    #expect(try Tensor.zeros([2, 0]).description == "[tensor of shape [2, 0]]")
    #expect(try Tensor([1e-6, 1], shape: [2]).description == "[1.0000e-06, 1.0000e+00]\n[tensor of shape [2]]")
    #expect(try Tensor([.nan, 0.5, -.infinity], shape: [3]).description == "[   nan, 0.5000,   -inf]\n[tensor of shape [3]]")
    let t = Tensor(storage: try Tensor([1, 2, 3, 4], shape: [4]).storage, shape: [2, 2], strides: [1, 2], offset: 0)
    #expect(t.description == "[[1, 3],\n [2, 4]]\n[tensor of shape [2, 2]]")
}

@Test func summarisesLargeTensors() throws {
    let big = try Tensor.arange(start: 0, end: 2000)
    #expect(big.description == "[   0,    1,    2, ..., 1997, 1998, 1999]\n[tensor of shape [2000]]")
    let m = Tensor(storage: big.storage, shape: [100, 20], strides: [20, 1], offset: 0)
    let lines = m.description.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 8)
    #expect(lines[0] == "[[   0,    1,    2, ...,   17,   18,   19],")
    #expect(lines[3] == " ...,")
    #expect(lines[6] == " [1980, 1981, 1982, ..., 1997, 1998, 1999]]")
    #expect(lines[7] == "[tensor of shape [100, 20]]")
    // long rows wrap at 80 columns
    let row = try Tensor.arange(start: 0, end: 30).add(0.5)
    #expect(row.description.split(separator: "\n").allSatisfy { $0.count <= 80 })
}
