import CEdit
import LuaHost
#if canImport(Glibc)
import Glibc
#endif

/// Lines from the terminal through libedit: emacs-style editing, up/down through the history
/// (kept in a `ReplHistory` file), Ctrl-C to drop the line, Ctrl-D to leave. `~/.editrc` applies.
///
/// ```swift
/// if let source = EditLineSource(history: ReplHistory(path: ReplHistory.defaultPath())) {
///     try Repl(host: host, input: source, output: .standard).run()
/// }
/// ```
public final class EditLineSource: LineSource {
    private let editor: OpaquePointer
    private let list: OpaquePointer
    private let history: ReplHistory
    /// The prompts as C strings that live as long as the editor (libedit keeps the pointer).
    private var prompts: [String: UnsafeMutablePointer<CChar>] = [:]

    /// nil when libedit cannot set up the terminal.
    public init?(history: ReplHistory) {
        guard let list = descent_history_open(Int32(history.limit)) else { return nil }
        guard let editor = descent_edit_open("descent", list) else {
            history_end(list)
            return nil
        }
        self.editor = editor
        self.list = list
        self.history = history
        for entry in history.entries { descent_history_add(list, entry) }
    }

    deinit {
        el_end(editor)
        history_end(list)
        for p in prompts.values { free(p) }
    }

    /// The completer Tab uses (one editor per process reads the terminal, so one is active).
    nonisolated(unsafe) static var activeCompletion: ReplCompletion?

    /// Binds Tab to complete the word before the cursor with `completion`.
    public func enableCompletion(_ completion: ReplCompletion) {
        EditLineSource.activeCompletion = completion
        descent_edit_bind_completion(editor) { el, _ in
            guard let el, let completion = EditLineSource.activeCompletion else { return UInt8(CC_ERROR) }
            var length: Int32 = 0
            let buffer = descent_edit_before_cursor(el, &length)
            let bytes = buffer.map { UnsafeRawBufferPointer(start: $0, count: Int(max(length, 0))) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
            let line = String(decoding: bytes, as: UTF8.self)
            let (text, list) = completion.insertion(for: line)
            if !text.isEmpty {
                _ = el_insertstr(el, text)
                return UInt8(CC_REFRESH)
            }
            if !list.isEmpty {
                // Several candidates and nothing in common to add: show them under the line.
                fputs("\n" + list.joined(separator: "  ") + "\n", stdout)
                fflush(stdout)
                return UInt8(CC_REDISPLAY)
            }
            return UInt8(CC_REFRESH_BEEP)
        }
    }

    public func readLine(prompt: String) -> ReplInput {
        descent_edit_set_prompt(editor, cPrompt(prompt))
        _ = LuaHost.takeInterrupt()  // a Ctrl-C that ended the last evaluation is not this line's
        var count: Int32 = 0
        guard let raw = el_gets(editor, &count) else {
            // -1 with EINTR (or a noted SIGINT): Ctrl-C; 0: Ctrl-D on an empty line.
            if count < 0 && (errno == EINTR || LuaHost.takeInterrupt()) {
                fputs("\n", stdout)
                fflush(stdout)
                return .interrupt
            }
            fputs("\n", stdout)  // leave the terminal on a fresh line
            return .end
        }
        var line = String(cString: raw)
        if line.hasSuffix("\n") { line.removeLast() }
        if !line.allSatisfy(\.isWhitespace) {
            descent_history_add(list, line)
            history.add(line)
        }
        return .line(line)
    }

    /// nil (an empty prompt) only if memory ran out.
    private func cPrompt(_ prompt: String) -> UnsafeMutablePointer<CChar>? {
        if let p = prompts[prompt] { return p }
        let p = strdup(prompt)
        prompts[prompt] = p
        return p
    }
}
