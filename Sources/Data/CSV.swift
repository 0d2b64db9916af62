import Tensors

/// Loads numeric tables from CSV files (plain or `.gz`).
///
/// Every column except the label column must hold numbers (`1`, `-2.5`, `1e-3`, `nan`, `inf`;
/// spaces around a value are ignored, an empty value is an error). The label column becomes `y`:
/// - non-negative integers (`0..K-1`): 1-based labels `value + 1`, classes `["0", ..., "K-1"]`;
/// - any non-numeric value: 1-based ids in order of first appearance, classes the names;
/// - other numbers (fractions, negatives): the values as they are (a regression target),
///   classes nil.
///
/// ```swift
/// let (x, y, classes) = try CSV.load("iris.csv", label: "species")
/// ```
public enum CSV {
    /// Integer labels above this are treated as numbers, not classes (the class list would be huge).
    static let maxIntegerClass = 100_000

    /// Loads `path`.
    /// - Parameters:
    ///   - header: whether the first non-empty line names the columns.
    ///   - label: the label column's name; without a header, its 1-based number as text ("5",
    ///     or "-1" for the last column). A name that is not a column, or nil, gives `y == nil`.
    /// - Returns: `x` as float32 `[rows, features]`, `y` as float32 `[rows]` or nil, and the class
    ///   names when `y` holds class labels.
    public static func load(_ path: String, header: Bool = true, label: String? = "label") throws
        -> (x: Tensor, y: Tensor?, classes: [String]?)
    {
        let stream = try ByteStream(path: path)
        let bytes = try stream.readAll(limit: TensorMemory.limit)
        try stream.close()

        var names: [String]? = nil
        var labelColumn: Int? = nil
        var width = -1
        var features = [Float]()
        var labels = [String]()
        var rows = 0
        try CSVParser.parse(bytes, path: path) { fields, line in
            if width < 0 {
                width = fields.count
                labelColumn = try column(of: label, header: header ? fields : nil, width: width, path: path)
                if header { names = fields; return }
            }
            guard fields.count == width else {
                throw TensorError("\(path): line \(line): expected \(width) fields, got \(fields.count)")
            }
            rows += 1
            for (c, field) in fields.enumerated() {
                if c == labelColumn {
                    guard !field.isEmpty else {
                        throw TensorError("\(path): row \(rows) (line \(line)), \(describeColumn(c, names)): empty label")
                    }
                    labels.append(field)
                    continue
                }
                guard let v = Float(field.trimmingSpaces()) else {
                    throw TensorError(
                        "\(path): row \(rows) (line \(line)), \(describeColumn(c, names)): expected a number, got \"\(field)\"")
                }
                features.append(v)
            }
        }
        guard width >= 0 else { throw TensorError("\(path): empty CSV file, expected at least one line") }
        let featureCount = width - (labelColumn == nil ? 0 : 1)
        let x = try Tensor(features, shape: [rows, featureCount])
        guard labelColumn != nil else { return (x, nil, nil) }
        let (values, classes) = encodeLabels(labels)
        return (x, try Tensor(values, shape: [rows]), classes)
    }

    /// The 0-based index of the label column, or nil when there is none.
    static func column(of label: String?, header: [String]?, width: Int, path: String) throws -> Int? {
        guard let label else { return nil }
        if let header { return header.firstIndex { $0.trimmingSpaces() == label } }  // "a, label" is common
        guard let k = Int(label) else { return nil }
        guard k != 0, k <= width, k >= -width else {
            throw TensorError("\(path): label column: expected a column number in 1...\(width) or -\(width)...-1, got \(k)")
        }
        return k > 0 ? k - 1 : width + k
    }

    static func describeColumn(_ c: Int, _ names: [String]?) -> String {
        if let names, c < names.count { return "column \(c + 1) \"\(names[c])\"" }
        return "column \(c + 1)"
    }

    /// Turns label strings into float values and, for classes, their names (see `load`).
    static func encodeLabels(_ labels: [String]) -> (values: [Float], classes: [String]?) {
        let numbers = labels.compactMap { Double($0.trimmingSpaces()) }
        if numbers.count == labels.count {
            let isClassIndex = numbers.allSatisfy {
                $0 >= 0 && $0 <= Double(maxIntegerClass) && $0 == $0.rounded()
            }
            guard isClassIndex else { return (numbers.map { Float($0) }, nil) }
            let top = Int(numbers.max() ?? -1)
            return (numbers.map { Float($0 + 1) }, (0..<(top + 1)).map(String.init))
        }
        var ids = [String: Int]()
        var classes = [String]()
        var values = [Float]()
        values.reserveCapacity(labels.count)
        for name in labels {
            if let id = ids[name] {
                values.append(Float(id))
            } else {
                classes.append(name)
                ids[name] = classes.count
                values.append(Float(classes.count))
            }
        }
        return (values, classes)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
