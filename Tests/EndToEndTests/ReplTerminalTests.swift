import Foundation
import Testing

/// `descent repl` on a pseudo-terminal, driven as a user at a keyboard would: banner, prompts,
/// line editing by libedit, Ctrl-C (sent as SIGINT) at the prompt and during a long evaluation,
/// Ctrl-D, and the history file.
@Suite struct ReplTerminalTests {
    @Test func interactiveSession() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let historyFile = dir.appendingPathComponent("history").path
        let session = try TerminalSession(["repl"], environment: ["DESCENT_HISTORY": historyFile, "TERM": "dumb"])
        defer { session.close() }

        try session.waitFor("Ctrl-D exits.")
        try session.waitFor("> ")
        session.type("1 + 1\r")
        // Each input waits for the next prompt: typed while the previous line still runs, it
        // meets the terminal in cooked mode, and a Ctrl-D there was lost (a CI run hung on it).
        try session.waitFor("\n2\r\n> ")

        // Ctrl-C while code runs stops it, and the prompt comes back.
        session.type("io.write('looping\\n') io.flush() while true do end\r")
        try session.waitFor("\nlooping")
        session.interrupt()
        try session.waitFor("interrupted")
        try session.waitFor("in main chunk\r\n> ")
        session.type("'after'\r")
        try session.waitFor("\nafter\r\n> ")

        // Ctrl-C at the prompt drops what was typed.
        session.type("dropped_line")
        try session.waitFor("dropped_line")
        session.interrupt()
        try session.waitFor("dropped_line\r\n> ")  // a fresh prompt (typing sooner could race the signal)
        session.type("3 * 3\r")
        try session.waitFor("\n9\r\n> ")
        #expect(!session.text.contains("\nnil"), "the dropped line was evaluated: \(session.text)")

        session.type("\u{04}")  // Ctrl-D
        let status = try session.waitForExit()
        #expect(status == 0, "\(session.text)")
        let history = (try? String(contentsOfFile: historyFile, encoding: .utf8)) ?? ""
        #expect(history.contains("1 + 1\n") && history.contains("'after'\n") && history.contains("3 * 3\n"), "\(history)")
        #expect(!history.contains("dropped_line"), "\(history)")
    }
}

/// Tab completion at the terminal: module members after `.`, methods after `:`.
@Suite struct ReplCompletionTerminalTests {
    @Test func tabCompletesMembersAndMethods() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = try TerminalSession(
            ["repl"], environment: ["DESCENT_HISTORY": dir.appendingPathComponent("history").path, "TERM": "dumb"])
        defer { session.close() }
        try session.waitFor("Ctrl-D exits.")
        try session.waitFor("> ")
        // optim.Adag: only Adagrad, which Tab inserts.
        session.type("optim.Adag\t")
        try session.waitFor("optim.Adagrad")
        session.type("\r")
        try session.waitFor("> ")
        // optim.Adam: Adam, AdamW, Adamax share only what is typed; a second Tab lists them.
        session.type("optim.Adam\t\t")
        try session.waitFor("Adam  AdamW  Adamax")  // byte order
        session.type("\r")
        try session.waitFor("> optim.Adam\r\nfunction")
        try session.waitFor("> ")
        session.type("t = tensor.ones(2)\r")
        try session.waitFor("> ")
        session.type("t:resh\t")
        try session.waitFor("t:reshape")
        session.type("(2, 1)\r")
        // Ctrl-D only once the next prompt is up: typed earlier, it can arrive while the terminal
        // is switched back to line mode and be dropped with the typeahead.
        try session.waitFor("[tensor of shape [2, 1]]\r\n> ")
        session.type("\u{04}")
        #expect(try session.waitForExit() == 0, "\(session.text)")
    }
}

/// The `descent` binary with a pseudo-terminal as stdin, stdout and stderr; everything it writes
/// is collected in `text`.
final class TerminalSession {
    let process = Process()
    private let master: Int32
    private let lock = NSLock()
    private var received = Data()

    init(_ arguments: [String], environment: [String: String]) throws {
        var masterFD: Int32 = -1, slaveFD: Int32 = -1
        guard openpty(&masterFD, &slaveFD, nil, nil, nil) == 0 else { throw TerminalError("cannot open a pseudo-terminal") }
        master = masterFD
        let slave = FileHandle(fileDescriptor: slaveFD, closeOnDealloc: true)
        process.executableURL = Descent.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardInput = slave
        process.standardOutput = slave
        process.standardError = slave
        try process.run()
        try slave.close()
        // Plain read(2): once the child exits, reading the master fails with EIO, which ends the loop.
        let fd = masterFD
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                lock.lock()
                received.append(contentsOf: buffer[0..<n])
                lock.unlock()
            }
        }
    }

    deinit { Glibc.close(master) }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: received, as: UTF8.self)
    }

    func type(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Ctrl-C: the child is not in the terminal's foreground group, so the signal is sent directly.
    func interrupt() { process.interrupt() }

    /// Waits until the output contains `expected`.
    func waitFor(_ expected: String, timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !text.contains(expected) {
            guard Date() < deadline, process.isRunning || text.contains(expected) else {
                throw TerminalError("did not see \(expected.debugDescription) in:\n\(text)")
            }
            usleep(10_000)
        }
    }

    func waitForExit(timeout: TimeInterval = 60) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { throw TerminalError("descent did not exit; output:\n\(text)") }
        return process.terminationStatus
    }

    func close() {
        if process.isRunning { process.terminate() }
    }
}

struct TerminalError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Issue 14: Ctrl-C stops a loop that runs inside a coroutine (before: only the main thread had
/// the interrupt hook, and the loop ran on).
@Suite struct ReplCoroutineInterruptTests {
    @Test func ctrlCStopsALoopInsideACoroutine() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = try TerminalSession(
            ["repl"], environment: ["DESCENT_HISTORY": dir.appendingPathComponent("history").path, "TERM": "dumb"])
        defer { session.close() }
        try session.waitFor("Ctrl-D exits.")
        try session.waitFor("> ")
        session.type("coroutine.wrap(function() io.write('spinning\\n') io.flush() while true do end end)()\r")
        try session.waitFor("\nspinning")
        session.interrupt()
        try session.waitFor("interrupted", timeout: 20)
        try session.waitFor("> ")
        session.type("'after'\r")
        try session.waitFor("\nafter\r\n> ")
        session.type("\u{04}")
        #expect(try session.waitForExit() == 0, "\(session.text)")
    }
}
