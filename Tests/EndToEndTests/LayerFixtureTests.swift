import Foundation
import Testing

/// The layers of the second round against PyTorch 2.13: each fixture in Fixtures/layers (made by
/// scripts/reference/layer_fixtures.py) holds a PyTorch state dict, inputs, outputs and input
/// gradients; Fixtures/layers/check.lua builds the layer in descent, loads the state dict with
/// `load_state_dict` and compares outputs and gradients within 1e-4.
@Suite struct LayerFixtureTests {
    static let folder = projectRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures/layers")

    static func fixtures() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }.sorted()
    }

    @Test func everyLayerFixtureMatchesPyTorch() throws {
        let files = try Self.fixtures()
        // Recurrent (RNN, LSTM incl. bidirectional 2-layer, GRU), attention (causal, padded),
        // pre- and post-norm encoder and decoder layers, and the rest.
        for prefix in ["rnn_", "lstm_bidir2", "gru_bidir2", "sdpa_causal", "mha_padded", "mha_causal",
                       "encoder_prenorm", "encoder_postnorm", "decoder_prenorm", "decoder_postnorm", "conv1d",
                       "convtranspose2d", "groupnorm", "rmsnorm", "adaptiveavgpool2d", "upsample", "gelu_tanh", "sequential_nested", "batchnorm1d_tracked"] {
            #expect(files.contains { $0.hasPrefix(prefix) }, "no fixture for \(prefix)")
        }
        let r = try Descent.run(["run", "check.lua", "--"] + files, in: Self.folder, timeout: 300)
        let ok = r.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(ok == files.count, "\(r.stdout)")
    }
}
