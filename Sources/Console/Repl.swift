import LuaHost

/// The read-eval-print loop of `descent repl`, with the rules of the standalone `lua` 5.4:
/// a line is first tried as `return <line>;` and, if that compiles, its results are printed;
/// otherwise it is compiled as a statement, and while Lua reports the chunk unfinished (the
/// error ends in `<eof>`) more lines are read with the `>> ` prompt. `=expr` is `return expr`.
/// Errors are printed (message and traceback) and the loop goes on; it ends when the input does.
///
/// ```swift
/// let repl = try Repl(host: runtime.host, input: StandardInputLineSource(), output: .standard)
/// repl.run()
/// ```
///
/// All Lua code runs through `LuaHost.call` (a protected call), and inside
/// `LuaHost.interruptible`, so Ctrl-C stops a long evaluation when the interrupt handler is
/// installed.
public final class Repl {
    public static let prompt = "> "
    public static let continuationPrompt = ">> "
    /// The chunk name of entered code: errors read `stdin:1: ...`. An `@` name, so errors raised
    /// inside the embedded libraries point at the entered line, as they do for scripts.
    static let chunkName = "@stdin"

    let host: LuaHost
    let input: LineSource
    let output: ReplOutput
    /// The display function (lua/repl_display.lua).
    private let display: LuaReference

    public init(host: LuaHost, input: LineSource, output: ReplOutput) throws {
        self.host = host
        self.input = input
        self.output = output
        try host.load(chunk: EmbeddedLua.repl_display)
        try host.call(nargs: 0, nresults: 1)
        display = host.reference(-1)
        host.state.pop()
    }

    /// Reads, evaluates and prints until the input ends.
    public func run() {
        while true {
            switch input.readLine(prompt: Repl.prompt) {
            case .end: return
            case .interrupt: continue
            case .line(let line): enter(line)
            }
        }
    }

    /// Whether a compile error only says the chunk is unfinished (`'end' expected near <eof>`,
    /// `unfinished string near <eof>`...), so reading another line may complete it.
    public static func isIncomplete(_ compileError: String) -> Bool {
        compileError.hasSuffix("<eof>")
    }

    /// How the lines read so far compile.
    enum Compiled: Equatable {
        /// The chunk's function is on top of the stack.
        case ready
        /// Lua wants more input; the error it would report if none comes.
        case incomplete(String)
        case failed(String)
    }

    /// Compiles `source`, leaving the function on the stack when it compiles.
    func compile(_ source: String) -> Compiled {
        do {
            try host.load(string: source, name: Repl.chunkName)
            return .ready
        } catch {
            let message = "\(error)"
            return Repl.isIncomplete(message) ? .incomplete(message) : .failed(message)
        }
    }

    /// Handles one entry starting with `firstLine`: compiles it (reading continuation lines
    /// while it is unfinished), runs it and prints its results or its error.
    func enter(_ firstLine: String) {
        let base = host.state.top
        defer { host.state.setTop(base) }
        display.push()
        switch read(firstLine) {
        case .ready: evaluate(base: base)
        case .failed(let message), .incomplete(let message): output.error(message + "\n")
        case nil: return
        }
    }

    /// Compiles the entry as lua.c does; nil when Ctrl-C dropped it.
    private func read(_ firstLine: String) -> Compiled? {
        let isExpression = firstLine.hasPrefix("=")
        let expression = isExpression ? "return " + firstLine.dropFirst() : "return " + firstLine + ";"
        if compile(expression) == .ready { return .ready }
        var source = isExpression ? expression : firstLine
        while true {
            let compiled = compile(source)
            guard case .incomplete = compiled else { return compiled }
            switch input.readLine(prompt: Repl.continuationPrompt) {
            case .line(let more): source += "\n" + more
            case .end: return compiled
            case .interrupt: return nil
            }
        }
    }

    /// Calls the compiled chunk (on top of the stack, the display function below it at
    /// `base + 1`) and prints what it returns.
    private func evaluate(base: Int32) {
        do {
            let text: String? = try host.interruptible {
                try host.call(nargs: 0, nresults: LUA_MULTIPLE_RESULTS)
                let results = host.state.top - base - 1
                guard results > 0 else { return nil }
                try host.call(nargs: results, nresults: 1)
                return host.state.string(at: -1)
            }
            if let text { output.write(text + "\n") }
        } catch {
            output.error("\(error)\n")
        }
    }
}
