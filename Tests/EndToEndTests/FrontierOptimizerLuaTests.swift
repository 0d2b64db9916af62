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
