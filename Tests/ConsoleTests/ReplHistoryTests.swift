import Foundation
import Testing
import Console

@Suite struct ReplHistoryTests {
    func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("descent-history-\(UUID().uuidString)").path
    }

    @Test func entriesAreAppendedAndReloaded() throws {
        let path = temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = ReplHistory(path: path)
        first.add("x = 1")
        first.add("   ")  // blank: not kept
        first.add("x + 1")
        first.add("x + 1")  // a repeat: not kept
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "x = 1\nx + 1\n")
        #expect(ReplHistory(path: path).entries == ["x = 1", "x + 1"])
    }

    @Test func fileIsCappedToTheLimit() throws {
        let path = temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (1...8).map { "line \($0)\n" }.joined().write(toFile: path, atomically: true, encoding: .utf8)
        let history = ReplHistory(path: path, limit: 5)
        #expect(history.entries == (4...8).map { "line \($0)" })
        history.add("line 9")
        #expect(history.entries == (5...9).map { "line \($0)" })
        #expect(try String(contentsOfFile: path, encoding: .utf8) == (5...9).map { "line \($0)\n" }.joined())
    }

    @Test func unwritableLocationIsIgnored() {
        let history = ReplHistory(path: "/nonexistent-dir/sub/.descent_history")
        history.add("still works")
        #expect(history.entries == ["still works"])
    }

    @Test func pathComesFromTheEnvironment() {
        #expect(ReplHistory.defaultPath(environment: ["DESCENT_HISTORY": "/tmp/h", "HOME": "/home/u"]) == "/tmp/h")
        #expect(ReplHistory.defaultPath(environment: ["DESCENT_HISTORY": "", "HOME": "/home/u"]) == nil)
        #expect(ReplHistory.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.descent_history")
        #expect(ReplHistory.defaultPath(environment: [:]) == nil)
    }
}
