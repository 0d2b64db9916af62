import Foundation
import Testing
@testable import Data
import Tensors

@Suite struct DatasetsTests {
    @Test func bundledDigits() throws {
        let (x, y, classes) = try Datasets.digits()
        #expect(x.shape == [1797, 64])
        let pixels = x.toArray()
        #expect(pixels.min() == 0 && pixels.max() == 16)
        #expect(y.shape == [1797])
        #expect(Set(y.toArray()) == Set((1...10).map(Float.init)))
        #expect(classes == (0...9).map(String.init))
    }

    @Test func mnist5k() throws {
        let (train, test, classes) = try Datasets.mnist(repositoryRoot.appendingPathComponent("data/mnist5k").path)
        #expect(train.x.shape == [4000, 784] && train.y.shape == [4000])
        #expect(test.x.shape == [1000, 784] && test.y.shape == [1000])
        let pixels = train.x.toArray()
        #expect(pixels.min() == 0 && pixels.max() == 1)
        #expect(Set(train.y.toArray()) == Set((1...10).map(Float.init)))
        #expect(Set(test.y.toArray()) == Set((1...10).map(Float.init)))
        #expect(classes.count == 10)
    }

    @Test func mnistStandardNamesAndErrors() throws {
        let files = try TestFiles()
        defer { files.remove() }
        #expect(errorMessage { _ = try Datasets.mnist(files.directory.path) }?.contains("train-images-idx3-ubyte") == true)
        try files.write("train-images-idx3-ubyte", idxHeader(type: 0x08, shape: [2, 2, 2]) + [0, 255, 0, 0, 51, 0, 0, 0])
        try files.writeGzip("train-labels-idx1-ubyte.gz", idxHeader(type: 0x08, shape: [2]) + [9, 0])
        try files.write("t10k-images-idx3-ubyte", idxHeader(type: 0x08, shape: [1, 2, 2]) + [0, 0, 0, 0])
        try files.write("t10k-labels-idx1-ubyte", idxHeader(type: 0x08, shape: [1]) + [10])
        let message = errorMessage { _ = try Datasets.mnist(files.directory.path) }
        #expect(message?.contains("expected a digit 0...9, got 10.0") == true, "\(message ?? "")")
        try files.write("t10k-labels-idx1-ubyte", idxHeader(type: 0x08, shape: [2]) + [1, 2])
        #expect(errorMessage { _ = try Datasets.mnist(files.directory.path) }?.contains("one per image") == true)
        try files.write("t10k-labels-idx1-ubyte", idxHeader(type: 0x08, shape: [1]) + [3])
        let (train, test, _) = try Datasets.mnist(files.directory.path)
        #expect(train.x.shape == [2, 4] && train.x.toArray() == [0, 1, 0, 0, 0.2, 0, 0, 0])
        #expect(train.y.toArray() == [10, 1] && test.y.toArray() == [4])
    }

    @Test func splitSizesAndDeterminism() throws {
        let x = try Tensor((0..<20).map(Float.init), shape: [10, 2])
        let y = try Tensor((0..<10).map(Float.init), shape: [10])
        let a = try Datasets.split(x, y, fraction: 0.7, seed: 3)
        #expect(a.trainX.shape == [7, 2] && a.testX.shape == [3, 2])
        #expect(a.trainY?.shape == [7] && a.testY?.shape == [3])
        // Rows stay paired and every row lands in exactly one part.
        let rows = (a.trainY!.toArray() + a.testY!.toArray()).map(Int.init)
        #expect(rows.sorted() == Array(0..<10))
        let xs = a.trainX.toArray() + a.testX.toArray()
        for (k, r) in rows.enumerated() { #expect(xs[2 * k] == Float(2 * r) && xs[2 * k + 1] == Float(2 * r + 1)) }
        let b = try Datasets.split(x, y, fraction: 0.7, seed: 3)
        #expect(b.trainY?.toArray() == a.trainY?.toArray())
        let c = try Datasets.split(x, nil, fraction: 0.5, seed: 4)
        #expect(c.trainX.shape == [5, 2] && c.trainY == nil)
        for bad in [0.0, 1.0, -0.1, .nan] {
            #expect(errorMessage { _ = try Datasets.split(x, y, fraction: bad) }?.contains("fraction") == true)
        }
        let short = try Tensor([1, 2], shape: [2])
        #expect(errorMessage { _ = try Datasets.split(x, short, fraction: 0.5) }?.contains("same number of rows") == true)
    }
}
