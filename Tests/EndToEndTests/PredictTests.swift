import Foundation
import Testing

/// `descent predict`: a model trained and saved by a script, then classifying CSV, NPY and IDX
/// files from the shell; its errors and exit codes.
@Suite struct PredictTests {
    /// A 3-class model over 4 features; `print` checks that the model file cannot pollute stdout.
    static let model = """
        print("building the model")
        return function() return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)) end
        """

    /// Trains the model on 200 rows (class = the largest of the first three features), saves it
    /// with nn.save and experiment.checkpoint, writes the rows as CSV (label column 0..2) and NPY
    /// (with 0-based labels), and prints train.evaluate's accuracy as predict prints it.
    static let train = """
        tensor.manual_seed(1)
        local x = tensor.randn(200, 4)
        local _, y = x:narrow(2, 1, 3):max(2)
        local model = require("model")()
        train.fit(model, { optimizer = optim.Adam(model:parameters(), { lr = 0.02 }), x = x, y = y, epochs = 15, batch_size = 20 })
        nn.save(model, "model.safetensors")
        experiment.checkpoint("last", { model = model, step = 1 })
        local lines = { "a,b,label,c,d" }
        local labels = (y - 1):totable()
        for i, row in ipairs(x:totable()) do
          lines[#lines + 1] = string.format("%.9g,%.9g,%d,%.9g,%.9g", row[1], row[2], labels[i], row[3], row[4])
        end
        local f = assert(io.open("rows.csv", "w")); f:write(table.concat(lines, "\\n"), "\\n"); f:close()
        data.save_npy("rows.npy", x)
        data.save_npy("labels.npy", y - 1)
        local acc = train.evaluate(model, x, y).accuracy
        print(string.format("accuracy %.4f (%d/%d)", acc, math.floor(acc * 200 + 0.5), 200))
        """

    /// A temporary folder with model.lua, the trained weights and the data files.
    struct Trained {
        let dir: URL
        /// `accuracy A (correct/rows)` from train.evaluate.
        let accuracyLine: String

        init() throws {
            dir = try Descent.temporaryDirectory()
            try Descent.write(PredictTests.model, to: "model.lua", in: dir)
            try Descent.write(PredictTests.train, to: "train.lua", in: dir)
            let r = try Descent.run(["run", "train.lua", "--quiet"], in: dir)
            try #require(r.status == 0, "\(r.stderr)")
            accuracyLine = try #require(r.stdout.split(separator: "\n").last { $0.hasPrefix("accuracy ") }).description
        }

        func predict(_ arguments: [String]) throws -> DescentRun {
            try Descent.run(["predict", "--model", "model.lua"] + arguments, in: dir)
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func csvGivesOneClassPerRowAndTheAccuracyOfEvaluate() throws {
        let t = try Trained()
        defer { t.remove() }
        let r = try t.predict(["--weights", "model.safetensors", "rows.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let classes = lines(r.stdout)
        #expect(classes.count == 200)
        #expect(classes.allSatisfy { ["1", "2", "3"].contains($0) }, "\(r.stdout)")
        #expect(Set(classes).count == 3, "a trained model predicts every class")
        #expect(lines(r.stderr).contains(t.accuracyLine), "predict: \(r.stderr), evaluate: \(t.accuracyLine)")
        #expect(r.stderr.contains("building the model"), "the model file's print goes to stderr")
    }

    @Test func npyWithLabelsWritesCSVWithProbabilities() throws {
        let t = try Trained()
        defer { t.remove() }
        let fromCSV = try t.predict(["--weights", "model.safetensors", "rows.csv"])
        let r = try t.predict(["--weights", "model.safetensors", "rows.npy", "--labels", "labels.npy",
                               "--probabilities", "--output", "out.csv", "--batch-size", "7"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        #expect(lines(r.stderr).contains(t.accuracyLine), "\(r.stderr)")
        let rows = lines(try String(contentsOf: t.dir.appendingPathComponent("out.csv"), encoding: .utf8))
        #expect(rows.first == "index,class,p1,p2,p3")
        #expect(rows.count == 201)
        for (i, row) in rows.dropFirst().enumerated() {
            let fields = row.split(separator: ",")
            #expect(fields.count == 5 && fields[0] == "\(i + 1)", "\(row)")
            let p = fields.dropFirst(2).compactMap { Double($0) }
            #expect(abs(p.reduce(0, +) - 1) < 1e-4, "\(row)")
            // The class is the most probable one, and the same as from the CSV file.
            #expect(Int(fields[1]) == (p.firstIndex(of: p.max() ?? 0) ?? -1) + 1, "\(row)")
        }
        #expect(rows.dropFirst().map { String($0.split(separator: ",")[1]) } == lines(fromCSV.stdout))
    }

    @Test func experimentCheckpointWorksAsWeights() throws {
        let t = try Trained()
        defer { t.remove() }
        let saved = try t.predict(["--weights", "model.safetensors", "rows.npy", "--probabilities"])
        let checkpoint = try t.predict(["--weights", "checkpoints/last.safetensors", "rows.npy", "--probabilities"])
        #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
        #expect(checkpoint.stdout == saved.stdout)
        #expect(lines(checkpoint.stdout).count == 200)
    }

    @Test func idxImagesAreScaledBy1Over255ByDefault() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Scores [largest pixel, 2, 0, ..., 0] for the 10 digits: class 2 when pixels lie in
        // [0, 1], class 1 for raw bytes.
        try Descent.write("""
            local Probe = nn.Module{ forward = function(self, x)
              local n = x:size(1)
              local top = x:reshape(n, -1):max(2)
              return tensor.cat({ top:reshape(n, 1), tensor.full({ n, 1 }, 2), tensor.zeros(n, 8) }, 2)
            end }
            return Probe()
            """, to: "probe.lua", in: dir)
        try Descent.write("nn.save({}, 'none.safetensors')\n", to: "save.lua", in: dir)
        #expect(try Descent.run(["run", "save.lua"], in: dir).status == 0)
        let images = projectRoot.appendingPathComponent("data/mnist5k/mnist5k-test-images-idx3-ubyte.gz").path
        let labels = projectRoot.appendingPathComponent("data/mnist5k/mnist5k-test-labels-idx1-ubyte.gz").path
        let scaled = try Descent.run(["predict", "--model", "probe.lua", "--weights", "none.safetensors", images, "--labels", labels], in: dir)
        #expect(scaled.status == 0, "\(scaled.stderr)")
        #expect(lines(scaled.stdout).count == 1000 && lines(scaled.stdout).allSatisfy { $0 == "2" })
        // Class 2 is the digit 1: the accuracy is the share of ones among the labels (113 of 1000 in mnist5k's test set).
        #expect(scaled.stderr.contains("(113/1000)"), "\(scaled.stderr)")
        let raw = try Descent.run(["predict", "--model", "probe.lua", "--weights", "none.safetensors", images, "--scale", "1"], in: dir)
        #expect(raw.status == 0, "\(raw.stderr)")
        #expect(lines(raw.stdout).allSatisfy { $0 == "1" })
    }

    /// scripts/examples/digits_predict as its header shows it: train, then classify test.csv.
    @Test func digitsExampleTrainsThenPredictsFromTheShell() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = projectRoot.appendingPathComponent("scripts/examples/digits_predict")
        let trained = try Descent.run(["run", example.appendingPathComponent("train.lua").path, "--quiet", "--set", "epochs=3",
                                       "--", dir.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        // "test accuracy 0.9415 (338/359); wrote ..." -> "accuracy 0.9415 (338/359)"
        let evaluated = try #require(trained.stdout.split(separator: ";").first?.dropFirst("test ".count))
        let r = try Descent.run(["predict", "--model", example.appendingPathComponent("model.lua").path,
                                 "--weights", dir.appendingPathComponent("digits.safetensors").path,
                                 dir.appendingPathComponent("test.csv").path, "--scale", "1/16"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(lines(r.stdout).count == 359)
        #expect(r.stderr == evaluated + "\n", "\(trained.stdout)")
    }

    /// mnist_mlp.lua's saved weights classify the IDX test images as well as the script measured:
    /// the default 1/255 scale is data.mnist's.
    @Test func mnistExampleWeightsOnIDXImages() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("mnist.safetensors").path
        let trained = try Descent.run(["run", "scripts/examples/mnist_mlp.lua", "--quiet", "--set", "epochs=1",
                                       "--set", "save=\(weights)"], in: projectRoot, timeout: 300)
        #expect(trained.status == 0, "\(trained.stderr)")
        let line = try #require(trained.stdout.split(separator: "\n").first { $0.hasPrefix("test accuracy") })
        let percent = try #require(Double(line.split(separator: " ")[2]))
        let r = try Descent.run(["predict", "--model", "scripts/examples/mnist_mlp_model.lua", "--weights", weights,
                                 "data/mnist5k/mnist5k-test-images-idx3-ubyte.gz",
                                 "--labels", "data/mnist5k/mnist5k-test-labels-idx1-ubyte.gz"], in: projectRoot)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(lines(r.stdout).count == 1000)
        let correct = Int(percent * 10 + 0.5)
        #expect(r.stderr == String(format: "accuracy %.4f (%d/1000)\n", Double(correct) / 1000, correct), "\(line)")
    }

    @Test func filesThatDoNotFitFailWithExitCode1() throws {
        let t = try Trained()
        defer { t.remove() }
        try Descent.write("return 42\n", to: "number.lua", in: t.dir)
        try Descent.write("return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))\n", to: "narrow.lua", in: t.dir)
        try Descent.write("return nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3))\n", to: "wide.lua", in: t.dir)
        try Descent.write("nn.save(nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3)), 'wide.safetensors')\n", to: "save.lua", in: t.dir)
        #expect(try Descent.run(["run", "save.lua"], in: t.dir).status == 0)
        let cases: [([String], String)] = [
            (["--model", "model.lua", "--weights", "missing.safetensors", "rows.csv"], "--weights missing.safetensors: no such file"),
            (["--model", "model.lua", "--weights", "model.safetensors", "missing.csv"], "input missing.csv: no such file"),
            (["--model", "number.lua", "--weights", "model.safetensors", "rows.csv"], "--model number.lua: expected the file to return an nn module or a function that returns one, got number"),
            (["--model", "narrow.lua", "--weights", "model.safetensors", "rows.csv"], "--weights model.safetensors do not fit --model narrow.lua: load_state_dict: size mismatch for '1.weight': expected [8, 4], got [16, 4]"),
            (["--model", "wide.lua", "--weights", "wide.safetensors", "rows.csv"], "--model wide.lua cannot take rows.csv (shape [200, 4]): linear: expected input with last dimension 5"),
            (["--model", "model.lua", "--weights", "model.safetensors", "rows.csv", "--label-column", "nope"], "--label-column nope: rows.csv has no such column"),
            (["--model", "model.lua", "--weights", "model.safetensors", "rows.npy", "--labels", "rows.npy"], "--labels rows.npy: expected 200 labels (shape [200]), got shape [200, 4]"),
        ]
        for (arguments, message) in cases {
            let r = try Descent.run(["predict"] + arguments, in: t.dir)
            #expect(r.status == 1, "\(arguments)")
            let last = lines(r.stderr).last ?? ""  // after the model file's print
            #expect(last.hasPrefix("descent: " + message), "\(arguments): \(r.stderr)")
            #expect(!r.stderr.contains("stack traceback"), "\(r.stderr)")
        }
    }

    @Test func usageErrorsExitWith2() throws {
        let cases: [([String], String)] = [
            (["rows.txt"], "expected a .csv, .npy or IDX"),
            (["rows.csv", "--batch-size", "0"], "--batch-size expects a positive number, got 0"),
            (["rows.csv", "--scale", "1/0"], "--scale expects a finite number"),
            (["rows.npy", "--label-column", "y"], "--label-column applies to CSV input"),
            (["rows.csv", "--labels", "labels.csv"], "--labels labels.csv: expected an IDX"),
            (["rows.csv", "--threads", "0"], "--threads expects a positive number"),
        ]
        for (arguments, message) in cases {
            let r = try Descent.run(["predict", "--model", "m.lua", "--weights", "w.safetensors"] + arguments)
            #expect(r.status == 2, "\(arguments)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        let missing = try Descent.run(["predict", "rows.csv"])
        #expect(missing.status == 2 && missing.stderr.contains("--model"), "\(missing.stderr)")
    }
}
