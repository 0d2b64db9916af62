import Foundation

/// The state a run directory's status.json records.
public enum RunStatus: String, CaseIterable, Codable {
    case running, done, failed, diverged, interrupted
    /// Stopped early by `descent tune`'s successive halving (ASHA): not a failure; reports and
    /// the tuner's best trial ignore it, `--resume` does not run it again.
    case pruned

    /// True for the states a finished run can end in other than `done`: the ones
    /// `descent sweep --retry-failed` reruns.
    public var isFailure: Bool { self == .failed || self == .diverged || self == .interrupted }
}

/// The contents of status.json.
///
///     {"status": "done", "error": null, "start_time": "2026-01-02T03:04:05.678Z",
///      "end_time": "...", "duration_seconds": 12.5, "pid": 4242, "host": "node3"}
public struct StatusRecord: Equatable {
    public var status: RunStatus
    public var error: String?
    public var startTime: Date
    public var endTime: Date?
    public var host: String
    public var pid: Int

    public init(status: RunStatus, error: String? = nil, startTime: Date, endTime: Date? = nil,
                host: String = RunConfig.currentHost(), pid: Int = Int(getpid())) {
        self.status = status
        self.error = error
        self.startTime = startTime
        self.endTime = endTime
        self.host = host
        self.pid = pid
    }

    /// Seconds from start to end, when the run has ended.
    public var durationSeconds: Double? { endTime.map { $0.timeIntervalSince(startTime) } }

    public var json: JSONValue {
        .object([
            ("status", .string(status.rawValue)),
            ("error", error.map(JSONValue.string) ?? .null),
            ("start_time", .string(Timestamp.format(startTime))),
            ("end_time", endTime.map { .string(Timestamp.format($0)) } ?? .null),
            ("duration_seconds", durationSeconds.map { .number(($0 * 1000).rounded() / 1000) } ?? .null),
            ("pid", .number(Double(pid))),
            ("host", .string(host)),
        ])
    }

    public init(json: JSONValue) throws {
        guard let raw = json["status"]?.stringValue, let status = RunStatus(rawValue: raw) else {
            throw ExperimentError("status.json: expected \"status\" to be one of "
                + RunStatus.allCases.map(\.rawValue).joined(separator: "|") + ", got \(json["status"]?.compactJSON ?? "nothing")")
        }
        self.status = status
        error = json["error"]?.stringValue
        startTime = json["start_time"]?.stringValue.flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0)
        endTime = json["end_time"]?.stringValue.flatMap(Timestamp.parse)
        host = json["host"]?.stringValue ?? ""
        pid = json["pid"]?.intValue ?? 0
    }
}

/// ISO 8601 UTC timestamps with milliseconds, the format of every time in a run directory.
enum Timestamp {
    static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}
