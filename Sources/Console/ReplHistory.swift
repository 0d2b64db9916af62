import Foundation

/// The REPL's history file: one entered line per line of text, loaded at start, appended after
/// every entry, and kept to the last `limit` lines. File errors are ignored (a read-only or
/// missing home directory only means no history).
///
/// ```swift
/// let history = ReplHistory(path: ReplHistory.defaultPath())
/// history.add("x = tensor.randn(3)")   // appended to ~/.descent_history
/// history.entries.last                 // "x = tensor.randn(3)"
/// ```
public final class ReplHistory {
    public static let defaultLimit = 1000
    /// nil: history is kept in memory only.
    public let path: String?
    public let limit: Int
    /// Oldest first.
    public private(set) var entries: [String]

    public init(path: String?, limit: Int = ReplHistory.defaultLimit) {
        self.path = path
        self.limit = max(1, limit)
        let text = path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        entries = Array(lines.suffix(self.limit))
        // A file that grew past the limit (an older session, another tool) is cut back now.
        if lines.count > self.limit { rewrite() }
    }

    /// `$DESCENT_HISTORY`, else `~/.descent_history`; nil (no file) when DESCENT_HISTORY is set
    /// but empty, or there is no home directory.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["DESCENT_HISTORY"] { return path.isEmpty ? nil : path }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".descent_history")
    }

    /// Records a line the user entered (blank lines and repeats of the previous line are not kept).
    public func add(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace), !line.contains("\n"), line != entries.last else { return }
        entries.append(line)
        if entries.count > limit {
            entries.removeFirst(entries.count - limit)
            rewrite()
        } else {
            append(line)
        }
    }

    private func append(_ line: String) {
        guard let path else { return }
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }

    private func rewrite() {
        guard let path else { return }
        let text = entries.map { $0 + "\n" }.joined()
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
