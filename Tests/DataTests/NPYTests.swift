import Foundation
import Testing
@testable import Data
import Tensors

/// Files written by numpy 2.4 (`np.save`, or `np.lib.format.write_array` for versions 2 and 3),
/// base64-encoded, so the tests need no numpy.
private let numpyFiles: [String: String] = [
    // np.arange(6, dtype='<i8').reshape(2, 3)
    "i8": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAEAAAAAAAAAAgAAAAAAAAADAAAAAAAAAAQAAAAAAAAABQAAAAAAAAA=",
    // np.asfortranarray(np.arange(6, dtype='<f8').reshape(2, 3) * 0.5)
    "f8F": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAPg/AAAAAAAA4D8AAAAAAAAAQAAAAAAAAPA/AAAAAAAABEA=",
    // np.array([True, False, True])
    "b1": "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=",
    // np.array([[1, 255], [0, 7]], dtype=np.uint8), version (2, 0)
    "u1v2": "k05VTVBZAgB0AAAAeydkZXNjcic6ICd8dTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoB/wAH",
    // np.array([-3, 300], dtype='<i2'), version (3, 0)
    "i2v3": "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8aTInLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr9/ywB",
    // np.float32(2.5)
    "f4scalar": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAACBA",
    // np.array([-128, 127, 0], dtype=np.int8)
    "i1": "k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAfwA=",
    // np.array([[-5], [7]], dtype='<i4')
    "i4": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDEpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr7////BwAAAA==",
    // np.array([1.5, -0.25, 65504], dtype='<f2')
    "f2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPgC0/3s=",
    // np.array([1.5, -2], dtype='>f4')
    "f4be": "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/wAAAwAAAAA==",
]

/// A v1.0 .npy file with the header `dict` (padded like numpy does) followed by `data`.
private func npyFile(_ dict: String, _ data: [UInt8]) -> [UInt8] {
    var header = Array(dict.utf8)
    let pad = (64 - (10 + header.count + 1) % 64) % 64
    header += [UInt8](repeating: 0x20, count: pad) + [0x0A]
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data
}

@Suite struct NPYTests {
    @Test func readsFilesWrittenByNumpy() throws {
        let files = try TestFiles()
        defer { files.remove() }
        func load(_ name: String) throws -> Tensor {
            try NPY.load(try files.write(name + ".npy", [UInt8](Foundation.Data(base64Encoded: numpyFiles[name]!)!)))
        }
        let i8 = try load("i8")
        #expect(i8.shape == [2, 3] && i8.toArray() == [0, 1, 2, 3, 4, 5])
        let f8 = try load("f8F")  // Fortran order: must come back as the same 2x3 array
        #expect(f8.shape == [2, 3] && f8.toArray() == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(try load("b1").toArray() == [1, 0, 1])
        let u1 = try load("u1v2")
        #expect(u1.shape == [2, 2] && u1.toArray() == [1, 255, 0, 7])
        #expect(try load("i2v3").toArray() == [-3, 300])
        let scalar = try load("f4scalar")
        #expect(scalar.shape == [] && scalar.toArray() == [2.5])
        #expect(try load("i1").toArray() == [-128, 127, 0])
        let i4 = try load("i4")
        #expect(i4.shape == [2, 1] && i4.toArray() == [-5, 7])
        #expect(try load("f4be").toArray() == [1.5, -2])
        #expect(try load("f2").toArray() == [1.5, -0.25, 65504])
    }

    @Test func saveThenLoadRoundTrip() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let t = try Tensor([1, -2.5, 3e-8, .infinity, 0, 7], shape: [3, 2])
        let path = files.path("t.npy")
        try NPY.save(path, t)
        let bytes = try files.read(path)
        #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
            .hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"))
        let back = try NPY.load(path)
        #expect(back.shape == [3, 2] && back.toArray() == t.toArray())
        // 1-d and 0-d shapes use Python's tuple syntax.
        try NPY.save(path, try Tensor([4], shape: [1]))
        #expect(try NPY.load(path).shape == [1])
        try NPY.save(path, try Tensor([4], shape: []))
        #expect(try NPY.load(path).shape == [])
    }

    @Test func savesNonContiguousViewsInLogicalOrder() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let base = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let transposed = Tensor(storage: base.storage, shape: [3, 2], strides: [1, 3], offset: 0)
        let path = files.path("t.npy")
        try NPY.save(path, transposed)
        #expect(try NPY.load(path).toArray() == [1, 4, 2, 5, 3, 6])
    }

    @Test func handBuiltHeaders() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let u8 = try files.write("u8.npy", npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", [1, 2, 3, 4]))
        #expect(try NPY.load(u8).toArray() == [1, 2, 3, 4])
        // Keys in any order, double quotes, no trailing comma.
        let reordered = try files.write("r.npy", npyFile("{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<f4\"}", [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40]))
        #expect(try NPY.load(reordered).toArray() == [1, 2, 3])
        let gz = try files.writeGzip("g.npy.gz", npyFile("{'descr': '|i1', 'fortran_order': False, 'shape': (1,), }", [0xFF]))
        #expect(try NPY.load(gz).toArray() == [-1])
    }

    @Test func corruptFilesGiveErrors() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let cases: [(String, [UInt8], String)] = [
            ("magic", Array("NUMPY and more bytes".utf8), "not an NPY file"),
            ("version", [0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0], "version"),
            ("short", [0x93] + Array("NUMP".utf8), "truncated"),
            ("headerlen", [0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0xFF], "truncated"),
            ("dtype", npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0, 0, 0, 0, 0]), "dtype"),
            ("struct", npyFile("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]), "header"),
            ("object", npyFile("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", [0]), "dtype"),
            ("noshape", npyFile("{'descr': '<f4', 'fortran_order': False}", []), "shape"),
            ("badshape", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", []), "integer"),
            ("unclosed", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,", []), "expected"),
            ("data", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", [0, 0, 0, 0]), "truncated"),
            ("trailing", npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", [1, 2]), "trailing"),
            ("huge", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", [0]), "truncated"),
        ]
        for (name, bytes, expected) in cases {
            let path = try files.write(name + ".npy", bytes)
            let message = errorMessage { _ = try NPY.load(path) }
            #expect(message?.contains(expected) == true, "\(name): \(message ?? "no error")")
            #expect(message?.contains(path) == true, "\(name): \(message ?? "no error")")
        }
        let message = errorMessage { try NPY.save(files.path("no/such/dir/x.npy"), try Tensor([1], shape: [1])) }
        #expect(message?.contains("cannot write") == true)
    }
}
