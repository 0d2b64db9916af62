import Foundation

/// The file formats a figure is written in, chosen by the file's extension.
public enum FigureFormat: String, CaseIterable {
    case svg, png, pdf

    /// The format of `path` by its extension (case-insensitive); anything else is an error, so
    /// a file never holds a format its name does not say.
    public init(path: String) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = FigureFormat(rawValue: ext) else {
            throw ExperimentError("\(path): expected a figure file ending in .svg, .png or .pdf, got "
                + (ext.isEmpty ? "no extension" : "\".\(ext)\""))
        }
        self = format
    }

    /// PNG and PDF are rendered from the SVG by librsvg's rsvg-convert.
    public var needsConverter: Bool { self != .svg }
}

/// Writes a figure's SVG as SVG, PNG or PDF. PNG and PDF go through librsvg's `rsvg-convert`
/// (Debian package librsvg2-bin), a real SVG renderer; the result replaces the file atomically
/// only when the converter succeeded and wrote the expected format.
///
///     try FigureWriter.write(svg, to: URL(fileURLWithPath: "curves.png"))
public enum FigureWriter {
    /// How to install the converter, for error messages.
    public static let converterHint = "rsvg-convert (librsvg) renders PNG and PDF; install it with: apt-get install -y librsvg2-bin"

    /// `rsvg-convert` on the PATH, or nil.
    public static func findConverter(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> URL? {
        for dir in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("rsvg-convert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Checks that a figure can be written to `path` (a known extension; the converter for
    /// PNG/PDF) before any work is done.
    public static func check(_ path: String, converter: URL? = findConverter()) throws -> FigureFormat {
        let format = try FigureFormat(path: path)
        if format.needsConverter && converter == nil {
            throw ExperimentError("\(path): writing .\(format.rawValue) needs rsvg-convert, which is not on the PATH; "
                + "\(converterHint) (or write .svg)")
        }
        return format
    }

    /// Writes `svg` to `url` in the format its extension names. `converter` is rsvg-convert
    /// (default: found on the PATH).
    public static func write(_ svg: String, to url: URL, converter: URL? = findConverter()) throws {
        let format = try check(url.path, converter: converter)
        let dir = url.deletingLastPathComponent()
        let stem = ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier)"
        let source = dir.appendingPathComponent(stem + ".tmp.svg")
        let target = dir.appendingPathComponent(stem + ".tmp.\(format.rawValue)")
        defer {
            try? FileManager.default.removeItem(at: source)
            try? FileManager.default.removeItem(at: target)
        }
        do {
            try Data(svg.utf8).write(to: format == .svg ? target : source)
        } catch {
            throw ExperimentError("\(url.path): cannot write the figure (\(error.localizedDescription))")
        }
        if let converter, format.needsConverter {
            try convert(source, to: target, format: format, converter: converter)
        }
        if rename(target.path, url.path) != 0 {
            throw ExperimentError("\(url.path): cannot write the figure (\(String(cString: strerror(errno))))")
        }
    }

    private static func convert(_ source: URL, to target: URL, format: FigureFormat, converter: URL) throws {
        let process = Process()
        process.executableURL = converter
        process.arguments = ["--format", format.rawValue, "--output", target.path, source.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ExperimentError("\(converter.path): cannot start (\(error.localizedDescription)); \(converterHint)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let magic: [UInt8] = format == .png ? [0x89, 0x50, 0x4E, 0x47] : Array("%PDF".utf8)
        let head = FileManager.default.contents(atPath: target.path).map { Array($0.prefix(4)) } ?? []
        guard process.terminationStatus == 0, head == magic else {
            throw ExperimentError("rsvg-convert could not render the figure as \(format.rawValue) (exit \(process.terminationStatus))"
                + (message.isEmpty ? "" : ": " + message.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }
}
