#if canImport(Glibc)
import Glibc
#endif

/// The first SIGINT/SIGTERM a sweep received, recorded by a C signal handler that only stores
/// an integer (async-signal-safe) and polled by the sweep loop. A real handler, not SIG_IGN +
/// DispatchSource, because ignored signals stay ignored in children across exec, and the
/// children of a sweep must still die on Ctrl-C.
enum StopSignal {
    static let store: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    static var received: Int32 { store.pointee }

    static func install() {
        store.pointee = 0
        for sig in [SIGINT, SIGTERM] { signal(sig, stopHandler) }
    }

    static func restore() {
        for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) }
    }
}

private let stopHandler: @convention(c) (Int32) -> Void = { sig in
    if StopSignal.store.pointee == 0 { StopSignal.store.pointee = sig }
}
