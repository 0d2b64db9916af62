-- The digits classifier, defined once for training (train.lua) and deployment
-- (`descent predict --model`): 64 pixels scaled to [0, 1] -> scores for the 10 digits.
-- A function, so that each caller builds a fresh model.
return function()
  return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
end
