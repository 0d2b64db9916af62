import Foundation
import Testing

/// `optim.lookahead`, `optim.ema`, `sam` and `sophia` from Lua: schedulers and `param_groups` act on the
/// inner optimizer, `train.evaluate{optimizer =}` and checkpoints use the evaluation weights
/// (saved in eval mode, restored and continued bit for bit), SAM's closure, and the errors.
@Suite struct OptimizerWrapperLuaTests {
    static let wrappers = [
        "optim.lookahead(o, {sync_period = 3, slow_step_size = 0.5})",
        "optim.ema(o, {decay = 0.9})",
        "optim.lookahead(o, {sync_period = 2, reset_state = true})",
    ]

    @Test(arguments: wrappers)
    func schedulersEvaluateAndCheckpoints(_ wrap: String) throws {
        let r = try Descent.runScript("""
            tensor.manual_seed(3)
            local x = tensor.randn(32, 3)
            local y = x:matmul(tensor.ones(3, 1))
            local function make()
              tensor.manual_seed(5)
              local m = nn.Linear(3, 1)
              local inner = optim.AdamW(m:parameters(), {lr = 0.05})
              local o = inner
              return m, \(wrap), inner
            end
            local model, opt, inner = make()
            local sched = optim.lr.StepLR(opt, {step_size = 2, gamma = 0.5})
            for _ = 1, 5 do opt:zero_grad(); nn.functional.mse_loss(model(x), y):backward(); opt:step(); sched:step() end
            print(opt:get_lr(), inner:get_lr(), opt.param_groups[1].lr)
            local at_train = train.evaluate(model, x, y, {loss = "mse", metrics = {}}).loss
            local via = train.evaluate(model, x, y, {loss = "mse", metrics = {}, optimizer = opt}).loss
            opt:eval()
            local at_eval = train.evaluate(model, x, y, {loss = "mse", metrics = {}}).loss
            print(opt.eval_mode, via == at_eval, math.abs(at_eval - at_train) > 1e-6)
            print(pcall(opt.step, opt))
            local w_eval = model.weight:clone()
            experiment.checkpoint("ck", {model = model, optimizer = opt, scheduler = sched})
            print(opt.eval_mode, (model.weight - w_eval):abs():max():item() == 0)
            local m2, o2 = make()
            local s2 = optim.lr.StepLR(o2, {step_size = 2, gamma = 0.5})
            local res = experiment.restore("ck", {model = m2, optimizer = o2, scheduler = s2})
            print(o2.eval_mode, res.optimizer_eval_mode, (m2.weight - w_eval):abs():max():item() == 0)
            opt:train(); o2:train()
            print((m2.weight - model.weight):abs():max():item() == 0, o2:get_lr() == opt:get_lr())
            for _ = 1, 4 do
              for _, p in ipairs{ {model, opt, sched}, {m2, o2, s2} } do
                p[2]:zero_grad(); nn.functional.mse_loss(p[1](x), y):backward(); p[2]:step(); p[3]:step()
              end
            end
            print((m2.weight - model.weight):abs():max():item() == 0, (m2.bias - model.bias):abs():max():item() == 0)
            opt:eval(); o2:eval()
            print((m2.weight - model.weight):abs():max():item() == 0)
            opt.param_groups[1].lr = 0.02
            print(inner:get_lr())
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let name = wrap.contains("ema") ? "EMA(AdamW)" : "Lookahead(AdamW)"
        #expect(lines == [
            "0.0125\t0.0125\t0.0125",
            "true\ttrue\ttrue",
            "false\tscript.lua:20: step: \(name): step called in eval mode (the parameters hold the evaluation weights); call opt:train() first",
            "true\ttrue",
            "true\ttrue\ttrue",
            "true\ttrue",
            "true\ttrue",
            "true",
            "0.02",
        ], "\(lines)")
    }

    @Test func stateDictLayout() throws {
        let r = try Descent.runScript("""
            local w = tensor.ones(3):requires_grad(true)
            for _, opt in ipairs{ optim.lookahead(optim.Adam({w}), {sync_period = 4}), optim.ema(optim.SGD({w}, {momentum = 0.9})) } do
              for _ = 1, 2 do opt:zero_grad(); (w * w):sum():backward(); opt:step() end
              local sd = opt:state_dict()
              local keys = {}
              for k in pairs(sd.state[1]) do keys[#keys + 1] = k end
              table.sort(keys)
              local g = sd.param_groups[1]
              print(sd.algorithm, table.concat(keys, ","), g.steps_since_sync or g.ema_count, g.sync_period or g.decay)
              sd.param_groups[1].steps_since_sync, sd.param_groups[1].ema_count = nil, nil
              print(pcall(opt.load_state_dict, opt, sd))
            end
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "Lookahead(Adam)\texp_avg,exp_avg_sq,slow_params,step\t2.0\t4.0",
            "false\tscript.lua:11: load_state_dict: Lookahead(Adam).loadStateDict: expected param_groups[1].steps_since_sync, a non-negative integer (a state dict saved from Lookahead)",
            "EMA(SGD)\tema,momentum_buffer,step\t2.0\t0.999",
            "false\tscript.lua:11: load_state_dict: EMA(SGD).loadStateDict: expected param_groups[1].ema_count, a non-negative integer (a state dict saved from EMA)",
        ], "\(lines)")
    }

    @Test func samStepsWithAClosureAndReportsErrors() throws {
        let r = try Descent.runScript("""
            local w = tensor.from({1, 2, 3}):requires_grad(true)
            local sam = optim.build("sam", {w}, {base = "adamw", lr = 0.1, rho = 0.05})
            print(sam.name, sam.param_groups[1].base, sam.param_groups[1].weight_decay)
            print(pcall(sam.step, sam))
            local calls = 0
            local loss = sam:step(function() calls = calls + 1; sam:zero_grad(); local l = (w * w):sum(); l:backward(); return l end)
            print(loss:item(), calls, w:totable()[1] < 1)
            local la = optim.lookahead(optim.SAM({w}, {lr = 0.1}), {sync_period = 1})
            print(la:step(function() la:zero_grad(); local l = (w * w):sum(); l:backward(); return l end):item() > 0)
            print(pcall(optim.build, "sam", {w}, {base = "lbfgs"}))
            print(pcall(optim.build, "sam", {w}, {base = 3}))
            print(pcall(optim.build, "sam", {{params = {w}, base = "adam"}}, {base = "sgd"}))
            print(pcall(optim.SAM, {w}, {betas = {0.9, 0.99}}))
            print(pcall(optim.lookahead, 3))
            print(pcall(optim.lookahead, optim.SGD({w}), {sync_period = 0}))
            print(pcall(optim.lookahead, optim.SGD({w}), {k = 2}))
            print(pcall(optim.ema, optim.SGD({w}), {decay = 1}))
            print(pcall(optim.ema, optim.ScheduleFreeSGD({w})))
            print(pcall(optim.ema, optim.ema(optim.SGD({w}))))
            print(pcall(optim.combine, {optim.ema(optim.SGD({w}))}))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "SAM\tadamw\t0.01",
            "false\tscript.lua:4: step: SAM:step: argument 1 expected a closure that re-evaluates the model and returns the loss, got no value",
            "14\t2\ttrue",
            "true",
            "false\tscript.lua:10: build: SAM: option 'base' expected an optimizer that updates each parameter from its gradient, got \"lbfgs\" (LBFGS)",
            "false\tscript.lua:11: build: SAM: option 'base' expected the name of an optimizer (a string), got number",
            "false\tscript.lua:12: build: SAM: option 'base' is the optimizer's (sgd); a parameter group cannot change it, got \"adam\"",
            "false\tscript.lua:13: SAM: unknown option 'betas' (valid: lr, momentum, dampening, weight_decay, nesterov, maximize, base, rho, adaptive, perturb_eps, use_gc)",
            "false\tscript.lua:14: lookahead: argument 1 expected an optimizer, got integer",
            "false\tscript.lua:15: optim.lookahead: option 'sync_period' expected a positive integer, got 0",
            "false\tscript.lua:16: lookahead: unknown option 'k' (valid: sync_period, slow_step_size, reset_state)",
            "false\tscript.lua:17: optim.ema: option 'decay' expected a number in [0, 1), got 1",
            "false\tscript.lua:18: optim.ema: cannot wrap ScheduleFreeSGD, which has evaluation weights of its own (opt:eval()); wrap an optimizer without them",
            "false\tscript.lua:19: optim.ema: cannot wrap EMA(SGD), which has evaluation weights of its own (opt:eval()); wrap an optimizer without them",
            "false\tscript.lua:20: optim.combine: optimizer 1 (EMA(SGD)) cannot be combined: only optimizers whose step updates each parameter from its gradient can",
        ], "\(lines)")
    }

    /// Sophia from Lua: the Hessian diagonal of a separable loss (Σ w⁴: 12w², whatever the
    /// probes), seeds that change the estimate of a coupled one, the graph requirement.
    @Test func sophiaFromLua() throws {
        let r = try Descent.runScript("""
            local w = tensor.from({0.5, -1, 2}):requires_grad(true)
            local w0 = w:clone()
            local opt = optim.build("sophia", {w}, {lr = 0.01, update_interval = 2})
            opt:zero_grad(); (w ^ 4):sum():backward{create_graph = true}; opt:step()
            local nu = opt:state_dict().state[1].hessian_moment
            print((nu - w0 * w0 * 12 * 0.01):abs():max():item() < 1e-6)
            opt:zero_grad(); (w ^ 4):sum():backward(); opt:step()
            opt:zero_grad(); (w ^ 4):sum():backward()
            print(pcall(opt.step, opt))
            local function run(seed)
              tensor.manual_seed(1)
              local m = nn.Linear(3, 2)
              local x, y = tensor.randn(8, 3), tensor.randn(8, 2)
              local o = optim.Sophia(m:parameters(), {lr = 0.01, update_interval = 1, seed = seed, gamma = 1, clip_threshold = 10})
              for _ = 1, 3 do o:zero_grad(); nn.functional.mse_loss(m(x), y):backward{create_graph = true}; o:step() end
              return m.weight:clone()
            end
            local a, b, c = run(0), run(0), run(7)
            print((a - b):abs():max():item() == 0, (a - c):abs():max():item() > 1e-6)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "true",
            "false\tscript.lua:9: step: Sophia: this step updates the Hessian estimate, which needs the gradients' graph, but the gradient of parameter 1 of group 1 has none: compute it with loss:backward{create_graph = true}",
            "true\ttrue",
        ], "\(lines)")
    }

    /// Wrappers around a combined optimizer over named parameters (state dicts by name, the
    /// wrapper's buffers beside each child's state) and around a Lua whole-step optimizer.
    @Test func wrappersAroundCombinedAndLuaDefinedOptimizers() throws {
        let r = try Descent.runScript("""
            tensor.manual_seed(2)
            local m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
            local x, y = tensor.randn(8, 3), tensor.randn(8, 1)
            local function loss() return nn.functional.mse_loss(m(x), y) end
            local hidden, rest = optim.split(m:named_parameters(), {dim = 2})
            local function make()
              return optim.lookahead(optim.combine{optim.SGD(hidden, {lr = 0.1, momentum = 0.9}), optim.AdamW(rest, {lr = 0.01})}, {sync_period = 2})
            end
            local opt = make()
            for _ = 1, 3 do opt:zero_grad(); loss():backward(); opt:step() end
            local sd = opt:state_dict()
            print(sd.algorithm, #sd.param_groups, sd.param_groups[1].param_names[1])
            for k = 1, 4 do
              local ks = {}
              for key in pairs(sd.state[k]) do ks[#ks + 1] = key end
              table.sort(ks)
              print(k, table.concat(ks, ","))
            end
            local opt2 = make()
            opt2:load_state_dict(sd)
            print(opt2:state_dict().param_groups[2].steps_since_sync)
            sd.state[1].slow_params = tensor.ones(7)
            print(pcall(opt.load_state_dict, opt, sd))
            local WholeSGD = optim.define{name = "WholeSGD", defaults = {lr = 0.1}, step = function(groups, _, closure)
              local l = closure and closure()
              autograd.no_grad(function()
                for _, g in ipairs(groups) do
                  for _, p in ipairs(g.params) do if p.grad then p:add_(p.grad, -g.lr) end end
                end
              end)
              return l
            end}
            local e = optim.ema(WholeSGD(m:parameters()), {decay = 0.5})
            for _ = 1, 3 do e:zero_grad(); loss():backward(); e:step() end
            local l = e:step(function() e:zero_grad(); local v = loss(); v:backward(); return v end)
            print(e.name, e:state_dict().param_groups[1].ema_count, tensor.is_tensor(l))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "Lookahead(Combined(SGD, AdamW))\t2\t1.weight",
            "1\tmomentum_buffer,slow_params,step",
            "2\tmomentum_buffer,slow_params,step",
            "3\texp_avg,exp_avg_sq,slow_params,step",
            "4\texp_avg,exp_avg_sq,slow_params,step",
            "1.0",
            "false\tscript.lua:23: load_state_dict: Lookahead(Combined(SGD, AdamW)).loadStateDict: state 'slow_params' of parameter '1.weight' has shape [7], expected [4, 3]",
            "EMA(WholeSGD)\t4.0\ttrue",
        ], "\(lines)")
    }

    /// train.fit drives closure optimizers (SAM, LBFGS) with a closure per batch and Sophia with
    /// create_graph: the same weights as the hand-written loop over the same batches.
    @Test func fitDrivesClosureAndGraphOptimizers() throws {
        let r = try Descent.runScript("""
            tensor.manual_seed(1)
            local x = tensor.randn(48, 3)
            local y = x:matmul(tensor.ones(3, 1))
            local makers = {
              function(p) return optim.build("sam", p, {base = "adamw", lr = 0.05}) end,
              function(p) return optim.ema(optim.Sophia(p, {lr = 0.05, update_interval = 2}), {decay = 0.5}) end,
              function(p) return optim.LBFGS(p, {lr = 0.5, max_iter = 2}) end,
            }
            for _, make in ipairs(makers) do
              tensor.manual_seed(5)
              local m1 = nn.Linear(3, 1)
              local o1 = make(m1:parameters())
              local h = train.fit(m1, {optimizer = o1, loss = "mse", x = x, y = y, epochs = 2, batch_size = 16, shuffle = false})
              tensor.manual_seed(5)
              local m2 = nn.Linear(3, 1)
              local o2 = make(m2:parameters())
              local first
              for _ = 1, 2 do
                for b = 0, 2 do
                  local xb, yb = x:narrow(1, b * 16 + 1, 16), y:narrow(1, b * 16 + 1, 16)
                  if o2.requires_closure then
                    local l = o2:step(function()
                      o2:zero_grad(); local v = nn.functional.mse_loss(m2(xb), yb); v:backward(); return v
                    end)
                    first = first or l:item()
                  else
                    o2:zero_grad()
                    local v = nn.functional.mse_loss(m2(xb), yb)
                    first = first or v:item()
                    if o2.requires_graph then v:backward{create_graph = true} else v:backward() end
                    o2:step()
                  end
                end
              end
              print(o1.name, o1.requires_closure, o1.requires_graph, (m1.weight - m2.weight):abs():max():item() == 0,
                    (m1.bias - m2.bias):abs():max():item() == 0, #h.loss)
            end
            local m = nn.Linear(3, 1)
            print(pcall(function()
              local h = train.fit(m, {optimizer = optim.build("sam", m:parameters()), loss = "mse", x = x, y = y, accumulate = 2})
              return h
            end))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{") }
        #expect(lines == [
            "SAM\ttrue\tfalse\ttrue\ttrue\t2",
            "EMA(Sophia)\tfalse\ttrue\ttrue\ttrue\t2",
            "LBFGS\ttrue\tfalse\ttrue\ttrue\t2",
            "false\tscript.lua:40: train.fit: option 'accumulate' needs an optimizer whose step takes no closure, got SAM",
        ], "\(lines)")
    }

    /// Checkpoints of optimizers with evaluation weights hold them (`model_eval.<name>`, computed
    /// without touching the parameters), and `descent predict` on the checkpoint serves them:
    /// its output equals predicting from `nn.save` after `opt:eval()`.
    @Test(arguments: ["optim.ema(optim.AdamW(p, {lr = 0.02}), {decay = 0.9})",
                      "optim.ScheduleFreeAdamW(p, {lr = 0.02})",
                      "optim.lookahead(optim.AdamW(p, {lr = 0.02}), {sync_period = 4})"])
    func predictServesTheEvaluationWeightsOfACheckpoint(_ make: String) throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("return function() return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)) end",
                          to: "model.lua", in: dir)
        try Descent.write("""
            tensor.manual_seed(1)
            local x = tensor.randn(60, 4)
            local _, y = x:narrow(2, 1, 3):max(2)
            local model = require("model")()
            local p = model:parameters()
            local opt = \(make)
            train.fit(model, {optimizer = opt, x = x, y = y, epochs = 3, batch_size = 10})
            local before = model:state_dict()["1.weight"]:clone()
            experiment.checkpoint("last", {model = model, optimizer = opt})
            print((model:state_dict()["1.weight"] - before):abs():max():item() == 0, opt.eval_mode)
            local eval_weight = opt:evaluation_weights(model:state_dict()["1.weight"])
            opt:eval()
            print((eval_weight - model:state_dict()["1.weight"]):abs():max():item() == 0,
                  (eval_weight - before):abs():max():item() > 0)
            nn.save(model, "eval.safetensors")
            opt:train()
            data.save_npy("rows.npy", x)
            print(pcall(opt.evaluation_weights, opt, 3))
            """, to: "train.lua", in: dir)
        let r = try Descent.run(["run", "train.lua", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{") }
        #expect(lines == ["true\tfalse", "true\ttrue",
                          "false\ttrain.lua:18: evaluation_weights: argument 1 expected a tensor (a parameter of the optimizer), got integer"],
                "\(lines)")
        let fromCheckpoint = try Descent.run(["predict", "--model", "model.lua", "--weights", "checkpoints/last.safetensors",
                                              "rows.npy", "--probabilities"], in: dir)
        let fromEval = try Descent.run(["predict", "--model", "model.lua", "--weights", "eval.safetensors", "rows.npy", "--probabilities"], in: dir)
        #expect(fromCheckpoint.status == 0, "\(fromCheckpoint.stderr)")
        #expect(fromCheckpoint.stdout == fromEval.stdout && fromCheckpoint.stdout.split(separator: "\n").count == 60)
    }
}
