import Foundation

/// One run as a report sees it: its overrides, seed, state and run directory.
public struct ReportRun {
    public let directory: URL
    public let overrides: [(String, String)]
    public let seed: Int?
    /// nil: no readable status.json (never started).
    public let status: RunStatus?

    /// The runs of a sweep directory (from manifest.json), or, without a manifest, of every
    /// run directory found at `directory`, `directory/runs/*` or `directory/*` (their resolved
    /// config standing in for the overrides).
    ///
    ///     let runs = try ReportRun.load(from: URL(fileURLWithPath: "out/lr-sweep"))
    public static func load(from directory: URL) throws -> [ReportRun] {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(SweepManifest.fileName).path) {
            let manifest = try SweepManifest.load(from: directory)
            return manifest.entries.map { e in
                let dir = SweepManifest.runDirectory(e, in: directory)
                return ReportRun(directory: dir, overrides: e.overrides, seed: e.seed, status: RunReader.status(in: dir)?.status)
            }
        }
        let dirs = runDirectories(in: directory)
        guard !dirs.isEmpty else {
            throw ExperimentError("\(directory.path): expected a sweep directory (manifest.json) or run directories (config.json), found neither")
        }
        return dirs.map { dir in
            let run = RunReader.load(dir)
            let overrides = (run.config?.config ?? []).map { ($0.0, $0.1.stringValue ?? $0.1.compactJSON) }
            return ReportRun(directory: dir, overrides: overrides, seed: run.config?.seed, status: run.status?.status)
        }
    }

    static func runDirectories(in directory: URL) -> [URL] {
        let fm = FileManager.default
        func isRun(_ url: URL) -> Bool { fm.fileExists(atPath: url.appendingPathComponent("config.json").path) }
        if isRun(directory) { return [directory] }
        for parent in [directory.appendingPathComponent("runs"), directory] {
            let children = ((try? fm.contentsOfDirectory(atPath: parent.path)) ?? []).sorted()
                .map { parent.appendingPathComponent($0) }.filter(isRun)
            if !children.isEmpty { return children }
        }
        return []
    }

    /// The value of `key` among the overrides.
    public func value(of key: String) -> String? { overrides.first(where: { $0.0 == key })?.1 }
}
