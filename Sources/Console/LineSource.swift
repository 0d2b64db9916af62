#if canImport(Glibc)
import Glibc
#endif

/// What the REPL gets when it asks for a line.
public enum ReplInput: Equatable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C at the prompt: drop what was typed so far.
    case interrupt
    /// Ctrl-D or the end of piped input.
    case end
}

/// Where the REPL's lines come from: a line editor on a terminal, plain reading otherwise (and
/// a list of lines in tests).
///
/// ```swift
/// final class Lines: LineSource {
///     var lines = ["x = 1", "x + 1"]
///     func readLine(prompt: String) -> ReplInput { lines.isEmpty ? .end : .line(lines.removeFirst()) }
/// }
/// ```
public protocol LineSource: AnyObject {
    /// Reads one line, showing `prompt` first if the source is interactive.
    func readLine(prompt: String) -> ReplInput
}

/// Lines from standard input with no prompt, no editing and no history: `descent repl < file`
/// or input from a pipe, so the output holds only results and errors.
public final class StandardInputLineSource: LineSource {
    public init() {}

    public func readLine(prompt: String) -> ReplInput {
        Swift.readLine(strippingNewline: true).map(ReplInput.line) ?? .end
    }
}

/// Where the REPL writes results (`write`) and error messages (`error`).
///
/// ```swift
/// var shown = ""
/// let output = ReplOutput(write: { shown += $0 }, error: { shown += $0 })
/// ```
public struct ReplOutput {
    public var write: (String) -> Void
    public var error: (String) -> Void

    public init(write: @escaping (String) -> Void, error: @escaping (String) -> Void) {
        self.write = write
        self.error = error
    }

    /// stdout and stderr through C stdio, the same stream Lua's `print` writes to, so results
    /// and printed lines stay in order; stdout is flushed before an error and after a result.
    public static var standard: ReplOutput {
        ReplOutput(
            write: { text in
                fputs(text, stdout)
                fflush(stdout)
            },
            error: { text in
                fflush(stdout)
                fputs(text, stderr)
            })
    }
}
