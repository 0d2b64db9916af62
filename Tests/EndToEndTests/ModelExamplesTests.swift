import Foundation
import Testing

/// The examples of issue 16 (nanoGPT on tinyshakespeare, the grokking sweep, the ResNet on
/// Fashion-MNIST), run as a user runs them but shrunk to a few steps of tiny models.
@Suite struct ModelExamplesTests {
    func example(_ name: String) -> String { projectRoot.appendingPathComponent("scripts/examples/\(name)").path }

    @Test func nanoGPTTrainsAndPrintsASample() throws {
        let r = try Descent.run(["run", example("nanogpt_shakespeare.lua"), "--set", "steps=4", "--set", "n_layer=1",
                                 "--set", "n_embd=16", "--set", "block_size=16", "--set", "batch_size=4",
                                 "--set", "eval_batches=1", "--set", "eval_every=2", "--set", "warmup=2",
                                 "--set", "sample_chars=30"], in: projectRoot, timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("step 4: train loss 4."), "\(r.stdout)")
        let sample = try #require(r.stdout.components(separatedBy: "sample:\n").last)
        #expect(sample.hasPrefix("ROMEO:") && sample.count >= 36, "\(r.stdout)")
    }

    @Test func transformerStudyRuns() throws {
        let r = try Descent.run(["run", example("transformer_study.lua"), "--set", "steps=4", "--set", "eval_every=2",
                                 "--set", "warmup=2", "--set", "n_layer=1", "--set", "n_embd=16"], in: projectRoot, timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("summary {\"train_loss\":4."), "\(r.stdout)")
    }

    @Test func grokkingSweepReportsAndPlots() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Descent.execute(URL(fileURLWithPath: example("grokking.sh")),
                                    ["--set", "p=11", "--set", "d_model=8", "--set", "hidden=16", "--set", "eval_every=10"],
                                    timeout: 600, environment: ["OUT": dir.path, "WDS": "0,1", "STEPS": "20"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("| adamw | 1 |"), "\(r.stdout)")
        #expect(r.stdout.contains("steps until validation accuracy"), "\(r.stdout)")
        for file in ["val_accuracy.svg", "train_accuracy.svg", "report.html"] {
            let text = (try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)) ?? ""
            #expect(text.contains("<polyline"), "\(file) has no curve")
        }
    }

    @Test func resnetFashionOnTinyFiles() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ModelProblemsTests().writeTinyFashion(in: dir)
        let r = try Descent.run(["run", example("resnet_fashion.lua"), "--set", "data=\(dir.path)", "--set", "width=4",
                                 "--set", "batch_size=16", "--set", "train_size=32", "--set", "eval_size=16"],
                                in: projectRoot, timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("epoch 1: train loss"), "\(r.stdout)")
        #expect(r.stdout.contains("Total parameters"), "\(r.stdout)")
    }
}
