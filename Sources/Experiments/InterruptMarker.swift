import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes an `interrupted` status.json from inside a C signal handler. Everything that
/// allocates (paths, the start time, host, pid) is rendered when the run starts into raw
/// buffers; the handler only formats numbers into a preallocated buffer and calls open, write,
/// fsync, close and rename, which are async-signal-safe.
final class InterruptMarker {
    private let tempPath: UnsafeMutablePointer<CChar>
    private let finalPath: UnsafeMutablePointer<CChar>
    private let head: [UInt8]
    private let crashHead: [UInt8]
    private let middle: [UInt8]
    private let tail: [UInt8]
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let startMillis: Int64
    /// Set (to 1) once the run has a final status, so a late signal does not overwrite it.
    let finished: UnsafeMutablePointer<Int32>

    /// The marker of the run in progress, used by `RunRecorder.signalHandler`.
    nonisolated(unsafe) static var active: InterruptMarker?

    /// `extra`: JSON members (`,"attempts":[...]`) rendered in before the closing brace.
    init(directory: URL, startTime: Date, host: String, pid: Int32, extra: [UInt8] = []) {
        tempPath = strdup(directory.appendingPathComponent(".status.json.tmp-signal").path)
        finalPath = strdup(directory.appendingPathComponent("status.json").path)
        var hostJSON: [UInt8] = []
        JSONValue.appendString(host, to: &hostJSON)
        head = Array(#"{"status":"interrupted","error":"interrupted by signal "#.utf8)
        crashHead = Array(#"{"status":"crashed","error":"crashed with signal "#.utf8)
        middle = Array(#"","start_time":""#.utf8) + Array(Timestamp.format(startTime).utf8) + Array(#"","end_time":""#.utf8)
        tail = Array(#","pid":\#(pid),"host":"#.utf8) + hostJSON + extra + Array("}\n".utf8)
        capacity = max(head.count, crashHead.count) + middle.count + tail.count + 128
        buffer = .allocate(capacity: capacity)
        startMillis = Int64((startTime.timeIntervalSince1970 * 1000).rounded())
        finished = .allocate(capacity: 1)
        finished.pointee = 0
    }

    deinit {
        free(tempPath)
        free(finalPath)
        buffer.deallocate()
        finished.deallocate()
    }

    /// Renders and writes the status file; allocation-free.
    /// `crashed`: the signal is a fault (SIGSEGV, SIGABRT, ...), recorded as status `crashed`.
    func write(signal sig: Int32, crashed: Bool = false) {
        guard finished.pointee == 0 else { return }
        finished.pointee = 1
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let now = Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
        var n = 0
        n = copy(crashed ? crashHead : head, at: n)
        n = InterruptMarker.formatInt(Int64(sig), into: buffer + n) + n
        n = copy(middle, at: n)
        n = InterruptMarker.formatISO(millis: now, into: buffer + n) + n
        for byte in #"","duration_seconds":"#.utf8 { buffer[n] = byte; n += 1 }
        let elapsed = max(0, now - startMillis)
        n = InterruptMarker.formatInt(elapsed / 1000, into: buffer + n) + n
        buffer[n] = UInt8(ascii: ".")
        n += 1
        let ms = elapsed % 1000
        for d in [ms / 100, (ms / 10) % 10, ms % 10] { buffer[n] = UInt8(48 + d); n += 1 }
        n = copy(tail, at: n)
        let fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var off = 0
        while off < n {
            let w = Glibc.write(fd, buffer + off, n - off)
            if w <= 0 { break }
            off += w
        }
        fsync(fd)
        close(fd)
        rename(tempPath, finalPath)
    }

    private func copy(_ bytes: [UInt8], at offset: Int) -> Int {
        bytes.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress else { return }
            (buffer + offset).update(from: base, count: min(src.count, capacity - offset))
        }
        return offset + bytes.count
    }

    /// Decimal digits of a non-negative integer; returns the count written.
    static func formatInt(_ value: Int64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var v = max(0, value)
        var digits = 0
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { raw in
            repeat {
                raw[digits] = UInt8(48 + v % 10)
                v /= 10
                digits += 1
            } while v > 0 && digits < 20
            for i in 0..<digits { out[i] = raw[digits - 1 - i] }
        }
        return digits
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC) for milliseconds since 1970; returns 24. The civil
    /// date comes from Howard Hinnant's days-to-civil algorithm (pure integer arithmetic).
    static func formatISO(millis: Int64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let secs = millis / 1000
        let ms = millis % 1000
        let days = secs / 86400
        let rem = secs % 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        var n = 0
        func put(_ v: Int64, _ width: Int) {
            var p = 1 as Int64
            for _ in 1..<width { p *= 10 }
            var w = width
            while w > 0 { out[n] = UInt8(48 + (v / p) % 10); n += 1; p /= 10; w -= 1 }
        }
        func sep(_ c: Unicode.Scalar) { out[n] = UInt8(ascii: c); n += 1 }
        put(year, 4); sep("-"); put(month, 2); sep("-"); put(day, 2); sep("T")
        put(rem / 3600, 2); sep(":"); put((rem / 60) % 60, 2); sep(":"); put(rem % 60, 2); sep(".")
        put(ms, 3); sep("Z")
        return n
    }
}
