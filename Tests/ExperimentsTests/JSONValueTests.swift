import Foundation
import Testing
@testable import Experiments

@Test func compactJSONKeepsOrderAndFormatsNumbers() {
    let v: JSONValue = .object([("step", 10), ("loss", 0.25), ("lr", 1e-5), ("name", "a\"b\n"), ("ok", true), ("x", nil)])
    #expect(v.compactJSON == #"{"step":10,"loss":0.25,"lr":1e-05,"name":"a\"b\n","ok":true,"x":null}"#)
}

@Test func nonFiniteNumbersBecomeStringsAndReadBack() throws {
    let v: JSONValue = .array([.number(.nan), .number(.infinity), .number(-.infinity)])
    #expect(v.compactJSON == #"["nan","inf","-inf"]"#)
    let back = try JSONValue.parse(v.compactJSON)
    let doubles = back.arrayValue?.compactMap(\.doubleValue) ?? []
    #expect(doubles.count == 3 && doubles[0].isNaN && doubles[1] == .infinity && doubles[2] == -.infinity)
    #expect(back.containsNonFinite)
    #expect(try JSONValue.parse("[NaN, -Infinity]").containsNonFinite)
}

@Test func parserRoundTripsNestedValuesInOrder() throws {
    let text = #"{"b": 1, "a": [true, false, null, -2.5e3, "\u00e9\ud83d\ude00"], "c": {}}"#
    let v = try JSONValue.parse(text)
    #expect(v.objectValue?.map(\.0) == ["b", "a", "c"])
    #expect(v["a"]?.arrayValue?[3] == .number(-2500))
    #expect(v["a"]?.arrayValue?[4] == .string("é😀"))
    #expect(try JSONValue.parse(v.compactJSON) == v)
    #expect(try JSONValue.parse(v.prettyJSON) == v)
}

@Test func parserRejectsMalformedInput() {
    for bad in ["", "{", "[1,]", #"{"a" 1}"#, "tru", "1 2", #""abc"#, "-", "01x"] {
        #expect(throws: ExperimentError.self) { try JSONValue.parse(bad) }
    }
}

@Test func codableRoundTripThroughJSONEncoder() throws {
    let v: JSONValue = .object([("a", 1), ("b", .array(["x", nil, true]))])
    let data = try JSONEncoder().encode(v)
    let back = try JSONDecoder().decode(JSONValue.self, from: data)
    #expect(back["a"] == 1 && back["b"] == .array(["x", nil, true]))
}

@Test func sha256MatchesKnownVectors() {
    #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}
