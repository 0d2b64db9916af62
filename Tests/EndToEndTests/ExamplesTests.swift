import Foundation
import Testing

/// The example scripts run as a user runs them (small settings to keep the suite quick).
@Suite struct ExamplesTests {
    func example(_ name: String) -> String { projectRoot.appendingPathComponent("scripts/examples/\(name)").path }

    /// Runs an example from the project root; returns stdout.
    func run(_ name: String, _ extra: [String] = []) throws -> String {
        let r = try Descent.run(["run", example(name)] + extra, in: projectRoot, timeout: 300)
        #expect(r.status == 0, "\(name): \(r.stderr)")
        return r.stdout
    }

    @Test func edgeOfStabilityTracksSharpness() throws {
        let out = try run("edge_of_stability.lua", ["--set", "steps=30", "--set", "every=15", "--set", "iters=5"])
        #expect(out.contains("sharpness") && out.contains("2/lr 40.0"), "\(out)")
    }

    @Test func hello() throws {
        let out = try run("hello.lua", ["--set", "steps=200"])
        #expect(out.contains("w = 3.0"), "\(out)")
    }

    @Test func digitsMLPLearns() throws {
        let out = try run("digits_mlp.lua", ["--set", "epochs=5", "--set", "lr=3e-3", "--seed", "1"])
        let summary = try #require(out.split(separator: "\n").last { $0.hasPrefix("summary ") })
        let json = try JSONSerialization.jsonObject(with: Data(summary.dropFirst(8).utf8)) as? [String: Any]
        let accuracy = try #require(json?["accuracy"] as? Double)
        #expect(accuracy > 0.9, "\(out)")
    }

    @Test func fitWithValidationScheduleClippingAndAccumulation() throws {
        let out = try run("fit_digits.lua", ["--set", "epochs=4", "--set", "accumulate=2"])
        #expect(out.contains("validation accuracy"), "\(out)")
        #expect(out.contains("Total parameters: 4810"), "\(out)")
    }

    @Test func saveLoadPredictAgreesExactly() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try run("save_load_predict.lua", ["--", dir.appendingPathComponent("m.safetensors").path])
        #expect(out.contains("restored model agrees: true"), "\(out)")
    }

    @Test func customAdamInLuaMatchesTheBuiltIn() throws {
        let out = try run("custom_adam.lua", ["--set", "steps=60"])
        #expect(out.contains("max relative difference"), "\(out)")
    }

    @Test func kingmaBaLogisticRegressionLogsATrainingLossCurve() throws {
        let out = try run("kingma_ba_logreg.lua", ["--set", "epochs=1", "--set", "optimizer=sgd_nesterov"])
        let records = out.split(separator: "\n").filter { $0.hasPrefix("{\"step\"") }
        #expect(records.count == 5, "steps 0, 8, 16, 24, 32: \(out)")
        #expect(out.contains("sgd_nesterov lr=0.3: training loss 0."), "\(out)")
    }

    @Test func adamwVersusL2OneEpochEach() throws {
        for optimizer in ["adam", "adamw"] {
            let out = try run("adamw_vs_l2.lua", ["--set", "epochs=1", "--set", "optimizer=\(optimizer)", "--set", "hidden=32"])
            #expect(out.contains("\(optimizer) lr=0.001 weight_decay=0.1: test error 0."), "\(out)")
        }
    }

    /// The one-command paper examples, shrunk (one seed, one or two epochs, few cells), end to end:
    /// sweep, report, heatmap tables and plots.
    @Test func paperExampleCommandsWriteTheirReportsAndPlots() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scripts = projectRoot.appendingPathComponent("scripts/examples")
        let kingma = try Descent.execute(scripts.appendingPathComponent("kingma_ba.sh"), [], timeout: 600, environment: [
            "OUT": dir.appendingPathComponent("kb").path, "SEEDS": "1", "EPOCHS": "1"])
        #expect(kingma.status == 0, "\(kingma.stderr)")
        #expect(kingma.stdout.contains("sgd_nesterov"), "\(kingma.stdout)")
        let adamw = try Descent.execute(scripts.appendingPathComponent("adamw_vs_l2.sh"), [], timeout: 600, environment: [
            "OUT": dir.appendingPathComponent("aw").path, "SEEDS": "1", "EPOCHS": "2", "LRS": "1e-3", "WDS": "1e-3,10"])
        #expect(adamw.status == 0, "\(adamw.stderr)")
        #expect(adamw.stdout.contains("| lr \\ weight_decay | 1e-3 | 10 |"), "\(adamw.stdout)")
        #expect(adamw.stdout.range(of: #"\| 1e-3 \| 0\.\d{3} ± 0\.000 \| 0\.\d{3} ± 0\.000 \|"#, options: .regularExpression) != nil, "\(adamw.stdout)")
        for file in ["kb/loss.svg", "kb/report.html", "aw/report.html", "aw/test_error-adam.svg", "aw/test_error-adamw.svg"] {
            let svg = (try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)) ?? ""
            #expect(svg.contains("<polyline"), "\(file) has no curve")
        }
    }

    /// The optimizer zoo, shrunk to four optimizers that each take another path through train.fit
    /// (plain, Muon combined with AdamW, SAM's closure, Sophia's graph), one seed, two epochs.
    @Test func optimizerZooSweepsReportsAndPlots() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = try Descent.execute(projectRoot.appendingPathComponent("scripts/examples/optimizer_zoo.sh"), [], timeout: 600,
                                      environment: ["OUT": dir.path, "NAMES": "adamw,muon,sam,sophia", "SEEDS": "1", "EPOCHS": "2"])
        #expect(zoo.status == 0, "\(zoo.stderr)")
        for name in ["adamw", "muon", "sam", "sophia"] {
            #expect(zoo.stdout.range(of: #"\| \d+ \| \#(name) \| 1 \| 0\.\d+"#, options: .regularExpression) != nil, "\(name): \(zoo.stdout)")
        }
        for file in ["test_accuracy.svg", "test_loss.svg"] {
            let svg = (try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)) ?? ""
            #expect(svg.contains("<polyline"), "\(file) has no curve")
        }
    }

    @Test func mnistMLPOneEpoch() throws {
        let out = try run("mnist_mlp.lua", ["--set", "epochs=1"])
        let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("test accuracy") })
        let percent = Double(line.split(separator: " ")[2]) ?? 0
        #expect(percent > 80, "\(line)")
    }
}

/// optim from Lua: state-dict round trips, param_groups, schedulers, errors.
@Suite struct OptimFromLuaTests {
    @Test func stateDictRoundTripIsExactFromLua() throws {
        let r = try Descent.runScript("""
            local function make()
              tensor.manual_seed(3)
              local w = tensor.randn(5, 4):requires_grad(true)
              return w, optim.AdamW({w}, {lr = 1e-2, amsgrad = true})
            end
            local function steps(w, opt, n, from)
              for k = from, from + n - 1 do
                w.grad = (w * 0 + 1):mul(math.sin(k))
                opt:step()
              end
            end
            local w1, o1 = make(); steps(w1, o1, 20, 1)
            local w2, o2 = make(); steps(w2, o2, 10, 1)
            local sd = o2:state_dict()
            local w3, o3 = make(); w3:requires_grad(false); w3:copy_(w2); w3:requires_grad(true)
            o3:load_state_dict(sd)
            steps(w3, o3, 10, 11)
            print((w1 - w3):abs():max():item() == 0, sd.state[1].step, sd.param_groups[1].amsgrad)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "true\t10\ttrue\n")
    }

    @Test func paramGroupsAndSchedulers() throws {
        let r = try Descent.runScript("""
            local a, b = tensor.ones(2):requires_grad(true), tensor.ones(3):requires_grad(true)
            local opt = optim.SGD({ {params = {a}}, {params = {b}, lr = 0.5} }, {lr = 0.1, momentum = 0.9})
            print(opt:get_lr(1), opt:get_lr(2), opt.param_groups[2].momentum)
            opt.param_groups[1].lr = 0.2
            a.grad, b.grad = tensor.ones(2), tensor.ones(3)
            opt:step()
            print(a[1], b[1])
            local s = optim.lr.StepLR(opt, {step_size = 1, gamma = 0.5})
            s:step()
            print(s:get_last_lr()[1], s:get_last_lr()[2])
            local ok, err = pcall(function() opt.param_groups[1].lr = -1 end)
            print(ok, err)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "0.1\t0.5\t0.9")
        #expect(lines[1] == "0.80000001192093\t0.5")
        #expect(lines[2] == "0.1\t0.25")
        #expect(lines[3].hasPrefix("false") && lines[3].contains("lr"), "\(lines[3])")
    }

    @Test func optimizerErrorsNameTheOptionAndLine() throws {
        let r = try Descent.runScript("local w = tensor.ones(2):requires_grad(true)\nlocal o = optim.Adam({w}, {lr = 1e-3, betas = {0.9, 1.5}})\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:2: Adam:") && r.stderr.contains("betas"), "\(r.stderr)")
        let s = try Descent.runScript("local o = optim.build('adamx', {tensor.ones(2)})\n")
        #expect(s.stderr.contains("script.lua:1:") && s.stderr.contains("unknown optimizer 'adamx'"), "\(s.stderr)")
    }

    @Test func everyOptimizerByNameTrainsAQuadratic() throws {
        let r = try Descent.runScript("""
            for _, name in ipairs(optim.names()) do
              tensor.manual_seed(1)
              -- Muon takes matrices; LBFGS and SAM need the closure form of step; Sophia's Hessian
              -- estimate needs gradients with their graph.
              local w = (name == "muon" and tensor.randn(2, 5) or tensor.randn(10)):requires_grad(true)
              local opt = optim.build(name, {w}, {lr = name == "lion" and 1e-2 or (name == "sgd" and 0.1 or 5e-2)})
              local first
              for i = 1, 200 do
                if name == "lbfgs" or name == "sam" then
                  opt:step(function()
                    opt:zero_grad()
                    local loss = (w * w):sum()
                    first = first or loss:item()
                    loss:backward()
                    return loss
                  end)
                else
                  local loss = (w * w):sum()
                  first = first or loss:item()
                  opt:zero_grad()
                  if name == "sophia" then loss:backward{create_graph = true} else loss:backward() end
                  opt:step()
                end
              end
              print(name, (w * w):sum():item() < first)
            end
            print(#optim.names())
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("false"), "\(r.stdout)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count >= 11 && lines.last == "\(lines.count - 1)", "one line per optimizer: \(r.stdout)")
    }
}

/// autograd from Lua: gradcheck passes for layers and ops, the freed-graph error.
@Suite struct AutogradFromLuaTests {
    @Test func gradcheckLayersAndOps() throws {
        let r = try Descent.runScript("""
            local function check(name, f, ...)
              local ok, info = autograd.gradcheck(f, {...})
              print(name, ok, info.max_abs_error < 1e-2)
            end
            local x = tensor.randn(3, 4):requires_grad(true)
            local w = tensor.randn(5, 4):requires_grad(true)
            check("linear", function(x, w) return nn.functional.linear(x, w) end, x, w)
            check("softmax", function(x) return x:softmax(2) end, x)
            check("tanh_mean", function(x) return x:tanh():mean(1) end, x)
            local img = tensor.randn(2, 2, 6, 6):requires_grad(true)
            local k = tensor.randn(3, 2, 3, 3):requires_grad(true)
            check("conv2d", function(i, k) return nn.functional.conv2d(i, k, nil, {padding = 1}) end, img, k)
            check("max_pool2d", function(i) return nn.functional.max_pool2d(i, 2) end, img)
            local labels = tensor.from{1, 3, 2}
            check("cross_entropy", function(x) return nn.cross_entropy(x, labels) end, x)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        for line in lines { #expect(line.hasSuffix("true\ttrue"), "\(line)") }
    }
}
