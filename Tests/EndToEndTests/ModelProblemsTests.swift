import Foundation
import Testing

/// The neural-network problems (char_transformer, char_lstm, resnet_fashion, modular_addition)
/// at tiny sizes: each builds by name, is the same function of its seed, and a few AdamW steps
/// reduce its loss. resnet_fashion reads small IDX files written here, so the suite does not
/// need Debian's dataset-fashion-mnist.
@Suite struct ModelProblemsTests {
    /// A Lua function `steps(name, opts, n, lr)` that trains `n` steps and prints
    /// `name first last` plus the evaluate() keys.
    static let harness = """
        local function steps(name, opts, n, lr)
          local p = problems.build(name, opts)
          local opt = optim.AdamW(p.params, {lr = lr or 1e-2, weight_decay = 0})
          local first, last
          for s = 1, n do
            opt:zero_grad()
            local loss = p.loss()
            loss:backward()
            opt:step()
            if s == 1 then first = loss:item() end
            last = loss:item()
          end
          local keys = {}
          for k, v in pairs(p.evaluate()) do
            assert(type(v) == "number" and v == v, k)
            keys[#keys + 1] = k
          end
          table.sort(keys)
          print(name, last < first, string.format("%.4f %.4f", first, last), table.concat(keys, ","))
          return p
        end

        """

    func run(_ body: String, _ extra: [String] = []) throws -> [String] {
        let r = try Descent.runScript(Self.harness + body, extra)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test func characterModelsLearnAndSample() throws {
        let lines = try run("""
            local tiny = {n_layer = 1, n_head = 2, n_embd = 16, block_size = 16, batch_size = 8, eval_batches = 1, seed = 1}
            local p = steps("char_transformer", tiny, 12)
            local again = problems.char_transformer(tiny)
            print((again.params[1] - problems.char_transformer(tiny).params[1]):abs():sum():item(), #p.params)
            tiny.tied = true
            local t = steps("char_transformer", tiny, 12)
            print(#t.params == #p.params - 1)
            local s = p.sample(12, {prompt = "ROMEO:", temperature = 0.8})
            print(utf8.len(s), p.data.vocab_size)
            local l = steps("char_lstm", {hidden = 16, num_layers = 2, embedding = 8, block_size = 12, batch_size = 4,
              eval_batches = 1, seed = 1}, 12)
            print(#l.sample(5))
            steps("char_lstm", {hidden = 8, num_layers = 1, text = string.rep("abcd", 30), block_size = 8,
              batch_size = 4, eval_batches = 1, seed = 2}, 12, 3e-2)
            """)
        #expect(lines.count == 8, "\(lines)")
        #expect(lines[0].hasPrefix("char_transformer\ttrue\t"), "\(lines)")
        #expect(lines[0].hasSuffix("train_loss,val_loss"), "\(lines)")
        #expect(lines[1] == "0\t17", "same seed, same weights; 17 tensors for one block, untied: \(lines)")
        #expect(lines[2].hasPrefix("char_transformer\ttrue\t") && lines[3] == "true", "\(lines)")
        #expect(lines[4] == "12\t65", "\(lines)")
        #expect(lines[5].hasPrefix("char_lstm\ttrue\t") && lines[6] == "5", "\(lines)")
        #expect(lines[7].hasPrefix("char_lstm\ttrue\t"), "\(lines)")
    }

    /// With PyTorch's weights (scripts/reference/char_models.py: nn.LayerNorm, Linear, Embedding,
    /// causal scaled_dot_product_attention, nn.LSTM), the problems' models give PyTorch's logits.
    @Test func characterModelsMatchPyTorch() throws {
        let fixture = projectRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures/char_models.safetensors").path
        let r = try Descent.runScript("""
            local sd = nn.load(...)
            local function part(prefix)
              local out = {}
              for k, v in pairs(sd) do
                if k:sub(1, #prefix) == prefix then out[k:sub(#prefix + 1)] = v end
              end
              return out
            end
            local text = string.rep("abcdefghij\\n", 20)   -- 11 characters, as the fixture's vocabulary
            local idx, targets = sd["input.idx"], sd["input.targets"]
            local function check(name, p)
              p.model:load_state_dict(part(name .. "."))
              local logits = p.model(idx)
              local loss = nn.cross_entropy(logits:reshape(-1, 11), targets:reshape(-1)):item()
              local diff = (logits - sd[name .. "_expected.logits"]):abs():max():item()
              print(name, diff < 1e-4, math.abs(loss - sd[name .. "_expected.loss"][1]) < 1e-5)
            end
            check("gpt", problems.char_transformer{text = text, n_layer = 2, n_head = 2, n_embd = 16, block_size = 8})
            check("lstm", problems.char_lstm{text = text, hidden = 12, num_layers = 2, embedding = 8})
            """, ["--", fixture])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "gpt\ttrue\ttrue\nlstm\ttrue\ttrue\n", "\(r.stdout)")
    }

    @Test func modularAdditionLearnsTheTrainingTable() throws {
        let lines = try run("""
            steps("modular_addition", {p = 11, d_model = 16, hidden = 32, seed = 1}, 40)
            steps("modular_addition", {p = 11, model = "transformer", d_model = 16, n_head = 2, seed = 1}, 40)
            local p = problems.modular_addition{p = 11, op = "*", train_fraction = 0.5, batch_size = 8, seed = 3}
            print(p.data.train.x:size(1), p.steps_per_epoch)
            """)
        #expect(lines.count == 3, "\(lines)")
        for line in lines.prefix(2) {
            #expect(line.hasPrefix("modular_addition\ttrue\t") && line.hasSuffix("train_accuracy,train_loss,val_accuracy,val_loss"), "\(lines)")
        }
        #expect(lines[2] == "61\t8", "\(lines)")   // round(0.5 * 121) = 61 pairs, 8 batches of 8
    }

    /// Standard-named IDX files with 64 training and 16 test images of two easy classes.
    func writeTinyFashion(in dir: URL) throws {
        func header(_ shape: [Int]) -> [UInt8] {
            var bytes: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
            for d in shape { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
            return bytes
        }
        for (prefix, n) in [("train", 64), ("t10k", 16)] {
            var images = header([n, 28, 28]), labels = header([n])
            for i in 0..<n {
                let label = UInt8(i % 2)
                // Class 0: bright left half; class 1: bright right half (plus a little texture).
                for r in 0..<28 {
                    for c in 0..<28 { images.append(((c < 14) == (label == 0)) ? UInt8(200 + (r + i) % 50) : UInt8((r * c + i) % 40)) }
                }
                labels.append(label * 9)   // labels 0 and 9: "T-shirt/top" and "Ankle boot"
            }
            try Data(images).write(to: dir.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(labels).write(to: dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test func resnetOnTinyFashionFiles() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeTinyFashion(in: dir)
        let lines = try run("""
            local dir = ...
            local p = steps("resnet_fashion", {data = dir, width = 4, batch_size = 16, seed = 1}, 8)
            print(p.steps_per_epoch, #p.params, p.evaluate().test_accuracy >= 0)
            steps("resnet_fashion", {data = dir, width = 4, batch_size = 16, augment = true, train_size = 32,
              eval_size = 8, seed = 1}, 6)
            """, ["--", dir.path])
        #expect(lines.count == 3, "\(lines)")
        #expect(lines[0].hasPrefix("resnet_fashion\ttrue\t") && lines[0].hasSuffix("test_accuracy,test_loss"), "\(lines)")
        // stem conv + bn (3), three blocks of 2 convs + 2 bns (6 each), two projection shortcuts (3 each), fc (2)
        #expect(lines[1] == "4\t29\ttrue", "\(lines)")
        #expect(lines[2].hasPrefix("resnet_fashion\ttrue\t"), "\(lines)")
    }

    @Test func theRealFashionMNISTWhenInstalled() throws {
        let dir = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: dir + "/train-images-idx3-ubyte.gz") else { return }  // skipped
        let r = try Descent.runScript("""
            local m = data.fashion_mnist()
            print(m.train.x:size(1), m.test.x:size(1), m.train.x:size(2), m.classes[10], m.train.y:min():item(), m.train.y:max():item())
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "60000\t10000\t784\tAnkle boot\t1\t10\n", "\(r.stdout)")
    }

    @Test func optionErrorsNameTheScriptLine() throws {
        let cases: [(String, String)] = [
            ("problems.build('char_transformer', {n_embd = 10, n_head = 4})", "n_embd (10) must be a multiple of n_head (4)"),
            ("problems.char_lstm{hiden = 3}", "problems.char_lstm: unknown option 'hiden'"),
            ("problems.modular_addition{model = 'rnn'}", "option 'model' expected \"mlp\" or \"transformer\", got \"rnn\""),
            ("problems.resnet_fashion{data = '/nonexistent/fm'}", "Fashion-MNIST not found"),
            ("problems.char_transformer{block_size = 0}", "option 'block_size' expected an integer >= 1, got 0"),
        ]
        for (source, expected) in cases {
            let r = try Descent.runScript(source)
            #expect(r.status == 1 && r.stderr.contains(expected), "\(source): \(r.stderr)")
            #expect(r.stderr.contains("script.lua:1:"), "\(source): \(r.stderr)")
        }
    }
}
