import Foundation

/// Where each entry of a sweep stands, read from the run directories' status.json files:
/// what `descent status` prints and what `--resume` decides from.
///
///     let state = SweepState.read(manifest: manifest, in: out)
///     print(state.count(of: .done), IndexRanges.format(state.failedIndices))
public struct SweepState {
    public struct Item {
        public let entry: SweepEntry
        /// nil: the run directory has no readable status.json (never started).
        public let status: StatusRecord?
    }

    public let items: [Item]

    public static func read(manifest: SweepManifest, in sweepDirectory: URL) -> SweepState {
        SweepState(items: manifest.entries.map {
            Item(entry: $0, status: RunReader.status(in: SweepManifest.runDirectory($0, in: sweepDirectory)))
        })
    }

    /// Entries in `status`; `nil` counts the missing ones.
    public func count(of status: RunStatus?) -> Int { items.filter { $0.status?.status == status }.count }

    /// Indices of entries that ended failed, diverged or interrupted.
    public var failedIndices: [Int] { items.filter { $0.status?.status.isFailure == true }.map(\.entry.index) }

    /// Indices of entries that are not finished (failed, diverged, interrupted, running,
    /// missing; a pruned trial is finished).
    public var unfinishedIndices: [Int] {
        items.filter { $0.status?.status != .done && $0.status?.status != .pruned }.map(\.entry.index)
    }

    /// The counts line: `24 entries: 20 done, 1 failed, 1 diverged, 0 interrupted, 1 running, 1 missing`
    /// (`pruned`, which only tunes have, when there are any).
    public var countsLine: String {
        let shown = RunStatus.allCases.filter { $0 != .running && ($0 != .pruned || count(of: .pruned) > 0) }
        let parts = shown.map { "\(count(of: $0)) \($0.rawValue)" }
            + ["\(count(of: .running)) running", "\(count(of: nil)) missing"]
        return "\(items.count) entries: " + parts.joined(separator: ", ")
    }

    /// The resume rule. Without `resume`/`retryFailed` everything runs. With `resume`, `done`
    /// entries are skipped and failed/diverged ones too (they would fail the same way);
    /// missing, running (a crashed sweep) and interrupted ones rerun. `retryFailed` also
    /// reruns failed and diverged entries.
    public static func shouldRun(_ status: RunStatus?, resume: Bool, retryFailed: Bool) -> Bool {
        guard resume || retryFailed else { return true }
        switch status {
        case .done?, .pruned?: return false
        case .failed?, .diverged?: return retryFailed
        case .running?, .interrupted?, nil: return true
        }
    }
}
