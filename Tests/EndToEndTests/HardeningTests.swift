import Foundation
import Testing

/// Regression tests for issue 14 (hardening and provenance), one group per class of fault. Each
/// script here crashed the host or misbehaved before its fix; the comment says how.

/// Class 1: bindings use the `L` they were called on (a coroutine's thread), never the main one.
@Suite struct CoroutineStateTests {
    /// Before: `opt.param_groups` inside coroutine.wrap segfaulted (the proxy function was pushed
    /// onto the main thread and the coroutine returned whatever was on its own stack).
    @Test func paramGroupsInsideACoroutine() throws {
        let r = try Descent.runScript("""
            local p = tensor.zeros(3):requires_grad(true)
            local opt = optim.SGD({p}, {lr = 0.1})
            print(coroutine.wrap(function() return opt.param_groups[1].lr end)())
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stdout == "0.1\n")
    }

    /// Before: every optim.define in a coroutine left a function on the main thread's stack and
    /// returned a wrong value; 200 of them corrupted the heap (SIGABRT).
    @Test func defineInsideACoroutine() throws {
        let r = try Descent.runScript("""
            local ctor = coroutine.wrap(function()
              local c
              for i = 1, 200 do c = optim.define{name = "mine" .. i, update = function(p, g, s) end} end
              return c
            end)()
            print(type(ctor), tostring(ctor(tensor.zeros(2))):match("^mine200"))
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stdout == "function\tmine200\n")
    }

    /// Before: a LambdaLR built in a coroutine referenced slot 2 of the main thread (its function
    /// was nil: "attempt to call a nil value"), and Lua callbacks (LambdaLR's function, a custom
    /// optimizer's update) always ran on the main thread.
    @Test func callbacksRunOnTheCallingThread() throws {
        let r = try Descent.runScript("""
            local p = tensor.zeros(3):requires_grad(true)
            local opt = optim.SGD({p}, {lr = 0.1})
            local on_main
            local s = coroutine.wrap(function()
              return optim.lr.LambdaLR(opt, function(e) on_main = select(2, coroutine.running()); return 0.5 end)
            end)()
            coroutine.wrap(function() s:step() end)()
            print(opt:get_lr(), on_main)
            local Mine = coroutine.wrap(function()
              return optim.define{name = "mine", update = function(p, g, st) on_main = select(2, coroutine.running()); p:add_(-1) end}
            end)()
            local o2 = Mine({p})
            p.grad = tensor.ones(3)
            coroutine.wrap(function() o2:step() end)()
            print(p[1], on_main)
            """)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.stderr)")
        #expect(r.stdout == "0.05\tfalse\n-1\tfalse\n")
    }
}
