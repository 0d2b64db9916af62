import ArgumentParser
import Foundation
import Tensors

/// The `descent` command: run Lua experiment scripts, sweep them, report on the results.
@main
struct Descent: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "descent",
        abstract: "Train models and run optimizer experiments written in Lua.",
        discussion: """
            Examples:
              descent run exp.lua --set lr=3e-4 --seed 1
              descent sweep exp.lua --grid optimizer=adam,adamw --seeds 3 --out runs/ablation
              descent report runs/ablation --metric test_accuracy
              descent predict --model model.lua --weights model.safetensors test.csv
              descent repl --seed 1

            With no arguments on a terminal, descent starts the REPL (descent repl).
            """,
        version: version,
        subcommands: Descent.allSubcommands)

    /// Exit codes of the contract: 0 success, 1 script error, 2 usage error.
    static func main() {
        // A binary built for x86-64-v3 would die of SIGILL on an older CPU at its first AVX2 loop.
        if let missing = CPULevel.missingFeatures() {
            FileHandle.standardError.write(Data(("descent: this binary was built for \(CPULevel.compiled) and this CPU lacks "
                + "\(missing); build the baseline one: DESCENT_CPU_LEVEL=baseline scripts/descent version\n").utf8))
            Foundation.exit(2)
        }
        do {
            // `descent` alone at a terminal is the REPL; with no terminal it prints the help.
            var command = CommandLine.arguments.count == 1 && isatty(STDIN_FILENO) != 0
                ? try ReplCommand.parseAsRoot([]) : try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            if let e = error as? ExitCode { Foundation.exit(e.rawValue) }
            // Anything the parser or a validate() rejected is a usage error.
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .failure ? 1 : 2)
        }
    }
}

/// `descent version`
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the version of descent, Lua and OpenBLAS.",
        discussion: "Example:\n  descent version")

    func run() throws {
        print("descent \(Descent.version) (\(luaVersionDescription()); built for \(CPULevel.compiled))")
    }
}
