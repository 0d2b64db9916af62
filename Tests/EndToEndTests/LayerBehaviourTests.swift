import Foundation
import Testing

/// Behaviour of the second-round layers that the PyTorch fixtures (LayerFixtureTests) do not
/// cover: weight tying, the containers, masks given in either form, dropout between recurrent
/// layers, and errors located at the script line.
@Suite struct LayerBehaviourTests {
    /// Runs `script`, which must print "ok" as its last line.
    static func expectOK(_ script: String) throws {
        let r = try Descent.runScript(script)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").last == "ok", "\(r.stdout)\n\(r.stderr)")
    }

    /// The fused attention kernel (no mask but the causal one, no dropout) against the same
    /// formula written with matmul and softmax: outputs, gradients and a second derivative.
    @Test func fusedAttentionMatchesTheComposite() throws {
        try Self.expectOK("""
            local F = nn.functional
            tensor.manual_seed(2)
            local function r(...) return tensor.randn(...):requires_grad(true) end
            local q, k, v = r(2, 2, 4, 3), r(2, 2, 5, 3), r(2, 2, 5, 2)
            for _, causal in ipairs({false, true}) do
              local i, j = tensor.arange(4):view(4, 1), tensor.arange(5):view(1, 5)
              local mask = causal and tensor.where(j:le(i), 0, -math.huge) or tensor.zeros(4, 5)
              local a = F.scaled_dot_product_attention(q, k, v, {is_causal = causal})
              local s = (q:matmul(k:transpose(-2, -1)) / math.sqrt(3) + mask):softmax(-1):matmul(v)
              assert((a - s):abs():max():item() < 1e-5)
              local ga = autograd.grad((a ^ 2):sum(), {q, k, v}, {create_graph = true})
              local gs = autograd.grad((s ^ 2):sum(), {q, k, v}, {create_graph = true})
              for n = 1, 3 do assert((ga[n] - gs[n]):abs():max():item() < 1e-5) end
              local ha, hs = autograd.grad(ga[1]:sum(), {k})[1], autograd.grad(gs[1]:sum(), {k})[1]
              assert((ha - hs):abs():max():item() < 1e-4)
            end
            print("ok")
            """)
    }

    @Test func tiedWeightsAreOneParameterWithOneSummedGradientAndTwoStateDictKeys() throws {
        try Self.expectOK("""
            local Net = nn.Module{
              init = function(self, tied)
                self.emb = nn.Embedding(5, 3)
                self.head = nn.Linear(3, 5, {bias = false})
                if tied then self.head.weight = self.emb.weight end
              end,
              forward = function(self, idx) return self.head(self.emb(idx)) end,
            }
            local tied, untied = Net(true), Net(false)
            autograd.no_grad(function() untied.emb.weight:copy_(tied.emb.weight); untied.head.weight:copy_(tied.emb.weight) end)
            assert(#tied:parameters() == 1 and tied:num_parameters() == 15, "counted once")
            local names = select(2, tied:named_parameters())
            assert(#names == 1 and names[1] == "emb.weight", table.concat(names, ","))
            local sd, keys = tied:state_dict()
            assert(#keys == 2 and keys[1] == "emb.weight" and keys[2] == "head.weight", table.concat(keys, ","))
            assert(sd["emb.weight"] == sd["head.weight"], "one tensor under both keys")
            local idx, r = tensor.from{1, 3, 3, 5}, tensor.randn(4, 5)
            local l1, l2 = (tied(idx) * r):sum(), (untied(idx) * r):sum()
            l1:backward()
            l2:backward()
            local want = untied.emb.weight.grad + untied.head.weight.grad
            assert((tied.emb.weight.grad - want):abs():max():item() < 1e-6, "gradient is the sum of both uses")
            -- A PyTorch state dict of a tied model (both keys) loads.
            tied:load_state_dict{["emb.weight"] = tensor.ones(5, 3), ["head.weight"] = tensor.ones(5, 3)}
            assert(tied.head.weight:sum():item() == 15)
            print("ok")
            """)
    }

    @Test func moduleListAndModuleDictNameTheirChildren() throws {
        try Self.expectOK("""
            local list = nn.ModuleList{nn.Linear(2, 2)}
            list:append(nn.ReLU()):extend{nn.Linear(2, 1)}
            assert(#list == 3 and list[3].out_features == 1)
            local _, names = list:state_dict()
            assert(table.concat(names, ",") == "1.weight,1.bias,3.weight,3.bias", table.concat(names, ","))
            local n = 0
            for _, m in ipairs(list) do n = n + (nn.is_module(m) and 1 or 0) end
            assert(n == 3)
            local d = nn.ModuleDict{dec = nn.Linear(1, 1), enc = nn.Linear(2, 2)}
            d:update{act = nn.Tanh()}
            assert(table.concat(d:keys(), ",") == "dec,enc,act", table.concat(d:keys(), ","))
            assert(#d:values() == 3 and d.enc.in_features == 2)
            local _, dn = d:named_parameters()
            assert(table.concat(dn, ",") == "dec.weight,dec.bias,enc.weight,enc.bias", table.concat(dn, ","))
            for name, m in d:items() do assert(d[name] == m) end
            local ok, err = pcall(nn.ModuleDict, {parameters = nn.ReLU()})
            assert(not ok and err:find("'parameters' is the name of a module method"), err)
            print("ok")
            """)
    }

    /// PyTorch counts list children from 0: its state dicts load as they are, and
    /// state_dict{numbering = "pytorch"} writes the names PyTorch expects (nested lists too).
    @Test func stateDictsInPyTorchsNumberingLoadAndAreWritten() throws {
        try Self.expectOK("""
            local function make() return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1))) end
            local a, b = make(), make()
            local sd, names = a:state_dict{numbering = "pytorch"}
            assert(table.concat(names, ",") == "0.weight,0.bias,2.0.weight,2.0.bias", table.concat(names, ","))
            b:load_state_dict(sd)
            local x = tensor.randn(4, 2)
            assert((a(x) - b(x)):abs():max():item() == 0)
            local own = a:state_dict()
            assert(own["1.weight"] == sd["0.weight"] and own["3.1.bias"] == sd["2.0.bias"])
            b:load_state_dict(own)
            -- Half of each numbering is neither: the error names the key in descent's.
            local mixed = {["0.weight"] = own["1.weight"], ["1.bias"] = own["1.bias"], ["3.1.weight"] = own["3.1.weight"], ["3.1.bias"] = own["3.1.bias"]}
            local ok, err = pcall(b.load_state_dict, b, mixed)
            assert(not ok and err:find("missing key '1.weight'", 1, true), err)
            ok, err = pcall(a.state_dict, a, {numbering = "torch"})
            assert(not ok and err:find([[option 'numbering' expected "descent" or "pytorch", got torch]], 1, true), err)
            ok, err = pcall(a.state_dict, a, {order = 1})
            assert(not ok and err:find("unknown option 'order'", 1, true), err)
            print("ok")
            """)
    }

    @Test func attentionMasksInBooleanAndAdditiveFormAgree() throws {
        try Self.expectOK("""
            local F = nn.functional
            local q, k, v = tensor.randn(2, 3, 4, 8), tensor.randn(2, 3, 6, 8), tensor.randn(2, 3, 6, 5)
            local keep = tensor.rand(4, 6):gt(0.5); keep:narrow(2, 1, 1):fill_(1)
            local a = F.scaled_dot_product_attention(q, k, v, {attn_mask = keep})
            local b = F.scaled_dot_product_attention(q, k, v, {attn_mask = tensor.where(keep, 0, -math.huge)})
            assert((a - b):abs():max():item() < 1e-6, "bool and additive masks agree")
            -- An all-zero mask is additive (adds nothing), not "attend nowhere".
            local c = F.scaled_dot_product_attention(q, k, v, {attn_mask = tensor.zeros(4, 6)})
            local d = F.scaled_dot_product_attention(q, k, v)
            assert((c - d):abs():max():item() < 1e-6)
            -- Five dims: the same as attending slice by slice.
            local q5, k5, v5 = tensor.randn(2, 2, 2, 3, 4), tensor.randn(2, 2, 2, 3, 4), tensor.randn(2, 2, 2, 3, 4)
            local o5 = F.scaled_dot_product_attention(q5, k5, v5, {is_causal = true})
            local s = F.scaled_dot_product_attention(q5[2][1], k5[2][1], v5[2][1], {is_causal = true})
            assert((o5[2][1] - s):abs():max():item() < 1e-6)
            -- is_causal with the causal mask itself is accepted, with another mask refused.
            local causal = tensor.arange(3):view(1, 3):le(tensor.arange(3):view(3, 1))
            F.scaled_dot_product_attention(q5, k5, v5, {is_causal = true, attn_mask = causal})
            assert(not pcall(F.scaled_dot_product_attention, q5, k5, v5, {is_causal = true, attn_mask = tensor.ones(3, 3)}))
            -- MultiheadAttention: padding as 1/0 or as -inf agree; weights are rows of probabilities.
            local mha = nn.MultiheadAttention(8, 2, {batch_first = true})
            local x = tensor.randn(2, 5, 8)
            local pad = tensor.zeros(2, 5); pad[2]:narrow(1, 4, 2):fill_(1)
            local o1, w1 = mha(x, x, x, {key_padding_mask = pad})
            local o2 = mha(x, x, x, {key_padding_mask = tensor.where(pad, -math.huge, 0), need_weights = false})
            assert((o1 - o2):abs():max():item() < 1e-6)
            assert((w1:sum(3) - 1):abs():max():item() < 1e-5 and w1[2]:narrow(2, 4, 2):abs():max():item() == 0)
            print("ok")
            """)
    }

    @Test func recurrentDropoutActsBetweenLayersOnlyWhileTraining() throws {
        try Self.expectOK("""
            local lstm = nn.LSTM(3, 4, {num_layers = 2, dropout = 0.5})
            local x = tensor.randn(5, 2, 3)
            lstm:eval()
            local a, b = lstm(x), lstm(x)
            assert((a - b):abs():max():item() == 0, "deterministic in eval mode")
            lstm:train()
            local c = lstm(x)
            assert((a - c):abs():max():item() > 0, "dropout while training")
            -- One layer: dropout has nothing to act on.
            local one = nn.GRU(3, 4, {dropout = 0.5})
            assert((one(x) - one(x)):abs():max():item() == 0)
            print("ok")
            """)
    }

    /// (script, expected line, fragment of the message)
    static let errors: [(String, Int, String)] = [
        ("local m = nn.LSTM(3, 4)\nlocal y = m(tensor.zeros(2, 2, 5))\n", 2, "LSTM: expected input with 3 features, got shape [2, 2, 5]"),
        ("local m = nn.LSTM(3, 4)\nlocal y = m(tensor.zeros(2, 2, 3), {tensor.zeros(1, 2, 4)})\n", 2, "LSTM: expected the initial state as {h0, c0}"),
        ("local m = nn.GRU(3, 4, {num_layers = 2})\nm(tensor.zeros(2, 2, 3), tensor.zeros(1, 2, 4))\n", 2, "GRU: expected h0 of shape [2, 2, 4], got [1, 2, 4]"),
        ("local m = nn.RNN(3, 4, {nonlinearity = 'sigmoid'})\n", 1, "nn.RNN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"),
        ("local m = nn.GRU(3, 4, {proj_size = 2})\n", 1, "nn.GRU: unknown option 'proj_size'"),
        ("local m = nn.MultiheadAttention(6, 4)\n", 1, "embed_dim (6) must be divisible by num_heads (4)"),
        ("local m = nn.MultiheadAttention(4, 2)\nlocal x = tensor.zeros(3, 2, 4)\nm(x, x, x, {attn_mask = tensor.zeros(2, 2)})\n", 3,
         "MultiheadAttention: expected attn_mask of shape [3, 3] or [4, 3, 3], got [2, 2]"),
        ("local m = nn.MultiheadAttention(4, 2)\nlocal x = tensor.zeros(3, 2, 5)\nm(x, x, x)\n", 3, "MultiheadAttention: expected features 4 (query)"),
        ("local q = tensor.zeros(2, 3, 4)\nnn.functional.scaled_dot_product_attention(q, q, q, {is_causal = true, attn_mask = tensor.ones(3, 3)})\n", 2,
         "is_causal = true was given with a mask that is not the causal mask"),
        ("local q = tensor.zeros(2, 3, 4)\nnn.functional.scaled_dot_product_attention(q, q, tensor.zeros(2, 4, 4))\n", 2,
         "key and value must have the same length"),
        ("local m = nn.TransformerEncoderLayer(8, 2, {activation = 'tanh'})\n", 1, "activation must be 'relu' or 'gelu', got 'tanh'"),
        ("local m = nn.TransformerEncoderLayer(8, 2)\nm(tensor.zeros(3, 2, 8), {mask = 1})\n", 2, "TransformerEncoderLayer: unknown option 'mask'"),
        ("local m = nn.Conv1d(2, 3, 3)\nm(tensor.zeros(1, 3, 5))\n", 2, "Conv1d: expected input [N, 2, L] or [2, L], got shape [1, 3, 5]"),
        ("local m = nn.ConvTranspose2d(2, 3, 3, {output_padding = 1})\n", 1, "output_padding must be smaller than stride or dilation"),
        ("local m = nn.GroupNorm(4, 6)\n", 1, "nn.GroupNorm: num_channels (6) must be divisible by num_groups (4)"),
        ("local m = nn.RMSNorm({3, 4})\nm(tensor.zeros(2, 4, 3))\n", 2, "RMSNorm: expected input whose last dimensions are [3, 4], got shape [2, 4, 3]"),
        ("local m = nn.Upsample{scale_factor = 2, size = 4}\n", 1, "nn.Upsample: expected exactly one of size and scale_factor"),
        ("local m = nn.Upsample{size = 4, mode = 'bilinear'}\n", 1, "only mode 'nearest' is supported"),
        ("local m = nn.GELU{approximate = 'fast'}\n", 1, "nn.GELU: approximate must be 'none' or 'tanh', got 'fast'"),
        ("local m = nn.ModuleList{nn.ReLU(), 3}\n", 1, "nn.ModuleList: entry 2 is a number, expected a module"),
        ("local m = nn.ModuleDict{forward = nn.ReLU()}\n", 1, "'forward' is the name of a module method or field"),
    ]

    @Test(arguments: 0..<errors.count)
    func errorsNameTheLayerAndPointAtTheScriptLine(_ k: Int) throws {
        let (script, line, fragment) = Self.errors[k]
        let r = try Descent.runScript(script)
        #expect(!r.terminatedBySignal, "case \(k) crashed: \(r.stderr)")
        #expect(r.status == 1, "case \(k): status \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("script.lua:\(line): "), "case \(k): \(r.stderr)")
        #expect(r.stderr.contains(fragment), "case \(k): \(r.stderr)")
    }
}
