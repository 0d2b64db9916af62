import ArgumentParser
import Foundation
import LuaModules
import Tensors

/// `descent predict`: classes for the rows of a file, from a model definition and saved weights.
/// The logic lives in the embedded Lua library (LuaModules/PredictLibrary.swift), which reuses
/// `nn.utils.load_safetensors`, `load_state_dict`, the `data` readers and `train.predict`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict classes for the rows of an IDX, CSV or NPY file with a saved model.",
        discussion: """
            MODEL.lua returns an nn module (or a function that builds one); --weights is the \
            file nn.save wrote, or an experiment.checkpoint file. Each row of INPUT goes through \
            the model in evaluation mode without recording gradients; the predicted class \
            (1-based, the argmax of the model's outputs) is printed one per line, or written \
            with --output as CSV `index,class[,p1,...,pK]`. A CSV's `label` column (or \
            --label-column) is dropped from the input, and the accuracy against it is printed \
            on stderr; --labels gives labels for IDX and NPY input.

            INPUT is read by its name: .csv, .npy, .idx or ...-ubyte (MNIST), each also .gz. \
            It reaches the model as loaded (an IDX image file as [N, 28, 28]: start the model \
            with nn.Flatten() for an MLP), multiplied by --scale: by default 1/255 for IDX \
            files of unsigned bytes (as data.mnist does), 1 otherwise.

            Exit status: 0 on success, 1 when a file is missing or does not fit (model, weights, \
            input shape), 2 on a usage error.

            Examples:
              descent predict --model model.lua --weights model.safetensors \\
                test.csv --scale 1/16
              descent predict --model mnist_mlp_model.lua --weights mnist.safetensors \\
                mnist5k-test-images-idx3-ubyte.gz \\
                --labels mnist5k-test-labels-idx1-ubyte.gz
              descent predict --model model.lua \\
                --weights runs/r1/checkpoints/last.safetensors \\
                x.npy --probabilities --output predictions.csv
            """)

    @Option(help: ArgumentHelp("A Lua file returning the nn module (or a function that builds it).", valueName: "model.lua"))
    var model: String

    @Option(help: ArgumentHelp("The weights: an nn.save file or an experiment checkpoint.", valueName: "file.safetensors"))
    var weights: String

    @Argument(help: "The rows to classify: a .csv, .npy or IDX file (also .gz).")
    var input: String

    @Option(help: ArgumentHelp("Write CSV `index,class[,p1,...,pK]` here instead of classes to stdout.", valueName: "file.csv"))
    var output: String?

    @Flag(help: "Add the softmax probabilities of every class to each line.")
    var probabilities = false

    @Option(help: "Rows per forward pass.")
    var batchSize: Int = 256

    @Option(help: ArgumentHelp("The CSV column holding labels (default: `label`, if present).", valueName: "name"))
    var labelColumn: String?

    @Option(help: ArgumentHelp("0-based class numbers for the rows (IDX or .npy), to print the accuracy.", valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Multiply the input by this (a number or a fraction such as 1/16).", valueName: "factor"))
    var scale: String?

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        guard PredictRequest.FileKind(path: input) != nil else {
            throw ValidationError("INPUT \(input): expected a .csv, .npy or IDX (.idx, -ubyte) file, optionally .gz")
        }
        if let labels, ![.idx, .npy].contains(PredictRequest.FileKind(path: labels)) {
            throw ValidationError("--labels \(labels): expected an IDX (.idx, -ubyte) or .npy file, optionally .gz")
        }
        if labelColumn != nil, PredictRequest.FileKind(path: input) != .csv {
            throw ValidationError("--label-column applies to CSV input; use --labels for \(input)")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size expects a positive number, got \(batchSize)") }
        if let scale, Self.parseScale(scale) == nil {
            throw ValidationError("--scale expects a finite number or a fraction such as 1/255, got '\(scale)'")
        }
    }

    /// `0.5`, `1e-3` or `1/255`; nil for anything else, zero denominators and non-finite values.
    static func parseScale(_ text: String) -> Double? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let numerator = Double(parts[0]) else { return nil }
        let denominator = parts.count == 2 ? Double(parts[1]) : 1
        guard let denominator, denominator != 0 else { return nil }
        let value = numerator / denominator
        return value.isFinite ? value : nil
    }

    func run() throws {
        threadOptions.apply()
        var request = PredictRequest(model: model, weights: weights, input: input)
        request.output = output
        request.probabilities = probabilities
        request.batchSize = batchSize
        request.labelColumn = labelColumn
        request.labels = labels
        request.scale = scale.flatMap(Self.parseScale)
        do {
            try Runtime(context: RunContext(scriptPath: model, quiet: true)).predict(request)
        } catch {
            FileHandle.standardError.write(Data(("descent: \(error)\n").utf8))
            throw ExitCode(1)
        }
    }
}
