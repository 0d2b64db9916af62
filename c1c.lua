local p = tensor.zeros(3):requires_grad()
local opt = optim.SGD({p}, {lr=0.1})
local s = coroutine.wrap(function() local x = 1; return optim.lr.LambdaLR(opt, function(e) return 0.5 end) end)()
s:step(); print(opt:get_lr())
