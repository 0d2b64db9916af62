import Foundation
import Tensors

/// Parses and validates a safetensors header (the JSON after the 8-byte length) against a data
/// section of `dataLength` bytes: dtypes, shapes, and offsets that tile the data exactly, in
/// order, as the reference implementation requires. Entries come back in data order.
func parseSafetensorsHeader(_ json: Data, dataLength: Int, file: String) throws -> (entries: [SafetensorsEntry], metadata: [String: String]) {
    func fail(_ why: String) -> TensorError { TensorError("safetensors: \(file): \(why)") }
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: json) } catch {
        throw fail("header is not valid JSON")
    }
    guard let header = object as? [String: Any] else { throw fail("header is not a JSON object") }
    var metadata = [String: String]()
    var entries = [SafetensorsEntry]()
    for (name, value) in header {
        if name == "__metadata__" {
            guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object of strings") }
            for (k, v) in m {
                guard let s = v as? String else { throw fail("__metadata__ entry \(jsonString(k)) is not a string") }
                metadata[k] = s
            }
            continue
        }
        let q = jsonString(name)
        guard let info = value as? [String: Any] else { throw fail("entry \(q) is not an object") }
        guard let dt = info["dtype"] as? String else { throw fail("tensor \(q) has no dtype") }
        guard let dtype = SafetensorsDType(rawValue: dt) else {
            throw fail("tensor \(q) has unsupported dtype \(jsonString(dt)) (expected F32, F64, F16, BF16, I64, I32, I16, I8, U8 or BOOL)")
        }
        guard let rawShape = info["shape"] as? [Any] else { throw fail("tensor \(q) has no shape") }
        let shape = rawShape.compactMap { ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }
        guard shape.count == rawShape.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor \(q) has an invalid shape (expected non-negative integers)")
        }
        do { try Tensor.validate(shape: shape) } catch { throw fail("tensor \(q) has an invalid shape \(describe(shape: shape))") }
        guard let rawOffsets = info["data_offsets"] as? [Any], rawOffsets.count == 2,
              let begin = (rawOffsets[0] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }),
              let end = (rawOffsets[1] as? NSNumber).flatMap({ Int(exactly: $0.doubleValue) }),
              begin >= 0, begin <= end
        else { throw fail("tensor \(q) has invalid data_offsets (expected [begin, end] with 0 <= begin <= end)") }
        let (bytes, overflow) = shape.reduce(1, *).multipliedReportingOverflow(by: dtype.size)
        guard !overflow, end - begin == bytes else {
            throw fail("tensor \(q) with dtype \(dt) and shape \(describe(shape: shape)) needs \(bytes) bytes, but its data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        guard end <= dataLength else {
            throw fail("tensor \(q) has data_offsets [\(begin), \(end)] beyond the \(dataLength) bytes of data")
        }
        entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
    }
    entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
    var position = 0
    for e in entries {
        guard e.begin == position else {
            throw fail(e.begin < position
                ? "tensor \(jsonString(e.name)) overlaps the previous tensor (data_offsets [\(e.begin), \(e.end)])"
                : "gap in the data before tensor \(jsonString(e.name)) (data_offsets [\(e.begin), \(e.end)], expected begin \(position))")
        }
        position = e.end
    }
    guard position == dataLength else {
        throw fail("the tensors cover \(position) bytes but the data section holds \(dataLength)")
    }
    return (entries, metadata)
}
