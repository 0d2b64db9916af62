import CBLAS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Bytes of tensor storage alive in this process, and the cap on them.
///
/// Lua's garbage collector cannot see this memory, so the Lua host reads `liveBytes` to apply GC
/// pressure and to enforce `--max-memory`. The cap turns a runaway allocation into a clean
/// `TensorError` instead of an out-of-memory kill.
public enum TensorMemory {
    static let live = Atomic<Int>(0)
    static let total = Atomic<Int>(0)
    static let cap = Atomic<Int>(defaultCap())

    public static var liveBytes: Int { live.load(ordering: .relaxed) }
    /// Bytes allocated since the process started (monotonic); the Lua host turns its growth into
    /// GC steps.
    public static var allocatedBytes: Int { total.load(ordering: .relaxed) }
    /// The most tensor storage that may be alive at once, in bytes.
    public static var limit: Int {
        get { cap.load(ordering: .relaxed) }
        set { cap.store(max(0, newValue), ordering: .relaxed) }
    }

    static func defaultCap() -> Int {
        // Physical memory: anything larger can only end in the kernel's OOM killer.
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : Int.max
    }

    /// glibc returns every large block (> 128 KiB by default) to the kernel on free, so a loop
    /// that makes the same temporaries each step page-faults through fresh memory every time
    /// (a 40 MB tensor costs more to fault in than to compute). Keeping freed blocks in the heap
    /// makes them reusable at once; the live-bytes accounting and limits are unchanged.
    static let configureAllocator: Void = {
        descent_keep_freed_memory()
    }()

    /// Counts a storage of `bytes` (as `Storage.accounted(bytes)`: with its objects).
    static func reserve(_ bytes: Int) throws {
        configureAllocator
        let counted = Storage.accounted(bytes)
        let now = live.add(counted, ordering: .relaxed).newValue
        if now > limit {
            live.subtract(counted, ordering: .relaxed)
            // A request that could never fit is a bad argument, not the run reaching its limit.
            if counted <= limit { refusals.add(1, ordering: .relaxed) }
            throw TensorError(
                "out of memory: cannot allocate \(bytes) bytes of tensor storage (\(now - counted) in use, limit \(limit))")
        }
        total.add(counted, ordering: .relaxed)
    }

    static func release(_ bytes: Int) { live.subtract(Storage.accounted(bytes), ordering: .relaxed) }

    /// Times an allocation or a scratch check was refused because the memory in use left no room
    /// (the Lua host turns such a refusal under `--max-memory` into a limit hit that ends the
    /// run). A request larger than the whole limit is not counted: it is a bad argument (a
    /// catchable error), and nothing was exceeded.
    static let refusals = Atomic<Int>(0)
    public static var refusalCount: Int { refusals.load(ordering: .relaxed) }

    /// Throws unless `count` elements of `bytesPerElement` bytes fit under `limit` beside the
    /// live tensors. For Swift arrays sized from an element count that are not tensor storage
    /// (index lists, label rows, copies handed to Lua): an expanded (stride-0) tensor has 2^40
    /// elements in one float of storage, and sizing an array from that aborts the process.
    ///
    /// ```swift
    /// try TensorMemory.checkScratch(count: index.count, bytesPerElement: 16, op: "gather")
    /// ```
    public static func checkScratch(count: Int, bytesPerElement: Int, op: String, alsoInUse: Int = 0) throws {
        let (bytes, overflow) = max(count, 0).multipliedReportingOverflow(by: bytesPerElement)
        let inUse = liveBytes &+ max(alsoInUse, 0)
        if overflow || bytes > limit - inUse {
            if !overflow && bytes <= limit { refusals.add(1, ordering: .relaxed) }
            throw TensorError("\(op): out of memory: \(count) elements need \(overflow ? "more than \(Int.max)" : String(bytes)) bytes of working memory (\(inUse) in use, limit \(limit))")
        }
    }
}

/// A flat, 64-byte-aligned float32 buffer shared by a tensor and all of its views.
public final class Storage {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    /// Allocates `count` uninitialised floats; throws when the size is invalid or over the limit.
    public init(count: Int) throws {
        guard count >= 0 else { throw TensorError("cannot allocate a negative number of elements (\(count))") }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow else { throw TensorError("cannot allocate \(count) elements: size overflows") }
        try TensorMemory.reserve(bytes)
        // Small buffers come straight from malloc (16-byte aligned, and memalign's path makes
        // glibc consolidate its fast bins on every call); large ones are cache-line aligned.
        var raw: UnsafeMutableRawPointer? = nil
        if bytes < 1 << 14 {
            raw = malloc(max(bytes, 64))
        } else if posix_memalign(&raw, 64, bytes) != 0 {
            raw = nil
        }
        guard let raw else {
            TensorMemory.release(bytes)
            throw TensorError("out of memory: cannot allocate \(bytes) bytes")
        }
        self.count = count
        self.base = raw.bindMemory(to: Float.self, capacity: max(count, 16))
    }

    /// Allocates `count` floats set to `value`.
    public convenience init(count: Int, repeating value: Float) throws {
        try self.init(count: count)
        base.initialize(repeating: value, count: count)
    }

    deinit {
        free(base)
        TensorMemory.release(count * MemoryLayout<Float>.stride)
    }

    /// The bytes a storage of `bytes` is counted as: at least the 64 bytes malloc hands out,
    /// plus the Storage and Tensor objects around it (a one-element tensor costs ~300 bytes,
    /// not 4, and a loop of them must meet `--max-memory`).
    @inline(__always)
    static func accounted(_ bytes: Int) -> Int { max(bytes, 64) &+ 256 }
}
