import Dispatch
import CBLAS

/// Thread settings shared by descent's kernels and OpenBLAS.
///
/// Work is split into chunks of a fixed number of elements, independent of the thread count, and
/// partial results are combined in chunk order; so a result is bit-identical with 1 or N threads.
public enum Parallel {
    nonisolated(unsafe) private static var threadCount = 1

    /// Threads used by large kernels and by OpenBLAS. `descent run --threads N` sets it.
    public static var threads: Int {
        get { threadCount }
        set {
            BLASSetup.configure
            threadCount = max(1, newValue)
            // OpenBLAS stays single-threaded: BLAS.sgemm runs its panels on descent's threads.
        }
    }

    /// Elements per chunk: big enough that a chunk costs far more than dispatching it.
    public static let defaultChunk = 1 << 16

    /// Calls `body` once per chunk of `0..<count`, on up to `threads` threads.
    @inlinable
    public static func forEachChunk(count: Int, chunk: Int = defaultChunk, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = (count + chunk - 1) / chunk
        if chunks == 1 || threads == 1 {
            var start = 0
            while start < count {
                body(start..<min(start + chunk, count))
                start += chunk
            }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { i in
            body(i * chunk..<min((i + 1) * chunk, count))
        }
    }

    /// Sums per-chunk partial results in chunk order (deterministic for any thread count).
    @inlinable
    public static func sumChunks(count: Int, chunk: Int = defaultChunk, _ partial: (Range<Int>) -> Double) -> Double {
        if count <= 0 { return 0 }
        let chunks = (count + chunk - 1) / chunk
        if chunks == 1 { return partial(0..<count) }
        var parts = [Double](repeating: 0, count: chunks)
        parts.withUnsafeMutableBufferPointer { out in
            let out = out
            forEachChunkIndex(chunks) { i in out[i] = partial(i * chunk..<min((i + 1) * chunk, count)) }
        }
        return parts.reduce(0, +)
    }

    @inlinable
    static func forEachChunkIndex(_ chunks: Int, _ body: (Int) -> Void) {
        if threads == 1 { for i in 0..<chunks { body(i) } } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
        }
    }
}
