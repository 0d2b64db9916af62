/// Text views of a sweep's state for `descent status` and `descent sweep --list`.
extension SweepState {
    /// One row per entry: index, id, status, the override values and the seed, aligned.
    ///
    ///     index  id            status   lr    seed
    ///     0      3f2a9c01b7de  done     0.1   1
    public func table(manifest: SweepManifest) -> String {
        let keys = manifest.entries.first?.overrides.map(\.0) ?? []
        var rows = [["index", "id", "status"] + keys + ["seed"]]
        for item in items {
            rows.append([String(item.entry.index), item.entry.id, item.status?.status.rawValue ?? "missing"]
                + item.entry.overrides.map(\.1) + [String(item.entry.seed)])
        }
        let widths = rows[0].indices.map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in cell + String(repeating: " ", count: max(0, widths[c] - cell.count)) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }

    /// The `descent status` report: counts, the failed entries with their errors, and the
    /// indices to resubmit in `--array=` syntax.
    public func statusReport(sweepDirectory: String) -> String {
        var out = countsLine + "\n"
        let failures = items.filter { $0.status?.status.isFailure == true }
        if !failures.isEmpty {
            out += "\nfailed entries:\n"
            for item in failures {
                let error = item.status?.error.map { String($0.split(separator: "\n").first ?? "") } ?? ""
                out += "  \(item.entry.index)  \(item.entry.id)  \(item.status?.status.rawValue ?? "")  \(item.entry.label)"
                    + (error.isEmpty ? "" : "  (\(error))") + "\n"
                out += "      log: \(sweepDirectory)/\(item.entry.dir)/stderr.log\n"
            }
            out += "\nfailed indices: --array=\(IndexRanges.format(failedIndices))\n"
        }
        let unfinished = unfinishedIndices
        if !unfinished.isEmpty, unfinished != failedIndices {
            out += "not done (failed, running or missing): --array=\(IndexRanges.format(unfinished))\n"
        }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
