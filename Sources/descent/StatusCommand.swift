import ArgumentParser
import Experiments
import Foundation

/// `descent status`: where each entry of a sweep stands.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Count a sweep's done, failed, diverged, interrupted, running and missing runs.",
        discussion: """
        Lists failed entries with their errors and prints the indices to rerun in Slurm's \
        --array syntax. Exit code 0 when no entry failed, diverged or was interrupted, 1 otherwise \
        (running and missing entries do not count as failures).

        Examples:
          descent status runs/lr
          sbatch --array=$(descent status runs/lr --failed-indices) runs/lr/sweep.sbatch
          descent status runs/lr --list
        """)

    @Argument(help: "The sweep directory (the --out of descent sweep).")
    var directory: String

    @Flag(help: "Print the full manifest table with each entry's status.")
    var list = false

    @Flag(help: "Print only the failed indices in --array syntax (e.g. 3,7-9), nothing else.")
    var failedIndices = false

    func run() throws {
        let dir = URL(fileURLWithPath: directory)
        let manifest = try SweepManifest.load(from: dir)
        let state = SweepState.read(manifest: manifest, in: dir)
        if failedIndices {
            print(IndexRanges.format(state.failedIndices))
        } else if list {
            print(state.table(manifest: manifest), terminator: "")
            print(state.countsLine)
        } else {
            print(state.statusReport(sweepDirectory: directory), terminator: "")
        }
        if !state.failedIndices.isEmpty { throw ExitCode(1) }
    }
}
