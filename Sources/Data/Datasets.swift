import Foundation
import Tensors

/// Bundled and well-known datasets (see docs/datasets.md for shapes and attribution).
///
/// ```swift
/// let digits = try Datasets.digits()                  // x [1797, 64], y [1797] in 1...10
/// let mnist = try Datasets.mnist("data/mnist5k")      // train.x [4000, 784] in [0, 1]
/// ```
public enum Datasets {
    /// The 8x8 handwritten digits (UCI, as shipped with scikit-learn), bundled with descent:
    /// `x` float32 `[1797, 64]` with pixel values 0...16, `y` float32 `[1797]` with labels
    /// 1...10 (digit d has label d + 1), classes `["0", ..., "9"]`.
    public static func digits() throws -> (x: Tensor, y: Tensor, classes: [String]) {
        let path = try resourcePath("digits.csv")
        let (x, y, classes) = try CSV.load(path, header: true, label: "label")
        guard let y, let classes, x.shape == [1797, 64] else {
            throw TensorError("\(path): bundled digits.csv is damaged: expected 1797 rows of 64 pixels and a label")
        }
        return (x, y, classes)
    }

    /// MNIST from the IDX files in `directory`: the standard names (`train-images-idx3-ubyte`,
    /// `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each with
    /// or without `.gz`) or the mnist5k subset's (`mnist5k-{train,test}-{images-idx3,labels-idx1}-ubyte.gz`).
    ///
    /// Images come back flattened and scaled, float32 `[N, 784]` in [0, 1] (pixel / 255), as an
    /// MLP wants them (a CNN reshapes to `[N, 1, 28, 28]`); labels float32 `[N]` in 1...10
    /// (digit d has label d + 1); classes `["0", ..., "9"]`.
    ///
    /// `checkFile` sees each file before it is opened (the sandbox checks files, not only the
    /// folder: a file in it can be a symbolic link to anywhere).
    public static func mnist(_ directory: String, checkFile: (String) throws -> Void = { _ in }) throws
        -> (train: (x: Tensor, y: Tensor), test: (x: Tensor, y: Tensor), classes: [String])
    {
        let train = try mnistPart(directory, standard: "train", subset: "train", checkFile: checkFile)
        let test = try mnistPart(directory, standard: "t10k", subset: "test", checkFile: checkFile)
        return (train, test, (0...9).map(String.init))
    }

    static func mnistPart(_ directory: String, standard: String, subset: String,
                          checkFile: (String) throws -> Void = { _ in }) throws -> (x: Tensor, y: Tensor) {
        let imagesPath = try find(in: directory, [
            "\(standard)-images-idx3-ubyte", "\(standard)-images.idx3-ubyte",
            "mnist5k-\(subset)-images-idx3-ubyte",
        ])
        let labelsPath = try find(in: directory, [
            "\(standard)-labels-idx1-ubyte", "\(standard)-labels.idx1-ubyte",
            "mnist5k-\(subset)-labels-idx1-ubyte",
        ])
        try checkFile(imagesPath)
        try checkFile(labelsPath)
        let images = try IDX.load(imagesPath)
        let labels = try IDX.load(labelsPath)
        guard images.dim == 3 else {
            throw TensorError("\(imagesPath): expected images of shape [N, rows, cols], got \(describe(shape: images.shape))")
        }
        guard labels.dim == 1, labels.shape[0] == images.shape[0] else {
            throw TensorError(
                "\(labelsPath): expected \(images.shape[0]) labels (one per image), got shape \(describe(shape: labels.shape))")
        }
        let n = images.shape[0], pixels = images.shape[1] * images.shape[2]
        let x = try Tensor(uninitializedShape: [n, pixels])
        let src = images.pointer, dst = x.pointer
        // Divide (not multiply by 1/255) so values match torchvision's ToTensor bit for bit.
        for i in 0..<(n * pixels) { dst[i] = src[i] / 255 }
        let l = labels.pointer
        for i in 0..<n {
            let v = l[i]
            guard v >= 0, v <= 9, v == v.rounded() else {
                throw TensorError("\(labelsPath): label \(i + 1): expected a digit 0...9, got \(v)")
            }
            l[i] = v + 1
        }
        return (x, labels)
    }

    /// The first of `names` (each also tried with `.gz`) that exists in `directory`.
    static func find(in directory: String, _ names: [String]) throws -> String {
        let base = URL(fileURLWithPath: directory)
        for name in names {
            for candidate in [name, name + ".gz"] {
                let path = base.appendingPathComponent(candidate).path
                if FileManager.default.fileExists(atPath: path) { return path }
            }
        }
        throw TensorError(
            "\(directory): no MNIST file found, expected one of \(names.map { $0 + "[.gz]" }.joined(separator: ", "))")
    }

    /// Locates a bundled resource file.
    ///
    /// Looks where SwiftPM's `Bundle.module` would (next to the executable, then the build
    /// directory) but throws instead of trapping when the bundle is missing, and finally falls
    /// back to the source tree this file was compiled from.
    static func resourcePath(_ name: String) throws -> String {
        let bundleName = "descent_Data.resources"
        var roots = [Bundle.main.bundleURL, Bundle.main.resourceURL]
        if let exe = Bundle.main.executableURL { roots.append(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
        var candidates = roots.compactMap { $0?.appendingPathComponent(bundleName).appendingPathComponent("Resources") }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources"))
        for dir in candidates {
            let path = dir.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw TensorError(
            "bundled dataset \(name) not found: expected it in \(bundleName)/Resources next to the descent executable")
    }
}
