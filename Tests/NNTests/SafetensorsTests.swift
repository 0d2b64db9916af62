import Testing
import Foundation
import Tensors
import NN

extension NNSuite {
    @Suite struct SafetensorsTests {
        func tempPath(_ name: String) -> String {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(getpid())")
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return dir.appendingPathComponent(name).path
        }

        @Test func roundTripKeepsOrderShapesAndValues() throws {
            let w = try randomTensor([3, 4], seed: 1)
            let b = try tensor([1, 2, 3], [3])
            let s = try tensor([7], [])
            let t = Tensor(storage: w.storage, shape: [4, 3], strides: [1, 4], offset: 0)   // strided view
            let path = tempPath("round.safetensors")
            try Safetensors.save([("z.weight", w), ("a.bias", b), ("scalar", s), ("wt", t),
                                  ("empty", try Tensor([], shape: [0, 3]))], to: path,
                                 metadata: ["format": "pt", "note": "quote \" and \\ ok"])
            let (loaded, meta) = try Safetensors.read(path)
            #expect(loaded.map(\.0) == ["z.weight", "a.bias", "scalar", "wt", "empty"])
            #expect(loaded[4].1.shape == [0, 3])
            #expect(loaded[0].1.shape == [3, 4] && loaded[0].1.toArray() == w.toArray())
            #expect(loaded[1].1.toArray() == [1, 2, 3])
            #expect(loaded[2].1.shape == [] && loaded[2].1.toArray() == [7])
            #expect(loaded[3].1.shape == [4, 3] && loaded[3].1.toArray() == t.toArray())
            #expect(meta == ["format": "pt", "note": "quote \" and \\ ok"])
            // No temporary file is left behind.
            let dir = (path as NSString).deletingLastPathComponent
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") })
        }

        @Test func headerIsPaddedJSONWithExactOffsets() throws {
            let path = tempPath("header.safetensors")
            try Safetensors.save([("w", try randomTensor([2, 3], seed: 2)), ("b", try tensor([1, 2], [2]))], to: path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
            #expect(n % 8 == 0)
            #expect(data.count == 8 + n + 4 * 8)
            let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
            let w = try #require(header["w"] as? [String: Any]), b = try #require(header["b"] as? [String: Any])
            #expect(w["dtype"] as? String == "F32" && w["shape"] as? [Int] == [2, 3] && w["data_offsets"] as? [Int] == [0, 24])
            #expect(b["shape"] as? [Int] == [2] && b["data_offsets"] as? [Int] == [24, 32])
            #expect(header["__metadata__"] == nil)
            // Padding is spaces after the closing brace.
            let text = String(decoding: data.subdata(in: 8..<(8 + n)), as: UTF8.self)
            let close = try #require(text.lastIndex(of: "}"))
            #expect(text[text.index(after: close)...].allSatisfy { $0 == " " })
        }

        /// Builds a file by hand: header JSON, then raw bytes.
        func handmade(_ header: String, _ payload: [UInt8], name: String) throws -> String {
            var bytes = [UInt8]()
            let h = Array(header.utf8)
            withUnsafeBytes(of: UInt64(h.count).littleEndian) { bytes += $0 }
            bytes += h + payload
            let path = tempPath(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }

        @Test func otherDtypesConvertToFloat32() throws {
            var payload = [UInt8]()
            for v in [1.5, -2.25] as [Double] { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload += $0 } }
            for v in [-3, 40] as [Int64] { withUnsafeBytes(of: v.littleEndian) { payload += $0 } }
            for v in [7, -8] as [Int32] { withUnsafeBytes(of: v.littleEndian) { payload += $0 } }
            payload += [0, 255]
            let header = """
            {"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"l":{"dtype":"I64","shape":[2,1],"data_offsets":[16,32]},\
            "i":{"dtype":"I32","shape":[2],"data_offsets":[32,40]},"u":{"dtype":"U8","shape":[2],"data_offsets":[40,42]}}
            """
            let loaded = try Safetensors.load(try handmade(header, payload, name: "dtypes.safetensors"))
            #expect(loaded.map(\.0) == ["d", "l", "i", "u"])
            #expect(loaded[0].1.toArray() == [1.5, -2.25])
            #expect(loaded[1].1.shape == [2, 1] && loaded[1].1.toArray() == [-3, 40])
            #expect(loaded[2].1.toArray() == [7, -8])
            #expect(loaded[3].1.toArray() == [0, 255])
        }

        @Test func invalidFilesGiveClearErrors() throws {
            let eight = [UInt8](repeating: 0, count: 8)
            func message(_ header: String, _ payload: [UInt8] = [UInt8](repeating: 0, count: 8)) throws -> String {
                let path = try handmade(header, payload, name: "bad.safetensors")
                return errorMessage { try Safetensors.load(path) }?.replacingOccurrences(of: path, with: "F") ?? "no error"
            }
            #expect(try message(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#)
                    == "safetensors: F: tensor \"w\" with dtype F32 and shape [3] needs 12 bytes, but its data_offsets [0, 8] span 8")
            #expect(try message(#"{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#).hasPrefix("safetensors: F: tensor \"w\" has unsupported dtype \"C64\""))
            #expect(try message(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#)
                    == "safetensors: F: tensor \"w\" has data_offsets [0, 16] beyond the 8 bytes of data")
            #expect(try message(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#)
                    == "safetensors: F: the tensors cover 4 bytes but the data section holds 8")
            #expect(try message(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#)
                    .contains("overlaps the previous tensor"))
            #expect(try message(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#)
                    == "safetensors: F: tensor \"w\" has an invalid shape (expected non-negative integers)")
            #expect(try message("not json", eight) == "safetensors: F: header is not valid JSON")
            let short = tempPath("short.safetensors")
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: short))
            #expect(errorMessage { try Safetensors.load(short) }?.contains("file too short (3 bytes)") == true)
            var huge = [UInt8]()
            withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { huge += $0 }
            try Data(huge + eight).write(to: URL(fileURLWithPath: short))
            #expect(errorMessage { try Safetensors.load(short) }?.contains("header length 1099511627776 exceeds the file size 16") == true)
            #expect(errorMessage { try Safetensors.load(tempPath("missing.safetensors")) }?.hasPrefix("safetensors: cannot read") == true)
            #expect(errorMessage { try Safetensors.save([("a", try tensor([1], [1])), ("a", try tensor([1], [1]))], to: short) }
                    == "safetensors: duplicate tensor name \"a\"")
        }
    }
}
