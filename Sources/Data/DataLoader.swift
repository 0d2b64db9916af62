import Tensors

/// Iterates over mini-batches of rows of `x` (and `y`), one epoch at a time.
///
/// With `shuffle`, epoch `e` visits the rows in a Fisher–Yates permutation driven by
/// `Generator(seed: seed ^ mix(e))`: a pure function of (seed, e), so runs are reproducible,
/// independent of the thread count, and resumable mid-epoch from `state` alone.
/// Each batch is a new contiguous tensor gathered with one memcpy per row.
///
/// ```swift
/// let loader = try DataLoader(x: x, y: y, batchSize: 64, shuffle: true, seed: 1)
/// for _ in 0..<10 {
///     let epoch = loader.makeEpoch()
///     while let batch = try epoch.next() { /* batch.x, batch.y */ }
/// }
/// ```
public final class DataLoader {
    /// One mini-batch: `x` rows and the matching `y` rows (nil when the loader has no `y`).
    public struct Batch {
        public let x: Tensor
        public let y: Tensor?
    }

    /// Where the loader is: the next batch to produce is batch `position` (0-based) of epoch
    /// `epoch` (0-based). Save it with a checkpoint; `restore` it to resume exactly there.
    public struct State: Equatable, Codable, Sendable {
        public var epoch: Int
        public var position: Int
        public init(epoch: Int, position: Int) {
            self.epoch = epoch
            self.position = position
        }
    }

    public let x: Tensor
    public let y: Tensor?
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    /// Number of rows.
    public let rows: Int
    /// Number of batches per epoch (a final short batch counts unless `dropLast`).
    public let count: Int

    private var cursor = State(epoch: 0, position: 0)
    /// True when `makeEpoch` should run `cursor` as is (at the start, after a finished epoch or
    /// after `restore`); false while an epoch is under way, so the next `makeEpoch` starts a new one.
    private var atBoundary = true
    /// Invalidates the iterators of earlier epochs.
    private var generation = 0
    private var order: [Int] = []
    private var orderEpoch = -1

    /// - Throws: when x and y have different numbers of rows, x is a scalar or `batchSize < 1`.
    public init(x: Tensor, y: Tensor? = nil, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                seed: UInt64 = 0) throws {
        guard batchSize >= 1 else { throw TensorError("loader: batch_size must be at least 1, got \(batchSize)") }
        rows = try Rows.matching(x, y, "loader")
        // Made contiguous once so that every batch is one memcpy per row.
        self.x = try x.contiguousData()
        self.y = try y?.contiguousData()
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        // `rows + batchSize - 1` would overflow for batch_size = math.maxinteger: round up without it.
        count = dropLast ? rows / batchSize : (rows == 0 ? 0 : (rows - 1) / batchSize + 1)
    }

    /// The position to save for resuming (see `State`).
    public var state: State { cursor }

    /// Makes the next `makeEpoch` resume at `state`. A state at the end of an epoch
    /// (`position == count`) resumes at the start of the next one.
    /// - Throws: for a negative epoch or a position outside `0...count`.
    public func restore(_ state: State) throws {
        // The epoch bound only keeps `epoch + 1` from overflowing; no real run gets near it.
        guard state.epoch >= 0, state.epoch < 1 << 52, state.position >= 0, state.position <= count else {
            throw TensorError(
                "loader: state must have epoch in 0..<2^52 and position in 0...\(count), got epoch \(state.epoch), position \(state.position)")
        }
        cursor = state.position == count && count > 0 ? State(epoch: state.epoch + 1, position: 0) : state
        atBoundary = true
        generation += 1
    }

    /// Starts the next epoch (or resumes a restored state) and returns its batch iterator.
    /// Iterators of earlier epochs end when a new one starts.
    public func makeEpoch() -> Epoch {
        if !atBoundary { cursor = State(epoch: cursor.epoch + 1, position: 0) }
        atBoundary = false
        generation += 1
        return Epoch(loader: self, generation: generation)
    }

    /// The row order of epoch `epoch`: a seeded permutation with `shuffle`, else `0..<rows`.
    public func rowOrder(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<rows) }
        return Rows.permutation(rows, Generator(seed: seed ^ Rows.mix(UInt64(truncatingIfNeeded: epoch))))
    }

    /// Batch `index` of the current order (`index < count`).
    private func batch(_ index: Int) throws -> Batch {
        if orderEpoch != cursor.epoch {
            order = rowOrder(epoch: cursor.epoch)
            orderEpoch = cursor.epoch
        }
        let start = index * batchSize
        let slice = order[start..<(start + min(batchSize, rows - start))]
        return Batch(x: try Rows.gather(x, slice), y: try y.map { try Rows.gather($0, slice) })
    }

    /// The batches of one epoch, in order. `next()` returns nil at the end of the epoch.
    public final class Epoch {
        let loader: DataLoader
        let generation: Int

        init(loader: DataLoader, generation: Int) {
            self.loader = loader
            self.generation = generation
        }

        /// The next batch, or nil when the epoch is over (or a newer epoch has started).
        /// - Throws: only when the batch cannot be allocated (memory limit).
        public func next() throws -> Batch? {
            let l = loader
            guard l.generation == generation, l.cursor.position < l.count else { return nil }
            let b = try l.batch(l.cursor.position)
            l.cursor.position += 1
            if l.cursor.position == l.count {
                l.cursor = State(epoch: l.cursor.epoch + 1, position: 0)
                l.atBoundary = true
                l.generation += 1  // this iterator is done; it must not run into the next epoch
            }
            return b
        }
    }
}
