import ArgumentParser
import Console
import Foundation
import LuaHost
import LuaModules

/// `descent repl` (and `descent` alone on a terminal): an interactive Lua prompt with every
/// module loaded, as in a script run by `descent run`.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start an interactive Lua prompt with descent's modules loaded.",
        discussion: """
            Expressions print their values (tensors pretty-printed); unfinished statements \
            continue on the next line (>> prompt); errors are printed and the prompt goes on. \
            Ctrl-C drops the line or interrupts the running code; Ctrl-D exits. History is kept \
            in ~/.descent_history (or $DESCENT_HISTORY; empty for none). With input from a pipe \
            or a file there is no prompt: only results and errors are printed.

            Examples:
              descent repl --seed 1
              echo 'tensor.randn(2, 3)' | descent repl --seed 3
            """)

    @OptionGroup var runtimeOptions: RuntimeOptions

    func run() throws {
        unblockTerminationSignals()
        let runtime = try Runtime(context: runtimeOptions.makeContext(scriptPath: ""))
        let interactive = isatty(STDIN_FILENO) != 0
        var input: LineSource = StandardInputLineSource()
        if interactive, let editor = EditLineSource(history: ReplHistory(path: ReplHistory.defaultPath())) {
            input = editor
            editor.enableCompletion(try ReplCompletion(host: runtime.host))
            LuaHost.installInterruptHandler()
        }
        if interactive { print(ReplCommand.banner) }
        try Repl(host: runtime.host, input: input, output: .standard).run()
    }

    static var banner: String {
        "descent \(Descent.version) (\(LuaHost.luaRelease)) — modules: "
            + Runtime.moduleNames.joined(separator: ", ") + ". help(x) explains x; Tab completes. Ctrl-D exits."
    }
}
