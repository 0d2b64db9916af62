import Foundation
import Testing

/// The lua-language-server stubs (editor/luals/library/*.lua) against the running binary: every
/// registered function is declared and every declared function is registered, every option table
/// lists exactly the options the code accepts (optimizers: with the real defaults), and every
/// stub loads as Lua.
@Suite struct StubsTests {
    static let library = projectRoot.appendingPathComponent("editor/luals/library")

    /// Each module's stub, parsed, by module name.
    static func stubs() throws -> [String: LuaStub] {
        var out: [String: LuaStub] = [:]
        for module in LuaRegistry.modules {
            let url = library.appendingPathComponent("\(module).lua")
            out[module] = LuaStub(try String(contentsOf: url, encoding: .utf8))
        }
        return out
    }

    @Test func everyModuleHasAStubAndTheDescentTableListsIt() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.library.path).filter { $0.hasSuffix(".lua") }
        #expect(Set(files) == Set(LuaRegistry.modules.map { "\($0).lua" } + ["descent.lua"]))
        let descent = LuaStub(try String(contentsOf: Self.library.appendingPathComponent("descent.lua"), encoding: .utf8))
        #expect(Set(descent.classes["descent"]?.fields.map(\.name) ?? []) == Set(LuaRegistry.modules))
    }

    @Test func everyRegisteredFunctionIsDeclaredInItsModulesStub() throws {
        let stubs = try Self.stubs()
        let functions = try LuaRegistry.functions()
        #expect(functions.count > 300)
        let missing = functions.filter { f in stubs[f.page].map { !$0.declares(f.dotted) } ?? true }
        #expect(missing.isEmpty, "not in editor/luals/library: \(missing.map(\.name).joined(separator: ", "))")
    }

    @Test func everyDeclaredFunctionIsRegistered() throws {
        let registered = Set(try LuaRegistry.functions().map(\.dotted))
        var unknown: [String] = []
        for (module, stub) in try Self.stubs() {
            unknown += stub.functions.subtracting(registered).map { "\(module).lua: \($0)" }
        }
        #expect(unknown.isEmpty, "declared but not registered: \(unknown.sorted().joined(separator: ", "))")
    }

    /// Stubs only declare, so running each one (in an empty environment, which also shows that it
    /// does not lean on another file at run time) must not fail.
    @Test func everyStubLoadsAndRunsAsLua() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.library.path).filter { $0.hasSuffix(".lua") }.sorted()
        let r = try Descent.runScript("""
            local dir = arg[1]
            for _, name in ipairs({\(files.map { "\"\($0)\"" }.joined(separator: ", "))}) do
              local f = assert(io.open(dir .. "/" .. name))
              local chunk = assert(load(f:read("a"), "@" .. name, "t", {}))
              f:close()
              chunk()
              print("ok " .. name)
            end
            """, ["--", Self.library.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == files.count, "\(r.stdout)")
    }

    /// Option tables the code checks, as stub class → calls (`O` is the options table). The
    /// optimizers' (`optim.<Name>Options`) are added by the script from `optim` itself.
    static let optionProbes: [(String, [String])] = [
        ("tensor.CreateOptions", ["tensor.zeros(1, O)", "tensor.full(1, 0, O)", "tensor.eye(2, O)"]),
        ("tensor.BackwardOptions", ["tensor.ones(1):requires_grad(true):sum():backward(O)"]),
        ("tensor.GemmOptions", ["tensor.zeros(1, 1):addmm(tensor.ones(1, 1), tensor.ones(1, 1), O)",
                                "tensor.zeros(1, 1, 1):baddbmm(tensor.ones(1, 1, 1), tensor.ones(1, 1, 1), O)"]),
        ("tensor.SearchOptions", ["tensor.ones(2):bucketize(tensor.ones(2), O)", "tensor.searchsorted(tensor.ones(2), tensor.ones(1), O)"]),
        ("tensor.MeshgridOptions", ["tensor.meshgrid(tensor.ones(2), tensor.ones(3), O)", "tensor.meshgrid({tensor.ones(2)}, O)"]),
        ("tensor.VarOptions", ["tensor.ones(2):var(O)", "tensor.ones(2):std(1, false, O)"]),
        ("tensor.IndexAddOptions", ["tensor.zeros(2):index_add(1, tensor.from{1}, tensor.ones(1), O)"]),
        ("linalg.SvdOptions", ["linalg.svd(m, O)"]),
        ("linalg.QrOptions", ["linalg.qr(m, O)"]),
        ("linalg.CholeskyOptions", ["linalg.cholesky(m, O)"]),
        ("linalg.SolveOptions", ["linalg.solve(m, m, O)"]),
        ("linalg.SolveTriangularOptions", ["linalg.solve_triangular(m, m, O)"]),
        ("linalg.LstsqOptions", ["linalg.lstsq(m, m, O)"]),
        ("autograd.GradcheckOptions", ["autograd.gradcheck(function(a) return a end, {w}, O)",
                                       "autograd.gradgradcheck(function(a) return a end, {w}, O)"]),
        ("autograd.GradOptions", ["autograd.grad(w:sum(), {w}, O)", "autograd.grad(w * 2, {w}, {v:narrow(1, 1, 1)}, O)"]),
        ("curvature.TopEigenvaluesOptions", ["curvature.top_eigenvalues(function() return (w * w):sum() end, {w}, O)"]),
        ("curvature.HutchinsonOptions", ["curvature.trace(function() return (w * w):sum() end, {w}, O)",
                                         "curvature.diag(function() return (w * w):sum() end, w, O)"]),
        ("curvature.DensityOptions", ["curvature.density(function() return (w * w):sum() end, {w}, O)"]),
        ("nn.LinearOptions", ["nn.Linear(1, 1, O)"]),
        ("nn.Conv2dOptions", ["nn.Conv2d(1, 1, 1, O)"]),
        ("nn.functional.Conv2dOptions", ["nn.functional.conv2d(x4, w4, nil, O)"]),
        ("nn.MaxPool2dOptions", ["nn.MaxPool2d(2, O)", "nn.functional.max_pool2d(x4, 2, O)"]),
        ("nn.AvgPool2dOptions", ["nn.AvgPool2d(2, O)", "nn.functional.avg_pool2d(x4, 2, O)"]),
        ("nn.FlattenOptions", ["nn.Flatten(O)"]),
        ("nn.BatchNormOptions", ["nn.BatchNorm1d(2, O)", "nn.BatchNorm2d(2, O)"]),
        ("nn.LayerNormOptions", ["nn.LayerNorm(2, O)"]),
        ("nn.RNNOptions", ["nn.RNN(1, 1, O)"]),
        ("nn.RecurrentOptions", ["nn.LSTM(1, 1, O)", "nn.GRU(1, 1, O)"]),
        ("nn.MultiheadAttentionOptions", ["nn.MultiheadAttention(2, 1, O)"]),
        ("nn.MultiheadAttentionCallOptions", ["nn.MultiheadAttention(1, 1)(x2, x2, x2, O)"]),
        ("nn.TransformerLayerOptions", ["nn.TransformerEncoderLayer(2, 1, O)", "nn.TransformerDecoderLayer(2, 1, O)"]),
        ("nn.TransformerEncoderCallOptions", ["nn.TransformerEncoderLayer(2, 1)(x2, O)"]),
        ("nn.TransformerDecoderCallOptions", ["nn.TransformerDecoderLayer(2, 1)(x2, x2, O)"]),
        ("nn.functional.ScaledDotProductAttentionOptions", ["nn.functional.scaled_dot_product_attention(m, m, m, O)"]),
        ("nn.Conv1dOptions", ["nn.Conv1d(1, 1, 1, O)"]),
        ("nn.ConvTranspose2dOptions", ["nn.ConvTranspose2d(1, 1, 1, O)"]),
        ("nn.GroupNormOptions", ["nn.GroupNorm(1, 2, O)"]),
        ("nn.RMSNormOptions", ["nn.RMSNorm(2, O)"]),
        ("nn.UpsampleOptions", ["nn.Upsample(O)"]),
        ("nn.LeakyReLUOptions", ["nn.LeakyReLU(O)"]),
        ("nn.ELUOptions", ["nn.ELU(O)"]),
        ("nn.SoftplusOptions", ["nn.Softplus(O)"]),
        ("nn.GELUOptions", ["nn.GELU(O)"]),
        ("nn.LossOptions", ["nn.mse_loss(v, v, O)", "nn.l1_loss(v, v, O)", "nn.MSELoss(O)", "nn.L1Loss(O)"]),
        ("nn.HuberLossOptions", ["nn.huber_loss(v, v, O)", "nn.HuberLoss(O)"]),
        ("nn.CrossEntropyOptions", ["nn.cross_entropy(v, v, O)", "nn.CrossEntropyLoss(O)"]),
        ("nn.NLLLossOptions", ["nn.nll_loss(v, v, O)", "nn.NLLLoss(O)"]),
        ("nn.BCELossOptions", ["nn.binary_cross_entropy(v, v, O)", "nn.BCELoss(O)"]),
        ("nn.BCEWithLogitsOptions", ["nn.bce_with_logits(v, v, O)", "nn.BCEWithLogitsLoss(O)"]),
        ("nn.init.KaimingOptions", ["nn.init.kaiming_uniform_(m, O)", "nn.init.kaiming_normal_(m, O)"]),
        ("nn.init.XavierOptions", ["nn.init.xavier_uniform_(m, O)", "nn.init.xavier_normal_(m, O)"]),
        ("optim.Definition", ["optim.define(O)"]),
        ("optim.SplitRule", ["optim.split({w = w}, O)"]),
        ("optim.LookaheadOptions", ["optim.lookahead(opt, O)"]),
        ("optim.EMAOptions", ["optim.ema(opt, O)"]),
        ("optim.lr.StepLROptions", ["optim.lr.StepLR(opt, O)"]),
        ("optim.lr.ExponentialLROptions", ["optim.lr.ExponentialLR(opt, O)"]),
        ("optim.lr.CosineAnnealingLROptions", ["optim.lr.CosineAnnealingLR(opt, O)"]),
        ("optim.lr.LinearLROptions", ["optim.lr.LinearLR(opt, O)"]),
        ("optim.lr.OneCycleLROptions", ["optim.lr.OneCycleLR(opt, O)"]),
        ("optim.lr.SequentialLROptions", ["optim.lr.SequentialLR(opt, O)"]),
        ("optim.lr.MultiStepLROptions", ["optim.lr.MultiStepLR(opt, O)"]),
        ("optim.lr.ConstantLROptions", ["optim.lr.ConstantLR(opt, O)"]),
        ("optim.lr.PolynomialLROptions", ["optim.lr.PolynomialLR(opt, O)"]),
        ("optim.lr.CosineAnnealingWarmRestartsOptions", ["optim.lr.CosineAnnealingWarmRestarts(opt, O)"]),
        ("optim.lr.CyclicLROptions", ["optim.lr.CyclicLR(opt, O)"]),
        ("optim.lr.ReduceLROnPlateauOptions", ["optim.lr.ReduceLROnPlateau(opt, O)"]),
        ("data.CSVOptions", ["data.load_csv('absent.csv', O)"]),
        ("data.LoaderOptions", ["data.loader(x2, O)", "data.loader(x2, v, O)"]),
        ("data.LoaderState", ["data.loader(x2):set_state(O)"]),
        ("data.DatasetLoaderOptions", ["data.loader({1, 2}, O)"]),
        ("data.RandomCropOptions", ["data.transforms.random_crop(2, O)"]),
        ("data.TextOptions", ["data.text('ab', O)", "data.tinyshakespeare(O)"]),
        ("data.TextLoaderOptions", ["data.text_loader(v, O)"]),
        ("data.ModularArithmeticOptions", ["data.modular_arithmetic(O)"]),
        ("train.FitOptions", ["train.fit(nn.Linear(1, 1), O)"]),
        ("train.EvaluateOptions", ["train.evaluate(nn.Linear(1, 1), x2, v, O)"]),
        ("train.PredictOptions", ["train.predict(nn.Linear(1, 1), x2, O)"]),
        ("problems.RosenbrockOptions", ["problems.rosenbrock(O)", "problems.build('rosenbrock', O)"]),
        ("problems.BealeOptions", ["problems.beale(O)", "problems.build('beale', O)"]),
        ("problems.QuadraticOptions", ["problems.quadratic(O)", "problems.build('quadratic', O)"]),
        ("problems.LogisticRegressionOptions", ["problems.logistic_regression(O)", "problems.build('logistic-regression', O)"]),
        ("problems.MLPOptions", ["problems.mlp(O)", "problems.build('mlp', O)"]),
        ("problems.MNISTCNNOptions", ["problems.mnist_cnn(O)", "problems.build('mnist_cnn', O)"]),
        ("problems.CharTransformerOptions", ["problems.char_transformer(O)", "problems.build('char_transformer', O)"]),
        ("problems.CharLSTMOptions", ["problems.char_lstm(O)", "problems.build('char-lstm', O)"]),
        ("problems.ResNetFashionOptions", ["problems.resnet_fashion(O)", "problems.build('resnet_fashion', O)"]),
        ("problems.ModularAdditionOptions", ["problems.modular_addition(O)", "problems.build('modular_addition', O)"]),
    ]

    /// Calls each probe with an unknown option and prints `class<TAB>call<TAB>valid keys` from the
    /// error (`unknown option '...' (valid: a, b)`); for each optimizer also
    /// `default<TAB>class<TAB>key<TAB>value` per option.
    static let probeScript = """
        local v, x2 = tensor.ones(2), tensor.ones(2, 1)
        local x4, w4, m = tensor.ones(1, 1, 4, 4), tensor.ones(1, 1, 1, 1), tensor.ones(2, 2)
        local w = tensor.ones(1):requires_grad(true)
        local w2 = tensor.ones(2, 2):requires_grad(true)
        local opt = optim.SGD({w}, {lr = 0.1})
        local env = setmetatable({v = v, x2 = x2, x4 = x4, w4 = w4, m = m, w = w, opt = opt}, {__index = _G})
        local function probe(class, call)
          local f = assert(load("local O = ... return " .. call, "=probe", "t", env))
          local ok, err = pcall(f, {unknown_probe_key = true})
          local valid = not ok and tostring(err):match("unknown option 'unknown_probe_key' %(valid: ([^)]*)%)")
          print(class .. "\\t" .. call .. "\\t" .. (valid or ("no option list in: " .. tostring(err))))
        end
        local function text(value)
          if type(value) == "table" then
            local parts = {}
            for i, x in ipairs(value) do parts[i] = string.format("%.17g", x) end
            return "{" .. table.concat(parts, ", ") .. "}"
          end
          if type(value) == "number" then return string.format("%.17g", value) end
          if type(value) == "string" then return '"' .. value .. '"' end
          return tostring(value)
        end
        \(optionProbes.flatMap { probe in probe.1.map { "probe(\"\(probe.0)\", [[\($0)]])" } }.joined(separator: "\n"))
        -- Optimizer constructors are the capitalised functions of optim.
        for name, f in pairs(optim) do
          if type(f) == "function" and name:match("^%u") then
            local class = "optim." .. name .. "Options"
            probe(class, "optim." .. name .. "({w}, O)")
            -- Matrix-only optimizers (Muon) get a matrix.
            local ok, built = pcall(f, {w})
            if not ok then built = f({w2}) end
            for key, value in pairs(built.param_groups[1]) do
              if key ~= "params" then print("default\\t" .. class .. "\\t" .. key .. "\\t" .. text(value)) end
            end
          end
        end
        """

    @Test func optionTablesListExactlyTheOptionsTheCodeAccepts() throws {
        let r = try Descent.runScript(Self.probeScript)
        #expect(r.status == 0, "\(r.stderr)")
        let classes = try Self.stubs().values.reduce(into: [String: LuaStub]()) { all, stub in
            for name in stub.classes.keys { all[name] = stub }
        }
        var probed = Set<String>()
        var mismatches: [String] = []
        for line in r.stdout.split(separator: "\n") where !line.hasPrefix("default\t") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { mismatches.append("bad line: \(line)"); continue }
            let (cls, call, valid) = (parts[0], parts[1], parts[2])
            probed.insert(cls)
            guard let stub = classes[cls] else { mismatches.append("\(call): no class \(cls) in the stubs"); continue }
            let code = Set(valid.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let declared = Set(stub.fields(of: cls).map(\.name))
            if code != declared {
                mismatches.append("\(cls): \(call) accepts \(code.sorted()), the stub declares \(declared.sorted())")
            }
        }
        #expect(probed.count > 40, "only \(probed.count) option tables probed")
        // Every options class in the stubs is probed, so none can drift unnoticed.
        let unprobed = classes.keys.filter { $0.hasSuffix("Options") && !probed.contains($0) }
        #expect(unprobed.isEmpty, "option classes without a probe in StubsTests.optionProbes: \(unprobed.sorted())")
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    @Test func optimizerOptionDefaultsInTheStubsAreTheRealOnes() throws {
        let r = try Descent.runScript(Self.probeScript)
        #expect(r.status == 0, "\(r.stderr)")
        let stub = try #require(try Self.stubs()["optim"])
        var checked = 0
        var wrong: [String] = []
        for line in r.stdout.split(separator: "\n") where line.hasPrefix("default\t") {
            let parts = line.split(separator: "\t").map(String.init)
            guard parts.count == 4 else { wrong.append("bad line: \(line)"); continue }
            let (cls, key, actual) = (parts[1], parts[2], parts[3])
            let field = stub.fields(of: cls).first { $0.name == key }
            let documented = field.flatMap { OptionDefault(comment: $0.comment) }
            if documented == nil || documented != OptionDefault(actual) {
                wrong.append("\(cls).\(key): the code's default is \(actual), the stub says \(field?.comment ?? "nothing")")
            }
            checked += 1
        }
        #expect(checked > 50, "only \(checked) defaults checked")
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
    }

    /// The parser, on a sample stub: the checks above rely on it finding declarations.
    @Test func stubParserFindsFunctionsFieldsAndInheritedFields() {
        let stub = LuaStub("""
            ---@class Thing
            ---@field size integer
            local Thing = {}
            function Thing:grow(n) end
            ---@class lib
            lib = {}
            function lib.make(n) end
            lib.build = lib.make
            lib.other = Thing.grow
            ---@class lib.Options
            ---@field a? number first (default 1e-3)
            ---@class lib.MoreOptions: lib.Options
            ---@field b? boolean (default true)
            """)
        #expect(stub.functions == ["Thing.grow", "lib.make", "lib.build", "lib.other"])
        #expect(stub.declares("Thing.size") && stub.declares("Thing.grow") && !stub.declares("Thing.shrink"))
        #expect(stub.fields(of: "lib.MoreOptions").map(\.name) == ["b", "a"])
        #expect(OptionDefault(comment: stub.fields(of: "lib.Options")[0].comment) == .number(0.001))
        #expect(OptionDefault(comment: "betas (default {0.9, 0.999})") == OptionDefault("{0.90000000000000002, 0.999}"))
    }
}

/// The declarations of one LuaLS stub file, read line by line:
/// `---@class Name[: Parent]` then its `---@field name[?] type comment` lines; `local V = {}`
/// right after a class annotation makes `V` stand for the class; `function A.b(` and
/// `function V:m(` declare functions, and `a.b = c.d` re-declares a declared function.
struct LuaStub {
    struct Field { var name: String; var comment: String }
    struct Class { var parent: String?; var fields: [Field] = [] }

    private(set) var classes: [String: Class] = [:]
    /// Dotted names: `Tensor.sum`, `nn.Module.parameters`, `nn.functional.linear`.
    private(set) var functions: Set<String> = []

    init(_ source: String) {
        var current: String?
        var aliases: [String: String] = [:]
        func resolve(_ path: String) -> String {
            let head = String(path.prefix { $0 != "." })
            return (aliases[head] ?? head) + path.dropFirst(head.count)
        }
        for raw in source.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let m = line.firstMatch(of: #/^---@class\s+([\w.]+)(?:\s*:\s*([\w.]+))?/#) {
                current = String(m.1)
                classes[String(m.1), default: Class()].parent = m.2.map(String.init)
            } else if let m = line.firstMatch(of: #/^---@field\s+([A-Za-z_]\w*)\??\s+(.*)$/#), let cls = current {
                classes[cls]?.fields.append(Field(name: String(m.1), comment: String(m.2)))
            } else if line.hasPrefix("---") {
                continue
            } else if let m = line.firstMatch(of: #/^local\s+(\w+)\s*=\s*\{\s*\}/#), let cls = current {
                aliases[String(m.1)] = cls
                current = nil
            } else if let m = line.firstMatch(of: #/^function\s+([\w.]+)[.:](\w+)\s*\(/#) {
                functions.insert(resolve(String(m.1)) + "." + m.2)
                current = nil
            } else if let m = line.firstMatch(of: #/^([\w.]+)\s*=\s*([\w.]+)$/#), functions.contains(resolve(String(m.2))) {
                functions.insert(resolve(String(m.1)))
                current = nil
            } else {
                current = nil
            }
        }
    }

    /// The fields of `name`, its own first, then those inherited from its parents.
    func fields(of name: String) -> [Field] {
        guard let cls = classes[name] else { return [] }
        return cls.fields + (cls.parent.map { fields(of: $0) } ?? [])
    }

    /// Whether `dotted` (`Tensor.sum`) is a declared function or a field of a declared class.
    func declares(_ dotted: String) -> Bool {
        if functions.contains(dotted) { return true }
        guard let dot = dotted.lastIndex(of: ".") else { return false }
        let owner = String(dotted[..<dot]), member = String(dotted[dotted.index(after: dot)...])
        return fields(of: owner).contains { $0.name == member }
    }
}

/// An option's default as written in a stub comment (`(default {0.9, 0.999})`) or printed by the
/// probe script, compared by value.
enum OptionDefault: Equatable {
    case number(Double), pair(Double, Double), list([Double]), bool(Bool), string(String)

    init?(comment: String) {
        guard let m = comment.firstMatch(of: #/\(default ([^()]*)\)/#) else { return nil }
        self.init(String(m.1))
    }

    init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let x = Double(t) {
            self = .number(x)
        } else if t == "true" || t == "false" {
            self = .bool(t == "true")
        } else if t.hasPrefix("\""), t.hasSuffix("\""), t.count >= 2 {
            self = .string(String(t.dropFirst().dropLast()))
        } else if t.hasPrefix("{"), t.hasSuffix("}") {
            let xs = t.dropFirst().dropLast().split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard xs.count >= 2 else { return nil }
            self = xs.count == 2 ? .pair(xs[0], xs[1]) : .list(xs)
        } else {
            return nil
        }
    }
}
