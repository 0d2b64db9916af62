import Foundation
import Tensors
import FileIO

/// Checkpoints in the safetensors format (readable by the `safetensors` Python package): an
/// 8-byte little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}}`
/// with optional `"__metadata__"` (string to string), then the raw little-endian data.
///
/// Saving writes float32 in the given order, atomically; loading validates the header and also
/// accepts F64/F16/BF16/integer/bool tensors, converting them to float32.
///
/// ```swift
/// try Safetensors.save([("fc.weight", w), ("fc.bias", b)], to: "model.safetensors")
/// let tensors = try Safetensors.load("model.safetensors")   // [(name, tensor)] in file order
/// ```
public enum Safetensors {
    /// Largest header accepted on load (the reference implementation's limit).
    static let maxHeader = 100_000_000

    /// Writes `tensors` (names unique) and optional string `metadata` to `path` atomically.
    public static func save(_ tensors: [(String, Tensor)], to path: String, metadata: [String: String] = [:]) throws {
        var seen = Set<String>()
        var entries = [SafetensorsEntry]()
        var position = 0
        for (name, t) in tensors {
            guard seen.insert(name).inserted else {
                throw TensorError("safetensors: duplicate tensor name \(jsonString(name))")
            }
            let bytes = t.count * MemoryLayout<Float>.stride
            entries.append(SafetensorsEntry(name: name, dtype: .f32, shape: t.shape, begin: position, end: position + bytes))
            position += bytes
        }
        let header = safetensorsHeader(entries, metadata: metadata)
        let file = try AtomicFile(path: path)
        do {
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { raw in
                if let base = raw.baseAddress { try file.write(base, count: 8) }
            }
            try file.write(header)
            for (_, t) in tensors {
                let d = try t.contiguousData()
                try file.write(UnsafeRawPointer(d.pointer), count: d.count * MemoryLayout<Float>.stride)
            }
        } catch {
            file.abandon()
            throw error
        }
        try file.commit()
    }

    /// Reads the tensors of a safetensors file as float32, in data order.
    public static func load(_ path: String) throws -> [(String, Tensor)] {
        try read(path).tensors
    }

    /// Reads the tensors (in data order) and the `__metadata__` of a safetensors file.
    public static func read(_ path: String) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw TensorError("safetensors: cannot read \(path): \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard raw.count >= 8, let base = raw.baseAddress else {
                throw TensorError("safetensors: \(path): file too short (\(raw.count) bytes) to hold a header")
            }
            let n = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
            guard n <= UInt64(min(raw.count - 8, maxHeader)) else {
                throw TensorError("safetensors: \(path): header length \(n) exceeds the file size \(raw.count) (or the \(maxHeader)-byte limit)")
            }
            let headerLength = Int(n)
            let json = Data(bytes: base + 8, count: headerLength)
            let dataStart = base + 8 + headerLength
            let (entries, metadata) = try parseSafetensorsHeader(
                json, dataLength: raw.count - 8 - headerLength, file: path)
            let tensors = try entries.map { e -> (String, Tensor) in
                let t = try Tensor(uninitializedShape: e.shape)
                e.dtype.convert(dataStart + e.begin, to: t.pointer, count: t.count)
                return (e.name, t)
            }
            return (tensors, metadata)
        }
    }
}
