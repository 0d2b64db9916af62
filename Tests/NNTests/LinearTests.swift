import Testing
import Tensors
import NN

extension NNSuite {
    @Suite struct LinearTests {
        @Test func valuesMatchHandComputation() throws {
            let x = try tensor([1, 2, 3, 4, 5, 6], [2, 3])
            let w = try tensor([1, 0, -1, 0.5, 0.5, 0.5], [2, 3])
            let b = try tensor([10, 20], [2])
            let y = try Functional.linear(x, weight: w, bias: b)
            #expect(y.shape == [2, 2])
            #expect(y.toArray() == [8, 23, 8, 27.5])
            #expect(try Functional.linear(x, weight: w).toArray() == [-2, 3, -2, 7.5])
        }

        @Test func leadingDimensionsAndVectors() throws {
            let x = try randomTensor([2, 3, 4], seed: 1)
            let w = try randomTensor([5, 4], seed: 2)
            #expect(try Functional.linear(x, weight: w).shape == [2, 3, 5])
            let v = try tensor([1, 2, 3, 4], [4])
            #expect(try Functional.linear(v, weight: w).shape == [5])
        }

        @Test func gradients() throws {
            let x = try randomTensor([3, 4], seed: 1, grad: true)
            let w = try randomTensor([2, 4], seed: 2, grad: true)
            let b = try randomTensor([2], seed: 3, grad: true)
            try checkGradients([x, w, b]) { try Functional.linear($0[0], weight: $0[1], bias: $0[2]) }
            try checkGradients([x, w]) { try Functional.linear($0[0], weight: $0[1]) }
        }

        @Test func shapeErrors() throws {
            let x = try Tensor(uninitializedShape: [64, 100])
            let w = try Tensor(uninitializedShape: [10, 784])
            #expect(errorMessage { try Functional.linear(x, weight: w) }
                    == "linear: expected input with last dimension 784, got shape [64, 100]")
            let w2 = try Tensor(uninitializedShape: [10, 100])
            let b = try Tensor(uninitializedShape: [3])
            #expect(errorMessage { try Functional.linear(x, weight: w2, bias: b) }
                    == "linear: expected bias of shape [10], got shape [3]")
        }
    }
}
