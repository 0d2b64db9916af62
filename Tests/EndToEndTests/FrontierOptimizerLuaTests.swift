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
}
