-- Keras-style training: train.fit with validation, accuracy, a schedule, clipping and
-- gradient accumulation; then train.evaluate and train.predict.
--   ./scripts/descent run scripts/examples/fit_digits.lua --set epochs=15
local cfg = experiment.config{ lr = 3e-3, epochs = 10, batch_size = 32, accumulate = 1, clip = 5.0 }

local x, y = data.digits()
local xtrain, ytrain, xval, yval = data.split(x / 16, y, 0.8, experiment.seed())

local model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10))
print(model:summary({cfg.batch_size, 64}))
local opt = optim.AdamW(model:parameters(), { lr = cfg.lr, weight_decay = 1e-2 })
local sched = optim.lr.CosineAnnealingLR(opt, { T_max = cfg.epochs })

local history = train.fit(model, {
  optimizer = opt, loss = "cross_entropy", x = xtrain, y = ytrain, epochs = cfg.epochs,
  batch_size = cfg.batch_size, validation = { xval, yval }, metrics = { "accuracy" },
  accumulate = cfg.accumulate, clip_grad_norm = cfg.clip, scheduler = sched,
})

local final = train.evaluate(model, xval, yval, { metrics = { "accuracy" } })
local predicted = train.predict(model, xval:narrow(1, 1, 5)):argmax(2)
print(string.format("validation accuracy %.2f %% (first five predictions: %s, labels: %s)", 100 * final.accuracy,
  table.concat(predicted:totable(), " "), table.concat(yval:narrow(1, 1, 5):totable(), " ")))
print(string.format("last epoch: loss %.4f, val_loss %.4f", history.loss[#history.loss], history.val_loss[#history.val_loss]))
experiment.summary(final)
