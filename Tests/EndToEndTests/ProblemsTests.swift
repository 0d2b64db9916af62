import Foundation
import Testing

/// The Lua `problems` module through the real binary: values and gradients at known points, the
/// quadratic's spectrum, Adam making progress on every problem, `build`/`names`, a sweep over
/// problems, and option errors that name the script line.
@Suite struct ProblemsTests {
    static let mnist = projectRoot.appendingPathComponent("data/mnist5k").path

    /// Runs `source` (with the mnist5k directory as `...`) and returns its trimmed stdout.
    func output(_ source: String) throws -> String {
        let r = try Descent.runScript(source, ["--", Self.mnist])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func rosenbrockValuesAndGradients() throws {
        let out = try output("""
            local function at(p, point)
              local x = p.params[1]
              autograd.no_grad(function() x:copy_(tensor.from(point)) end)
              x.grad = nil
              local loss = p.loss()
              loss:backward()
              return loss:item(), table.concat(x.grad:totable(), ",")
            end
            local p = problems.rosenbrock{}
            print(table.concat(p.params[1]:totable(), ","), p.optimum, table.concat(p.argmin:totable(), ","))
            print(at(p, {1, 1}))
            print(at(p, {0, 0}))
            print(at(problems.rosenbrock{dim = 5}, {0, 0, 0, 0, 0}))
            local four = problems.rosenbrock{dim = 4}
            print(table.concat(four.params[1]:totable(), ","), four.evaluate().loss, four.evaluate().distance > 0)
            print(problems.rosenbrock{start = {2, 4, 16}}.params[1]:numel())
            """)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(out)")
        #expect(lines[0].hasPrefix("-1.2000000476837,1\t0\t1,1"), "\(out)")
        #expect(lines[1] == "0\t0,0", "\(out)")
        #expect(lines[2] == "1\t-2,0", "\(out)")
        #expect(lines[3].hasPrefix("4"), "f(0) = dim - 1: \(out)")
        // f(-1.2, 1, -1.2, 1) sums the pairs (-1.2, 1), (1, -1.2), (-1.2, 1): 24.2 + 484 + 24.2.
        #expect(lines[4].hasPrefix("-1.2000000476837,1,-1.2000000476837,1\t532.4"), "\(out)")
        #expect(lines[5] == "3", "dim defaults to #start: \(out)")
    }

    @Test func bealeIsZeroWithZeroGradientAtItsOptimum() throws {
        let out = try output("""
            local p = problems.beale{start = {3, 0.5}}
            local loss = p.loss()
            loss:backward()
            print(loss:item(), p.params[1].grad:abs():max():item(), p.evaluate().distance)
            print(string.format("%.6f", problems.beale{}.loss():item()), p.optimum)
            """)
        #expect(out == "0\t0\t0\n14.203125\t0", "\(out)")
    }

    @Test func quadraticHasTheDeepOBSSpectrumAndIsSymmetricPositiveSemiDefinite() throws {
        let out = try output("""
            local p = problems.quadratic{}
            local q, r, eig = p.hessian, p.rotation, p.eigenvalues
            -- starts at (1, ..., 1) as DeepOBS; the same seed builds the same matrix
            print(p.params[1]:sum():item(), (problems.quadratic{}.hessian - q):abs():max():item(),
                  (problems.quadratic{seed = 7}.hessian - q):abs():max():item() > 0.1)
            print(q:size(1), q:size(2), (q - q:t()):abs():max():item())
            print(eig:lt(1):sum():item(), eig:ge(30):mul(eig:le(60)):sum():item(), eig:min():item() >= 0)
            -- R is orthogonal; row i of R is an eigenvector of Q with eigenvalue eig[i].
            print((r:matmul(r:t()) - tensor.eye(100)):abs():max():item() < 1e-5)
            local worst = 0
            for i = 1, 100 do
              local v = r[i]
              worst = math.max(worst, (q:matmul(v) - v * eig[i]):abs():max():item() / 60)
              -- the loss at a unit eigenvector is half its eigenvalue
              autograd.no_grad(function() p.params[1]:copy_(v) end)
              worst = math.max(worst, math.abs(p.loss():item() - eig[i] / 2) / 30)
            end
            print(worst < 1e-5)
            -- positive semi-definite: vᵀQv >= (min eigenvalue) |v|² for random v
            local ok = true
            for _ = 1, 20 do
              local v = tensor.randn(100)
              ok = ok and v:dot(q:matmul(v)):item() >= eig:min():item() * v:dot(v):item() * (1 - 1e-4)
            end
            print(ok, p.optimum, p.argmin:abs():sum():item())
            """)
        #expect(out == """
            100\t0\ttrue
            100\t100\t0
            90\t10\ttrue
            true
            true
            true\t0\t0
            """, "\(out)")
    }

    @Test func buildingAProblemLeavesTheScriptsRandomStreamAlone() throws {
        let out = try output("""
            tensor.manual_seed(5)
            local a = tensor.randn(4)
            tensor.manual_seed(5)
            problems.quadratic{dim = 10}
            problems.mlp{data = ..., hidden = 8}
            local b = tensor.randn(4)
            print((a - b):abs():max():item())
            local m1, m2 = problems.mlp{data = ..., hidden = 8, seed = 3}, problems.mlp{data = ..., hidden = 8, seed = 3}
            print((m1.params[1] - m2.params[1]):abs():max():item(), #m1.params, m1.params[1]:size(1))
            """)
        #expect(out == "0\n0\t4\t8", "\(out)")
    }

    @Test func noisyQuadraticDrawsMinibatchesAroundTheMean() throws {
        let out = try output("""
            local p = problems.quadratic{dim = 20, noise = 0.6, batch_size = 100}
            local a, b = p.loss():item(), p.loss():item()
            -- E[½ (θ − x)ᵀQ(θ − x)] = ½ θᵀQθ + ½ noise² tr(Q)
            local expected = p.evaluate().loss + 0.5 * 0.36 * p.eigenvalues:sum():item()
            print(p.steps_per_epoch, a ~= b, math.abs(a / expected - 1) < 0.2, math.abs(b / expected - 1) < 0.2)
            """)
        #expect(out == "10\ttrue\ttrue\ttrue", "\(out)")
    }

    /// Adam lowers every problem's objective; few steps keep the mnist problems fast.
    @Test func adamReducesEveryProblemsLoss() throws {
        let out = try output("""
            local dir = ...
            local settings = {
              rosenbrock = {{}, 1e-2, 300, "loss"}, beale = {{}, 1e-2, 300, "loss"},
              quadratic = {{dim = 50}, 1e-1, 100, "loss"},
              logistic_regression = {{data = dir}, 1e-3, 20, "train_loss"},
              mlp = {{data = dir, hidden = {32}}, 1e-3, 20, "train_loss"},
              mnist_cnn = {{data = dir}, 3e-3, 20, "train_loss"},
            }
            -- The neural-network problems have their own tests (ModelProblemsTests).
            for _, name in ipairs{"rosenbrock", "beale", "quadratic", "logistic_regression", "mlp", "mnist_cnn"} do
              local options, lr, steps, key = table.unpack(settings[name])
              local p = problems.build(name, options)
              local before = p.evaluate()[key]
              local opt = optim.Adam(p.params, {lr = lr})
              for _ = 1, steps do
                opt:zero_grad()
                p.loss():backward()
                opt:step()
              end
              local after = p.evaluate()[key]
              print(name, after < 0.8 * before, before, after)
            end
            """)
        let lines = out.split(separator: "\n")
        #expect(lines.count == 6, "\(out)")
        for line in lines { #expect(line.split(separator: "\t")[1] == "true", "\(line)") }
    }

    @Test func classifierProblemsEvaluateOnTrainAndTest() throws {
        let out = try output("""
            local p = problems.logistic_regression{data = ..., batch_size = 100}
            local e = p.evaluate()
            print(p.name, #p.params, table.concat(p.params[1]:shape(), "x"), p.steps_per_epoch, p.optimum, p.argmin)
            print(string.format("%.4f %.4f", e.train_loss, e.test_loss), e.test_accuracy <= 0.2)
            print(problems.mlp{data = ..., hidden = {16, 8}}.model:num_parameters())
            local cnn = problems.mnist_cnn{data = ..., batch_size = 100}
            print(cnn.model:num_parameters(), cnn.steps_per_epoch, cnn.loss():dim())
            """)
        // Zero weights: every class has probability 1/10, so the loss is log 10 = 2.3026.
        // 784-16-8-10: 784·16 + 16 + 16·8 + 8 + 8·10 + 10 = 12786 parameters. The CNN:
        // 8·25 + 8 + 16·8·25 + 16 + 256·10 + 10 = 5994; the loss is a scalar.
        #expect(out == "logistic_regression\t2\t784x10\t40\tnil\tnil\n2.3026 2.3026\ttrue\n12786\n5994\t40\t0", "\(out)")
    }

    @Test func namesAndBuild() throws {
        let out = try output("""
            print(table.concat(problems.names(), ","))
            print(problems.build("Rosenbrock", {dim = 3}).name, problems.build("beale").name,
                  require("descent").problems == problems)
            local ok, err = pcall(problems.build, "rosenbrok")
            print(err)
            """)
        #expect(out == """
            rosenbrock,beale,quadratic,logistic_regression,mlp,mnist_cnn,char_transformer,char_lstm,resnet_fashion,modular_addition
            rosenbrock\tbeale\ttrue
            problems.build: unknown problem 'rosenbrok' (valid: rosenbrock, beale, quadratic, logistic_regression, mlp, mnist_cnn, char_transformer, char_lstm, resnet_fashion, modular_addition)
            """, "\(out)")
    }

    /// Each bad option is an error at the script line that says what was expected and given.
    @Test(arguments: [
        ("problems.rosenbrock{dimm = 3}", "problems.rosenbrock: unknown option 'dimm' (valid: dim, start)"),
        ("problems.build('beale', {start = {1}})", "problems.beale: option 'start' expected 2 numbers, got 1"),
        ("problems.rosenbrock{start = {1}}", "problems.rosenbrock: option 'start' expected at least 2 numbers, got 1"),
        ("problems.quadratic{dim = 'x'}", "problems.quadratic: option 'dim' expected number, got string"),
        ("problems.quadratic{dim = 1}", "problems.quadratic: option 'dim' expected an integer >= 2, got 1"),
        ("problems.quadratic{noise = -1}", "problems.quadratic: option 'noise' expected a number >= 0, got -1"),
        ("problems.build('mlp', {hidden = {0}})", "problems.mlp: option 'hidden' expected positive integers, got 0 at position 1"),
        ("problems.logistic_regression{batch_size = 0}", "problems.logistic_regression: option 'batch_size' expected an integer >= 1, got 0"),
        ("problems.mlp{seed = 1.5}", "problems.mlp: option 'seed' expected an integer, got 1.5"),
        ("problems.beale(3)", "problems.beale: expected an options table, got number"),
        ("problems.build(3)", "problems.build: argument 1 expected a problem name, got number"),
    ])
    func badOptionsNameTheScriptLine(call: String, message: String) throws {
        let r = try Descent.runScript("local x = 1\n\(call)\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:2: \(message)"), "\(r.stderr)")
    }

    @Test func sweepOverProblems() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("""
            local cfg = experiment.config{ problem = "rosenbrock", lr = 1e-2, steps = 200 }
            local p = problems.build(cfg.problem)
            local opt = optim.Adam(p.params, {lr = cfg.lr})
            for step = 1, cfg.steps do
              opt:zero_grad(); p.loss():backward(); opt:step()
              if step % 50 == 0 then experiment.log{ step = step, gap = p.evaluate().gap } end
            end
            experiment.summary{ gap = p.evaluate().gap }
            """, to: "problems.lua", in: dir)
        let sweep = try Descent.run(["sweep", "problems.lua", "--grid", "problem=rosenbrock,beale", "--out", "sweep"], in: dir)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let csv = try Descent.run(["report", "sweep", "--format", "csv"], in: dir)
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(Set(rows.map { $0[1] }) == ["rosenbrock", "beale"], "\(csv.stdout)")
        #expect(rows.allSatisfy { $0[2] == "1" }, "\(csv.stdout)")
    }
}
