-- The MLP of mnist_mlp.lua, also for `descent predict --model` (IDX images arrive as [N, 28, 28]:
-- nn.Flatten makes them [N, 784], and leaves data.mnist's [N, 784] rows as they are).
--   descent predict --model scripts/examples/mnist_mlp_model.lua --weights mnist.safetensors \
--     data/mnist5k/mnist5k-test-images-idx3-ubyte.gz --labels data/mnist5k/mnist5k-test-labels-idx1-ubyte.gz
return function(hidden)
  hidden = hidden or 256
  return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))
end
