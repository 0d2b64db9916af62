import Foundation
import Testing
@testable import Data
import Tensors

/// Character vocabularies, text files and the bundled tinyshakespeare; Fashion-MNIST from tiny
/// IDX files written here (the real files are not a test requirement).
@Suite struct TextTests {
    @Test func vocabularyIsSortedAndOneBased() throws {
        let vocab = CharVocabulary(text: "hello")
        #expect(vocab.string == "ehlo" && vocab.count == 4)
        let ids = try vocab.encode("hole")
        #expect(ids.shape == [4] && ids.toArray() == [2, 4, 3, 1])
        #expect(try vocab.decode(ids) == "hole")
        #expect(try vocab.decode(try Tensor.zeros([0])) == "")
    }

    @Test func unicodeRoundTripAndErrors() throws {
        let text = "día ☃\nnoche"
        let vocab = CharVocabulary(text: text)
        #expect(try vocab.decode(try vocab.encode(text)) == text)
        #expect(try CharVocabulary(symbols: vocab.string).string == vocab.string)
        #expect(errorMessage { _ = try vocab.encode("dxa") }?.contains("'x' at position 2 is not in the vocabulary") == true)
        #expect(errorMessage { _ = try vocab.decode(try Tensor.full([1], value: 0)) }?.contains("expected ids in 1..\(vocab.count), got 0.0") == true)
        #expect(errorMessage { _ = try vocab.decode(try Tensor.full([2], value: 1.5)) } != nil)
        #expect(errorMessage { _ = try CharVocabulary(symbols: "abca") }?.contains("'a' appears twice") == true)
    }

    @Test func textFilesPlainAndGzip() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let plain = try files.write("a.txt", text: "to be\n")
        let gz = try files.writeGzip("b.txt.gz", Array("or not".utf8))
        #expect(try TextFile.read(plain) == "to be\n")
        #expect(try TextFile.read(gz) == "or not")
        try files.write("bad.txt", [0xFF, 0xFE, 0x41])
        #expect(errorMessage { _ = try TextFile.read(files.path("bad.txt")) }?.contains("not UTF-8") == true)
        #expect(errorMessage { _ = try TextFile.read(files.path("missing.txt")) }?.contains("no such file") == true)
    }

    @Test func tinyShakespeareIsBundled() throws {
        let text = try Datasets.tinyShakespeare()
        #expect(text.unicodeScalars.count == 1_115_394)
        #expect(text.hasPrefix("First Citizen:\n"))
        #expect(CharVocabulary(text: text).count == 65)
    }

    @Test func fashionMNISTFromTinyIDXFiles() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let missing = errorMessage { _ = try Datasets.fashionMNIST(files.directory.path) }
        #expect(missing?.contains("Fashion-MNIST not found") == true && missing?.contains("apt-get") == false, "\(missing ?? "")")
        if !FileManager.default.fileExists(atPath: Datasets.fashionMNISTDirectory) {
            let message = errorMessage { _ = try Datasets.fashionMNIST() }
            #expect(message?.contains("sudo apt-get install dataset-fashion-mnist") == true, "\(message ?? "")")
        }
        try files.writeGzip("train-images-idx3-ubyte.gz", idxHeader(type: 0x08, shape: [2, 28, 28]) + [UInt8](repeating: 255, count: 2 * 784))
        try files.writeGzip("train-labels-idx1-ubyte.gz", idxHeader(type: 0x08, shape: [2]) + [9, 0])
        try files.write("t10k-images-idx3-ubyte", idxHeader(type: 0x08, shape: [1, 28, 28]) + [UInt8](repeating: 0, count: 784))
        try files.write("t10k-labels-idx1-ubyte", idxHeader(type: 0x08, shape: [1]) + [3])
        let fm = try Datasets.fashionMNIST(files.directory.path)
        #expect(fm.train.x.shape == [2, 784] && fm.train.x.toArray().allSatisfy { $0 == 1 })
        #expect(fm.train.y.toArray() == [10, 1] && fm.test.y.toArray() == [4])
        #expect(fm.classes[9] == "Ankle boot" && fm.classes.count == 10)
    }
}
