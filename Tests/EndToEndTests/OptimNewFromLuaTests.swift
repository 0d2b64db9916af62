import Foundation
import Testing

/// The optimizers and schedulers of issue 17 from Lua: LBFGS's closure, whole-step
/// `optim.define`, the new schedulers' methods and state dicts.
@Suite struct OptimNewFromLuaTests {
    @Test func lbfgsStrongWolfeOnRosenbrock() throws {
        let r = try Descent.runScript("""
            local x = tensor.from{-1.5, 2.0}:requires_grad(true)
            local opt = optim.LBFGS({x}, {line_search_fn = "strong_wolfe", max_iter = 200})
            local calls = 0
            local first = opt:step(function()
              calls = calls + 1
              opt:zero_grad()
              local a, b = x:narrow(1, 1, 1), x:narrow(1, 2, 1)
              local loss = ((1 - a) ^ 2 + 100 * (b - a ^ 2) ^ 2):sum()
              loss:backward()
              return loss
            end)
            local sd = opt:state_dict()
            print(first:item(), sd.state[1].n_iter, sd.state[1].func_evals, calls)
            print(math.abs(x:totable()[1] - 1) < 1e-4, math.abs(x:totable()[2] - 1) < 1e-4)
            print(pcall(opt.step, opt))
            print(pcall(opt.step, opt, function() return "loss" end))
            print(pcall(optim.LBFGS, {{params = {x}}, {params = {tensor.zeros(1)}}}))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "12.5\t40.0\t49.0\t49", "\(lines[0])")
        #expect(lines[1] == "true\ttrue")
        #expect(lines[2].contains("LBFGS:step: argument 1 expected a closure that re-evaluates the model and returns the loss, got no value"), "\(lines[2])")
        #expect(lines[3].contains("LBFGS:step: the closure must return the loss as a number or a one-element tensor, got string"), "\(lines[3])")
        #expect(lines[4].contains("LBFGS: supports one parameter group (no per-parameter options), got 2 groups"), "\(lines[4])")
    }

    @Test func wholeStepDefineWorksLikeABuiltIn() throws {
        let r = try Descent.runScript("""
            -- Normalised gradient descent over all parameters at once.
            local NGD = optim.define{
              name = "NGD", defaults = {lr = 0.5},
              step = function(groups, state, closure)
                local loss = closure and closure()
                for i, g in ipairs(groups) do
                  local n2 = 0
                  for _, p in ipairs(g.params) do n2 = n2 + (p.grad * p.grad):sum():item() end
                  autograd.no_grad(function()
                    for j, p in ipairs(g.params) do
                      p:add_(p.grad, -g.lr / math.sqrt(n2))
                      state[i][j].calls = (state[i][j].calls or 0) + 1
                    end
                  end)
                end
                return loss
              end,
            }
            local w = tensor.from{3, 4}:requires_grad(true)
            local opt = optim.build("ngd", {w})
            local sched = optim.lr.StepLR(opt, {step_size = 1, gamma = 0.5})
            for k = 1, 3 do
              opt:zero_grad(); (w * w):sum():backward(); opt:step(); sched:step()
            end
            local t = w:totable()
            print(string.format("%.4f %.4f", t[1], t[2]), opt:get_lr())
            local sd = opt:state_dict()
            print(sd.algorithm, sd.state[1].step, sd.state[1].calls)
            local w2 = tensor.from{3, 4}:requires_grad(true)
            local o2 = NGD({w2})
            o2:load_state_dict(sd)
            print(o2:state_dict().state[1].calls, o2:get_lr())
            local loss = opt:step(function() opt:zero_grad(); local l = (w * w):sum(); l:backward(); return l end)
            print(type(loss) ~= "nil")
            print(pcall(optim.define, {name = "Bad", step = function() end, update = function() end}))
            print(pcall(optim.define, {name = "Bad", step = 3}))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // Steps of 0.5, 0.25, 0.125 along (3, 4)/5 from (3, 4): (3, 4)·(1 − 0.875/5).
        #expect(lines[0] == "2.4750 3.3000\t0.0625", "\(lines[0])")
        #expect(lines[1] == "NGD\t3\t3.0", "\(lines[1])")
        #expect(lines[2] == "3.0\t0.0625", "\(lines[2])")
        #expect(lines[3] == "true")
        #expect(lines[4].contains("define: give either 'step' (a whole-step optimizer) or 'update' (per parameter), not 'update' with 'step'"), "\(lines[4])")
        #expect(lines[5].contains("option 'step' expected a function(groups, state, closure), got integer"), "\(lines[5])")
    }

    @Test func samExampleRuns() throws {
        let r = try Descent.execute(Descent.binary, ["run", projectRoot.appendingPathComponent("scripts/examples/sam.lua").path, "--set", "steps=20"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("SAM state of parameter 1: step 20, momentum_buffer true"), "\(r.stdout)")
        // The Lua-defined SAM and the built-in one (base SGD + momentum, one group) agree.
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let lua = lines.first { $0.hasPrefix("SAM: ") }, builtin = lines.first { $0.hasPrefix("built-in SAM: ") }
        #expect(lua != nil && lua.map { "built-in " + $0 } == builtin, "\(r.stdout)")
    }

    @Test func newSchedulersFromLua() throws {
        let r = try Descent.runScript("""
            local w = tensor.zeros(2):requires_grad(true)
            local opt = optim.SGD({w}, {lr = 0.1, momentum = 0.9})
            local c = optim.lr.CyclicLR(opt, {base_lr = 0.01, max_lr = 0.1, step_size_up = 4})
            for i = 1, 2 do c:step() end
            print(string.format("%.4f %.4f", opt:get_lr(), opt.param_groups[1].momentum))
            local p = optim.lr.ReduceLROnPlateau(opt, {patience = 1, factor = 0.5})
            for i = 1, 3 do p:step(1.0) end
            local st = p:state_dict()
            print(string.format("%.4f", opt:get_lr()), st.best, st.num_bad_epochs, st.cooldown_counter)
            print(pcall(p.step, p))
            local r1 = optim.lr.CosineAnnealingWarmRestarts(opt, {T_0 = 2, T_mult = 2})
            for i = 1, 3 do r1:step() end
            local s = r1:state_dict()
            print(s.T_cur, s.T_i)
            local chain = optim.lr.ChainedScheduler{optim.lr.MultiStepLR(opt, {milestones = {1}}), optim.lr.PolynomialLR(opt, {total_iters = 2}), optim.lr.ConstantLR(opt, {factor = 0.5, total_iters = 1})}
            print(#chain:state_dict().children)
            print(pcall(optim.lr.ChainedScheduler, {p}))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "0.0550 0.8500", "\(lines[0])")
        #expect(lines[1] == "0.0275\t1.0\t0.0\t0.0", "\(lines[1])")
        #expect(lines[2].contains("ReduceLROnPlateau:step: argument 1 (metric) expected a number or a one-element tensor, got no value"), "\(lines[2])")
        #expect(lines[3] == "1.0\t4.0", "\(lines[3])")
        #expect(lines[4] == "3")
        #expect(lines[5].contains("ChainedScheduler: scheduler 1 is a ReduceLROnPlateau"), "\(lines[5])")
    }

    @Test func stateDictsKeyedByParameterName() throws {
        let r = try Descent.runScript("""
            local m = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
            local opt = optim.Adam(m:named_parameters())
            local x = tensor.randn(5, 3)
            for i = 1, 2 do opt:zero_grad(); m(x):sum():backward(); opt:step() end
            local sd = opt:state_dict()
            print(table.concat(sd.param_groups[1].param_names, " "), table.concat(sd.param_groups[1].params, " "), sd.state[4].step)
            local named = m:named_parameters()
            local swapped = optim.Adam({{params = {["2.bias"] = named["2.bias"], ["2.weight"] = named["2.weight"]}},
                                        {params = {["1.bias"] = named["1.bias"], ["1.weight"] = named["1.weight"]}, lr = 0.1}})
            print(pcall(swapped.load_state_dict, swapped, sd))
            local again = optim.Adam({["2.weight"] = named["2.weight"], ["1.weight"] = named["1.weight"],
                                      ["1.bias"] = named["1.bias"], ["2.bias"] = named["2.bias"]})
            again:load_state_dict(sd)
            local asd = again:state_dict()   -- sorted by name: 1.bias 1.weight 2.bias 2.weight
            print(asd.param_groups[1].param_names[4], asd.state[4].exp_avg:shape()[2])
            local other = optim.Adam(nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2)):named_parameters())
            print(pcall(other.load_state_dict, other, sd))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "1.weight 1.bias 2.weight 2.bias\t1 2 3 4\t2", "\(lines[0])")
        #expect(lines[1].contains("load_state_dict: Adam.loadStateDict: expected 2 parameter groups, got 1"), "\(lines[1])")
        #expect(lines[2] == "2.weight\t4", "\(lines[2])")
        #expect(lines[3].contains("state 'exp_avg' of parameter '1.weight' has shape [4, 3], expected [5, 3]"), "\(lines[3])")
    }

    @Test func combinedOptimizerActsAsOne() throws {
        let r = try Descent.runScript("""
            tensor.manual_seed(2)
            local m = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
            local hidden, rest = optim.split(m:named_parameters(), {dim = 2, exclude = "3."})
            local n = 0
            for _ in pairs(rest) do n = n + 1 end
            print(hidden["1.weight"] ~= nil, n)
            local opt = optim.combine{optim.Muon(hidden, {lr = 0.02}), optim.AdamW(rest, {lr = 1e-2})}
            local sched = optim.lr.StepLR(opt, {step_size = 1, gamma = 0.5})
            local x, y = tensor.randn(32, 6), tensor.randint(1, 4, {32})
            local before = nn.cross_entropy(m(x), y):item()
            train.fit(m, {optimizer = opt, x = x, y = y, epochs = 3, batch_size = 8, scheduler = sched})
            print(nn.cross_entropy(m(x), y):item() < before, opt:get_lr(1), opt:get_lr(2))
            local sd = opt:state_dict()
            print(sd.algorithm, sd.state[1].step, sd.state[4].step, sd.param_groups[2].param_names[2])
            local h2, r2 = optim.split(m:named_parameters(), function(name, t) return t:dim() == 2 and not name:find("^3") end)
            local fresh = optim.combine{optim.Muon(h2), optim.AdamW(r2)}
            fresh:load_state_dict(sd)
            print(fresh:get_lr(2), fresh:state_dict().state[4].exp_avg:shape()[1])
            print(pcall(optim.combine, {opt}))
            print(pcall(optim.combine, {optim.LBFGS(m:parameters())}))
            print(pcall(optim.split, m:named_parameters(), {}))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{") }  // train.fit logs JSON
        #expect(lines[0] == "true\t3", "\(lines[0])")
        #expect(lines[1] == "true\t0.0025\t0.00125", "\(lines[1])")
        #expect(lines[2] == "Combined(Muon, AdamW)\t12\t12\t3.bias", "\(lines[2])")
        #expect(lines[3] == "0.00125\t3", "\(lines[3])")
        #expect(lines[4].contains("optim.combine: optimizer 1 (Combined(Muon, AdamW)) cannot be combined"), "\(lines[4])")
        #expect(lines[5].contains("optim.combine: optimizer 1 (LBFGS) cannot be combined"), "\(lines[5])")
        #expect(lines[6].contains("optim.split: argument 2 expected a function(name, tensor) or a rule table {dim, match, exclude}"), "\(lines[6])")
    }

    /// A combined optimizer over named parameters and ReduceLROnPlateau go through
    /// experiment.checkpoint / restore (--resume) unchanged.
    @Test func combinedNamedOptimizerAndPlateauCheckpoint() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Descent.write("""
            tensor.manual_seed(1)
            local m = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
            local hidden, rest = optim.split(m:named_parameters(), {dim = 2})
            local opt = optim.combine{optim.Muon(hidden, {lr = 0.02}), optim.AdamW(rest)}
            local sched = optim.lr.ReduceLROnPlateau(opt, {patience = 0})
            if experiment.resuming() then
              experiment.restore("ck", {model = m, optimizer = opt, scheduler = sched})
            else
              local x = tensor.randn(5, 3)
              for i = 1, 3 do opt:zero_grad(); m(x):sum():backward(); opt:step(); sched:step(1.0 + i) end
              experiment.checkpoint("ck", {model = m, optimizer = opt, scheduler = sched})
            end
            local s = sched:state_dict()
            print(opt:get_lr(1), s.best, s.num_bad_epochs, opt:state_dict().state[3].step)
            """, to: "ck.lua", in: dir)
        let first = try Descent.run(["run", "ck.lua", "--out", "run"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        // The run finished: resuming it again needs --force (provenance), and restores the checkpoint.
        let second = try Descent.run(["run", "ck.lua", "--out", "run", "--resume", "--force"], in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(first.stdout == second.stdout && first.stdout.hasPrefix("0.0002\t2.0\t0.0\t3"), "\(first.stdout) vs \(second.stdout)")
    }
}
