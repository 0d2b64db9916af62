import Testing
@testable import Data
import Tensors

/// All batches of the loader's next epoch, as (x values, y values).
private func epoch(_ loader: DataLoader) throws -> [([Float], [Float]?)] {
    let e = loader.makeEpoch()
    var out = [([Float], [Float]?)]()
    while let b = try e.next() { out.append((b.x.toArray(), b.y?.toArray())) }
    return out
}

@Suite struct DataLoaderTests {
    let x = try! Tensor((0..<30).map(Float.init), shape: [10, 3])
    let y = try! Tensor((1...10).map(Float.init), shape: [10])

    @Test func sequentialBatchesAndCount() throws {
        let loader = try DataLoader(x: x, y: y, batchSize: 4)
        #expect(loader.count == 3)
        let batches = try epoch(loader)
        #expect(batches.count == 3)
        #expect(batches[0].1 == [1, 2, 3, 4] && batches[2].1 == [9, 10])
        #expect(batches[0].0 == (0..<12).map(Float.init))
        let e = loader.makeEpoch()
        let first = try e.next()
        #expect(first?.x.shape == [4, 3] && first?.y?.shape == [4])
    }

    @Test func dropLast() throws {
        let loader = try DataLoader(x: x, y: nil, batchSize: 4, dropLast: true)
        #expect(loader.count == 2)
        let batches = try epoch(loader)
        #expect(batches.count == 2 && batches.allSatisfy { $0.0.count == 12 && $0.1 == nil })
        #expect(try DataLoader(x: x, batchSize: 11, dropLast: true).count == 0)
        #expect(try epoch(DataLoader(x: x, batchSize: 11, dropLast: true)).isEmpty)
    }

    @Test func shuffleIsDeterministicAndDiffersByEpoch() throws {
        let a = try DataLoader(x: x, y: y, batchSize: 3, shuffle: true, seed: 42)
        let b = try DataLoader(x: x, y: y, batchSize: 3, shuffle: true, seed: 42)
        let a0 = try epoch(a).flatMap { $0.1! }, a1 = try epoch(a).flatMap { $0.1! }
        let b0 = try epoch(b).flatMap { $0.1! }, b1 = try epoch(b).flatMap { $0.1! }
        #expect(a0 == b0 && a1 == b1)
        #expect(a0 != a1)
        #expect(a0.sorted() == (1...10).map(Float.init))
        let c0 = try epoch(DataLoader(x: x, y: y, batchSize: 3, shuffle: true, seed: 43)).flatMap { $0.1! }
        #expect(c0 != a0)
        #expect(a.rowOrder(epoch: 1).map { Float($0 + 1) } == a1)
        // x rows follow y.
        for (xs, ys) in try epoch(a) {
            for (k, label) in ys!.enumerated() { #expect(xs[3 * k] == (label - 1) * 3) }
        }
    }

    @Test func stateResumesMidEpoch() throws {
        let a = try DataLoader(x: x, y: y, batchSize: 3, shuffle: true, seed: 7)
        _ = try epoch(a)
        let e = a.makeEpoch()
        _ = try e.next()
        let saved = a.state
        #expect(saved == DataLoader.State(epoch: 1, position: 1))
        let rest = try [e.next(), e.next(), e.next()].map { $0!.y!.toArray() }
        #expect(try e.next() == nil)
        #expect(a.state == DataLoader.State(epoch: 2, position: 0))

        let b = try DataLoader(x: x, y: y, batchSize: 3, shuffle: true, seed: 7)
        try b.restore(saved)
        #expect(try epoch(b).map { $0.1! } == rest)
        #expect(try epoch(b).map { $0.1! } == epoch(a).map { $0.1! })  // both continue with epoch 2
        #expect(errorMessage { try b.restore(DataLoader.State(epoch: 0, position: 9)) }?.contains("position") == true)
    }

    @Test func newEpochEndsTheOldIterator() throws {
        let loader = try DataLoader(x: x, y: y, batchSize: 3)
        let first = loader.makeEpoch()
        _ = try first.next()
        let second = loader.makeEpoch()  // abandons epoch 0
        #expect(loader.state == DataLoader.State(epoch: 1, position: 0))
        #expect(try first.next() == nil)
        #expect(try second.next()?.y?.toArray() == [1, 2, 3])
        while try second.next() != nil {}
        #expect(try second.next() == nil)  // does not run into epoch 2
    }

    @Test func nonContiguousInputIsGatheredInLogicalOrder() throws {
        let base = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let transposed = Tensor(storage: base.storage, shape: [3, 2], strides: [1, 3], offset: 0)
        let loader = try DataLoader(x: transposed, batchSize: 2)
        #expect(try epoch(loader).map { $0.0 } == [[1, 4, 2, 5], [3, 6]])
    }

    @Test func validation() throws {
        #expect(errorMessage { _ = try DataLoader(x: x, y: y, batchSize: 0) }?.contains("batch_size") == true)
        let short = try Tensor([1, 2], shape: [2])
        #expect(errorMessage { _ = try DataLoader(x: x, y: short, batchSize: 2) }?.contains("same number of rows") == true)
        let scalar = try Tensor([1], shape: [])
        #expect(errorMessage { _ = try DataLoader(x: scalar, batchSize: 2) }?.contains("scalar") == true)
    }
}
