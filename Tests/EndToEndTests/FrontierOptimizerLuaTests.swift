import Foundation
import Testing

/// The optax-referenced optimizers from Lua: build names with underscores, constructors, triple
/// betas, and the schedule-free `opt:eval()` / `opt:train()`.
@Suite struct FrontierOptimizerLuaTests {
    @Test func scheduleFreeEvalTrainAndBuildNames() throws {
        let r = try Descent.runScript("""
            local w = tensor.ones(3):requires_grad(true)
            local opt = optim.build("schedule_free_adamw", {w}, {lr = 0.1, warmup_steps = 2})
            print(opt.name, optim.ScheduleFreeAdamW ~= nil)
            for _ = 1, 3 do
              opt:zero_grad(); (w * w):sum():backward(); opt:step()
            end
            local y = w:clone()
            opt:eval()
            print((w - y):abs():max():item() > 0)
            local ok, err = pcall(function() opt:step() end)
            print(ok, err)
            opt:train()
            print((w - y):abs():max():item() < 1e-6)
            local a = optim.Adan({w}, {betas = {0.9, 0.9, 0.95}})
            local b = a.param_groups[1].betas
            print(#b, b[1], b[3])
            print(pcall(optim.Adan, {w}, {betas = {0.9, 0.9}}))
            local sgd = optim.SGD({w}); sgd:eval(); sgd:train()
            print(optim.build("SignSGD", {w}).name, optim.build("sign_sgd", {w}).name)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "ScheduleFreeAdamW\ttrue",
            "true",
            "false\tscript.lua:10: step: ScheduleFreeAdamW: step called in eval mode (the parameters hold the evaluation weights); call opt:train() first",
            "true",
            "3\t0.9\t0.95",
            "false\tscript.lua:17: Adan: option 'betas' expected three numbers, got pair",
            "SignSGD\tSignSGD",
        ], "\(lines)")
    }

    /// train.fit validates a schedule-free run at its evaluation point x and resumes at y.
    @Test func fitValidatesAtTheEvaluationPoint() throws {
        let r = try Descent.runScript("""
            tensor.manual_seed(1)
            local x = tensor.randn(64, 3)
            local y = x:matmul(tensor.ones(3, 1))
            local model = nn.Linear(3, 1)
            local opt = optim.ScheduleFreeSGD(model:parameters(), {lr = 0.05})
            local h = train.fit(model, {optimizer = opt, loss = "mse", x = x, y = y, epochs = 3, batch_size = 16,
              validation = {x, y}, metrics = {}, shuffle = false})
            local at_y = train.evaluate(model, x, y, {loss = "mse", metrics = {}}).loss
            opt:eval()
            local at_x = train.evaluate(model, x, y, {loss = "mse", metrics = {}}).loss
            opt:train()
            print(math.abs(h.val_loss[3] - at_x) < 1e-5 * at_x, math.abs(h.val_loss[3] - at_y) > 1e-3 * at_y)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").last == "true\ttrue", "\(r.stdout)")
    }

    /// BatchNorm statistics at the evaluation point: optim.update_bn is the cumulative average of
    /// the batches' statistics (as torch.optim.swa_utils.update_bn) with momenta and mode restored;
    /// train.fit{update_bn} recomputes them before each validation at the schedule-free
    /// evaluation point, train.evaluate{update_bn} before evaluating; errors are located.
    @Test func batchNormStatisticsAreRecomputedAtTheEvaluationPoint() throws {
        let r = try Descent.runScript("""
            tensor.manual_seed(2)
            local model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
            local xs = {}
            for i = 1, 5 do xs[i] = tensor.randn(10, 3) * 2 + 1 end
            model:eval()
            assert(optim.update_bn(xs, model) == 5)
            assert(model.training == false and model[2].momentum == 0.1 and model[2].num_batches_tracked:item() == 5)
            local mean, var = tensor.zeros(4), tensor.zeros(4)
            autograd.no_grad(function()
              for i = 1, 5 do
                local h = model[1](xs[i])
                mean = mean + h:mean(1) / 5
                var = var + h:var(1) / 5   -- unbiased, as the running variance
              end
            end)
            assert((mean - model[2].running_mean):abs():max():item() < 1e-6)
            assert((var - model[2].running_var):abs():max():item() < 1e-5)
            assert(optim.update_bn(data.loader(tensor.randn(40, 3), tensor.randn(40, 1), {batch_size = 10}), model, {batches = 2}) == 2)
            assert(optim.update_bn(xs, nn.Linear(2, 2)) == 0)
            -- train.fit at the schedule-free evaluation point: the statistics are those of the
            -- evaluation weights over one epoch of 4 batches (the counter says 4).
            local x = tensor.randn(64, 3)
            local y = x:matmul(tensor.ones(3, 1))
            local opt = optim.ScheduleFreeAdamW(model:parameters(), {lr = 0.05})
            train.fit(model, {optimizer = opt, loss = "mse", x = x, y = y, epochs = 2, batch_size = 16,
              validation = {x, y}, metrics = {}, update_bn = true})
            assert(model[2].num_batches_tracked:item() == 4)
            opt:eval()
            local at_x = autograd.no_grad(function() return model[1](x):mean(1) end)
            opt:train()
            train.evaluate(model, x, y, {loss = "mse", metrics = {}, optimizer = opt, update_bn = {x}})
            assert((at_x - model[2].running_mean):abs():max():item() < 1e-6)
            print("ok")
            local ok, err = pcall(function() optim.update_bn(3, model) end)
            print(err)
            ok, err = pcall(function() train.fit(model, {optimizer = opt, loss = "mse", x = x, y = y, update_bn = 0}) end)
            print(err)
            ok, err = pcall(function() train.evaluate(model, x, y, {loss = "mse", metrics = {}, update_bn = "x"}) end)
            print(err)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{") }  // not the epoch records
        #expect(lines == [
            "ok",
            "script.lua:34: optim.update_bn: argument 1 expected a loader, a tensor or a list of tensors, got number",
            "script.lua:36: train.fit: option 'update_bn' expected true or a positive number of batches, got 0",
            "script.lua:38: train.evaluate: option 'update_bn': argument 1 expected a loader, a tensor or a list of tensors, got string",
        ], "\(lines)")
    }

    /// `opt.eval_mode`, train.evaluate's `optimizer` option, and checkpoints of a schedule-free
    /// optimizer saved in eval mode: written at the training point, restored with the
    /// evaluation weights back in the parameters (and the saving optimizer left in eval mode).
    @Test func evaluateAndCheckpointAtTheEvaluationPoint() throws {
        let r = try Descent.runScript("""
            tensor.manual_seed(3)
            local x = tensor.randn(32, 3)
            local y = x:matmul(tensor.ones(3, 1))
            local function make()
              tensor.manual_seed(5)
              local m = nn.Linear(3, 1)
              return m, optim.ScheduleFreeAdamW(m:parameters(), {lr = 0.05})
            end
            local model, opt = make()
            for _ = 1, 5 do opt:zero_grad(); nn.functional.mse_loss(model(x), y):backward(); opt:step() end
            local at_y = train.evaluate(model, x, y, {loss = "mse", metrics = {}}).loss
            local via = train.evaluate(model, x, y, {loss = "mse", metrics = {}, optimizer = opt}).loss
            print(opt.eval_mode, math.abs(train.evaluate(model, x, y, {loss = "mse", metrics = {}}).loss - at_y) < 1e-7)
            opt:eval()
            local at_x = train.evaluate(model, x, y, {loss = "mse", metrics = {}}).loss
            print(opt.eval_mode, via == at_x, math.abs(at_x - at_y) > 1e-4)
            local w_eval = model.weight:clone()
            experiment.checkpoint("sf", {model = model, optimizer = opt})
            print(opt.eval_mode, (model.weight - w_eval):abs():max():item() == 0)
            local m2, o2 = make()
            local res = experiment.restore("sf", {model = m2, optimizer = o2})
            print(o2.eval_mode, res.optimizer_eval_mode, (m2.weight - w_eval):abs():max():item() == 0)
            opt:train(); o2:train()
            print((m2.weight - model.weight):abs():max():item() == 0)
            opt:zero_grad(); nn.functional.mse_loss(model(x), y):backward(); opt:step()
            o2:zero_grad(); nn.functional.mse_loss(m2(x), y):backward(); o2:step()
            print((m2.weight - model.weight):abs():max():item() == 0)
            print(pcall(function() local e = train.evaluate(model, x, y, {loss = "mse", optimizer = 3}); return e end))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(7)) == [
            "false\ttrue", "true\ttrue\ttrue", "true\ttrue", "true\ttrue\ttrue", "true", "true",
            "false\tscript.lua:28: train.evaluate: option 'optimizer' expected an optimizer, got number",
        ], "\(lines)")
    }
}
