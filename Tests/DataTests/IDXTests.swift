import Foundation
import Testing
@testable import Data
import Tensors

@Suite struct IDXTests {
    @Test func u8RoundTripPlainAndGzip() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let bytes = idxHeader(type: 0x08, shape: [2, 3]) + [0, 1, 2, 253, 254, 255]
        for path in [try files.write("a.idx", bytes), try files.writeGzip("a.idx.gz", bytes)] {
            let t = try IDX.load(path)
            #expect(t.shape == [2, 3])
            #expect(t.toArray() == [0, 1, 2, 253, 254, 255])
        }
    }

    @Test func signedAndFloatTypesAreBigEndian() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let i8 = try files.write("i8", idxHeader(type: 0x09, shape: [2]) + [0xFF, 0x7F])
        #expect(try IDX.load(i8).toArray() == [-1, 127])
        let i16 = try files.write("i16", idxHeader(type: 0x0B, shape: [2]) + [0xFF, 0xFE, 0x01, 0x00])
        #expect(try IDX.load(i16).toArray() == [-2, 256])
        let i32 = try files.write("i32", idxHeader(type: 0x0C, shape: [1]) + [0xFF, 0xFF, 0xFF, 0xFD])
        #expect(try IDX.load(i32).toArray() == [-3])
        let f32 = try files.write("f32", idxHeader(type: 0x0D, shape: [1, 1]) + [0x3F, 0xC0, 0, 0])
        #expect(try IDX.load(f32).toArray() == [1.5])
        let f64 = try files.write("f64", idxHeader(type: 0x0E, shape: [1]) + [0xC0, 0x04, 0, 0, 0, 0, 0, 0])
        #expect(try IDX.load(f64).toArray() == [-2.5])
    }

    @Test func corruptFilesGiveErrors() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let good = idxHeader(type: 0x08, shape: [2, 2]) + [1, 2, 3, 4]
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "truncated"),
            ("magic", [1, 0, 8, 1, 0, 0, 0, 1, 5], "not an IDX file"),
            ("type", [0, 0, 0x0A, 1, 0, 0, 0, 1, 5], "type byte"),
            ("dims", Array(good[0..<6]), "truncated"),
            ("data", Array(good[0..<(good.count - 1)]), "truncated"),
            ("trailing", good + [9], "trailing"),
            ("lying", idxHeader(type: 0x0E, shape: [0x7FFF_FFFF, 0x7FFF_FFFF]) + [1], "truncated"),
        ]
        for (name, bytes, expected) in cases {
            let path = try files.write(name, bytes)
            let message = errorMessage { _ = try IDX.load(path) }
            #expect(message?.contains(expected) == true, "\(name): \(message ?? "no error")")
            #expect(message?.contains(path) == true)
        }
        #expect(errorMessage { _ = try IDX.load(files.path("missing")) }?.contains("no such file") == true)
        #expect(errorMessage { _ = try IDX.load(files.directory.path) }?.contains("directory") == true)
    }

    @Test func truncatedGzipGivesError() throws {
        let files = try TestFiles()
        defer { files.remove() }
        var pixels = [UInt8]()
        for i in 0..<5000 { pixels.append(UInt8((i * 7919) % 251)) }
        let full = try files.writeGzip("full.gz", idxHeader(type: 0x08, shape: [5000]) + pixels)
        let gz = try files.read(full)
        for cut in [gz.count - 4, gz.count / 2, 12] {
            let path = try files.write("cut\(cut).gz", Array(gz[0..<cut]))
            let message = errorMessage { _ = try IDX.load(path) }
            #expect(message?.contains("truncated") == true, "cut \(cut): \(message ?? "no error")")
        }
        var corrupt = gz
        corrupt[gz.count / 2] ^= 0xFF
        let path = try files.write("corrupt.gz", corrupt)
        #expect(errorMessage { _ = try IDX.load(path) } != nil)
    }

    @Test func realMnist5kFiles() throws {
        let dir = repositoryRoot.appendingPathComponent("data/mnist5k")
        let images = try IDX.load(dir.appendingPathComponent("mnist5k-train-images-idx3-ubyte.gz").path)
        #expect(images.shape == [4000, 28, 28])
        let values = images.toArray()
        #expect(values.min() == 0 && values.max() == 255)
        let labels = try IDX.load(dir.appendingPathComponent("mnist5k-test-labels-idx1-ubyte.gz").path)
        #expect(labels.shape == [1000])
        #expect(Set(labels.toArray()) == Set((0...9).map(Float.init)))
    }
}
