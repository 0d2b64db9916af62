import Data
import Foundation
import LuaHost

/// What `descent predict` is asked to do: a model definition, its weights, and a file of rows.
///
/// ```swift
/// var request = PredictRequest(model: "model.lua", weights: "model.safetensors", input: "test.csv")
/// request.probabilities = true
/// try Runtime(context: RunContext(scriptPath: request.model, quiet: true)).predict(request)
/// ```
public struct PredictRequest {
    /// How an input or labels file is read, chosen by its name.
    public enum FileKind: String {
        case idx, csv, npy

        /// `.csv`, `.npy`, `.idx`/`.idxN`/`...-ubyte` (MNIST names), each optionally `.gz`;
        /// nil for any other name.
        public init?(path: String) {
            var name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
            if name.hasSuffix(".gz") { name.removeLast(3) }
            if name.hasSuffix(".csv") { self = .csv }
            else if name.hasSuffix(".npy") { self = .npy }
            else if name.hasSuffix("ubyte") || name.hasSuffix(".idx")
                        || name.range(of: #"\.idx[0-9]$"#, options: .regularExpression) != nil { self = .idx }
            else { return nil }
        }
    }

    /// A Lua file returning an nn module, or a function that builds one.
    public var model: String
    /// `nn.save` output (safetensors) or an `experiment.checkpoint` file.
    public var weights: String
    public var input: String
    /// A CSV file `index,class[,p1,...,pK]`; nil prints one `class[,p1,...,pK]` line per row.
    public var output: String?
    public var probabilities = false
    public var batchSize = 256
    /// The CSV label column (default: `label`, when the file has one).
    public var labelColumn: String?
    /// An IDX or NPY file of 0-based class numbers, one per row (MNIST's label files).
    public var labels: String?
    /// Multiplies the input; nil means 1/255 for IDX files of unsigned bytes, 1 otherwise.
    public var scale: Double?

    public init(model: String, weights: String, input: String) {
        self.model = model
        self.weights = weights
        self.input = input
    }
}

extension Runtime {
    /// Runs `descent predict`: predictions to stdout or `request.output`, accuracy (when the
    /// input has labels) and notes to stderr. Throws `LuaError` with a message naming the file or
    /// option at fault (no traceback: the message says which file).
    public func predict(_ request: PredictRequest) throws {
        for (option, path) in [("--model", request.model), ("--weights", request.weights), ("input", request.input),
                               ("--labels", request.labels)] {
            guard let path else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw LuaError("\(option) \(path): no such file")
            }
        }
        guard let kind = PredictRequest.FileKind(path: request.input) else {
            throw LuaError("\(request.input): expected a .csv, .npy or IDX (.idx, -ubyte) file")
        }
        if let labels = request.labels, ![.idx, .npy].contains(PredictRequest.FileKind(path: labels)) {
            throw LuaError("--labels \(labels): expected an IDX (.idx, -ubyte) or .npy file")
        }
        let scale = try request.scale ?? (kind == .idx && IDX.storesUnsignedBytes(request.input) ? 1.0 / 255 : 1)

        let L = host.state
        try addScriptDirectoryToPath(request.model)  // so that the model file can `require` its neighbours
        try host.load(chunk: EmbeddedLua.predict)
        L.newTable(record: 10)
        let strings: [(String, String?)] = [
            ("model", request.model), ("weights", request.weights), ("input", request.input), ("kind", kind.rawValue),
            ("output", request.output), ("label_column", request.labelColumn), ("labels", request.labels),
            ("labels_kind", request.labels.flatMap { PredictRequest.FileKind(path: $0)?.rawValue }),
        ]
        for (key, value) in strings {
            guard let value else { continue }
            L.push(value)
            L.rawSet(-2, key)
        }
        L.push(request.probabilities)
        L.rawSet(-2, "probabilities")
        L.push(request.batchSize)
        L.rawSet(-2, "batch_size")
        L.push(scale)
        L.rawSet(-2, "scale")
        do {
            try host.call(nargs: 1, nresults: 0)
        } catch let error as LuaRaise {
            let message = error.message.components(separatedBy: "\nstack traceback:").first ?? error.message
            throw LuaError(message)
        }
    }
}
