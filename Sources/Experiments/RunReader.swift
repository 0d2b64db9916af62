import Foundation

/// One run directory as read back: what reports and `descent status` work from.
public struct RunRecord {
    public let directory: URL
    /// config.json, if present and readable.
    public let config: RunConfig?
    /// status.json, if present and readable; nil means the run never started (or its record
    /// was lost), reported as `missing`.
    public let status: StatusRecord?
    /// summary.json's values, if the run wrote one.
    public let summary: [(String, JSONValue)]?

    /// True when the run finished successfully: the only runs statistics use.
    public var isDone: Bool { status?.status == .done }

    /// The metrics.jsonl records (read on demand: logs can be long).
    public func metrics() -> [[(String, JSONValue)]] { RunReader.metrics(in: directory) }
}

/// Reads run directories written by `RunRecorder` (or anything else that follows the layout).
///
///     let run = RunReader.load(URL(fileURLWithPath: "out/runs/3f2a9c01b7de"))
///     if run.isDone { print(run.summary?.first?.1 ?? .null) }
public enum RunReader {
    /// Loads config, status and summary. Unreadable files count as absent, so one damaged run
    /// does not stop a report over hundreds.
    public static func load(_ directory: URL) -> RunRecord {
        let config = (try? readJSON(directory.appendingPathComponent("config.json"))).flatMap { try? RunConfig(json: $0) }
        return RunRecord(directory: directory, config: config, status: status(in: directory),
                         summary: (try? readJSON(directory.appendingPathComponent("summary.json")))?.objectValue)
    }

    /// status.json of one run directory, or nil if it is missing or unreadable.
    public static func status(in directory: URL) -> StatusRecord? {
        (try? readJSON(directory.appendingPathComponent("status.json"))).flatMap { try? StatusRecord(json: $0) }
    }

    /// The records of metrics.jsonl. Lines that do not parse as a JSON object (a line cut short
    /// by a crash) are skipped.
    public static func metrics(in directory: URL) -> [[(String, JSONValue)]] {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("metrics.jsonl").path)
        else { return [] }
        var records: [[(String, JSONValue)]] = []
        for line in data.split(separator: 10, omittingEmptySubsequences: true) {
            if let object = (try? JSONValue.parse(bytes: Array(line)))?.objectValue { records.append(object) }
        }
        return records
    }

    /// Parses a JSON file.
    public static func readJSON(_ url: URL) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ExperimentError("\(url.path): cannot read the file")
        }
        do {
            return try JSONValue.parse(bytes: Array(data))
        } catch let error as ExperimentError {
            throw ExperimentError("\(url.path): \(error.message)")
        }
    }
}
