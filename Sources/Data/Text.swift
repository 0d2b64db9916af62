import Tensors

/// A character vocabulary: the distinct Unicode scalars of a text, sorted by code point, with
/// 1-based ids (the first character in code-point order has id 1), as nanoGPT's
/// `chars = sorted(set(text))` but 1-based like every index in descent.
///
/// ```swift
/// let vocab = CharVocabulary(text: "hello")       // symbols "e", "h", "l", "o"
/// let ids = try vocab.encode("hole")             // [2, 4, 3, 1]
/// try vocab.decode(ids) == "hole"                // true
/// ```
public struct CharVocabulary: Sendable {
    /// The characters in id order (`symbols[id - 1]`).
    public let symbols: [Unicode.Scalar]
    private let ids: [UInt32: Int]

    /// The vocabulary of `text` (every distinct scalar, sorted by code point).
    public init(text: String) {
        var seen = Set<UInt32>()
        for s in text.unicodeScalars { seen.insert(s.value) }
        self.init(sortedValues: seen.sorted())
    }

    /// The vocabulary whose characters are exactly those of `symbols`, in that order.
    /// - Throws: when a character appears twice.
    public init(symbols: String) throws {
        var values: [UInt32] = []
        var seen = Set<UInt32>()
        for s in symbols.unicodeScalars {
            guard seen.insert(s.value).inserted else {
                throw TensorError("vocabulary: character \(CharVocabulary.describe(s)) appears twice")
            }
            values.append(s.value)
        }
        self.init(sortedValues: values)
    }

    private init(sortedValues values: [UInt32]) {
        symbols = values.compactMap(Unicode.Scalar.init)
        var ids: [UInt32: Int] = [:]
        for (k, s) in symbols.enumerated() { ids[s.value] = k + 1 }
        self.ids = ids
    }

    /// Number of characters.
    public var count: Int { symbols.count }

    /// The characters as one string, in id order.
    public var string: String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: symbols)
        return String(s)
    }

    /// The 1-based ids of the characters of `text`, a float32 tensor `[n]`.
    /// - Throws: for a character not in the vocabulary (naming it and its position).
    public func encode(_ text: String) throws -> Tensor {
        let n = text.unicodeScalars.count
        let out = try Tensor(uninitializedShape: [n])
        let p = out.pointer
        var k = 0
        for s in text.unicodeScalars {
            guard let id = ids[s.value] else {
                throw TensorError("encode: character \(CharVocabulary.describe(s)) at position \(k + 1) is not in the vocabulary of \(count) characters")
            }
            p[k] = Float(id)
            k += 1
        }
        return out
    }

    /// The text of a tensor of 1-based ids (any shape, read in row-major order).
    /// - Throws: for an id that is not an integer in `1...count`.
    public func decode(_ ids: Tensor) throws -> String {
        let flat = try ids.contiguousData()
        let p = flat.pointer
        var out = String.UnicodeScalarView()
        for k in 0..<flat.count {
            let v = p[k]
            guard v == v.rounded(), v >= 1, v <= Float(count) else {
                throw TensorError("decode: expected ids in 1..\(count), got \(v) at position \(k + 1)")
            }
            out.append(symbols[Int(v) - 1])
        }
        return String(out)
    }

    static func describe(_ s: Unicode.Scalar) -> String {
        s.properties.isWhitespace || s.value < 32 ? "U+\(String(s.value, radix: 16, uppercase: true))" : "'\(s)'"
    }
}

/// Reading whole text files.
public enum TextFile {
    /// The largest text file read (bytes, uncompressed): a guard against a gzip bomb.
    public static let maxBytes = 1 << 30

    /// The contents of `path` (plain or gzip-compressed) as UTF-8 text.
    /// - Throws: when the file is missing, unreadable, larger than `maxBytes` or not UTF-8.
    public static func read(_ path: String) throws -> String {
        let stream = try ByteStream(path: path)
        let bytes = try stream.readAll(limit: min(maxBytes, stream.maxRemaining))
        try stream.close()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TensorError("\(path): not UTF-8 text")
        }
        return text
    }
}

extension Datasets {
    /// The bundled tinyshakespeare (Karpathy's char-rnn `input.txt`, 1,115,394 characters of
    /// Shakespeare's plays; docs/datasets.md).
    public static func tinyShakespeare() throws -> String {
        try TextFile.read(try resourcePath("tinyshakespeare.txt.gz"))
    }

    /// Where Debian's `dataset-fashion-mnist` package puts the IDX files.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// The class names of Fashion-MNIST, in label order (label 1 is "T-shirt/top").
    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Fashion-MNIST from the standard IDX file names in `directory` (as `mnist`): images float32
    /// `[N, 784]` in [0, 1], labels float32 `[N]` in 1...10, `fashionMNISTClasses`.
    /// - Throws: when the files are missing (with the command that installs them) or damaged.
    public static func fashionMNIST(_ directory: String = fashionMNISTDirectory) throws
        -> (train: (x: Tensor, y: Tensor), test: (x: Tensor, y: Tensor), classes: [String])
    {
        let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        let missing = names.filter { name in
            (try? find(in: directory, [name])) == nil
        }
        if !missing.isEmpty {
            var message = "\(directory): Fashion-MNIST not found (missing \(missing.map { $0 + "[.gz]" }.joined(separator: ", ")))"
            if directory == fashionMNISTDirectory {
                message += "; install it with: sudo apt-get install dataset-fashion-mnist"
            }
            throw TensorError(message)
        }
        let train = try mnistPart(directory, standard: "train", subset: "train")
        let test = try mnistPart(directory, standard: "t10k", subset: "test")
        return (train, test, fashionMNISTClasses)
    }
}
