#!/usr/bin/env python3
"""Loads a descent checkpoint with safetensors.torch.load_file into the same CNN in PyTorch and
compares PyTorch's forward pass with descent's on the same inputs.

    ./scripts/descent run scripts/reference/checkpoint_forward.lua -- /tmp/ck
    python3 scripts/reference/checkpoint_forward.py /tmp/ck

Lua modules count from 1 ("1.weight"), PyTorch's Sequential from 0 ("0.weight"): the names are
shifted by one, nothing else changes. Exit status 0 when the outputs agree within 1e-5.
"""
import sys

import numpy as np
import torch
from safetensors.torch import load_file

directory = sys.argv[1] if len(sys.argv) > 1 else "."
state = load_file(f"{directory}/cnn.safetensors")
renamed = {}
for name, value in state.items():
    index, rest = name.split(".", 1)
    renamed[f"{int(index) - 1}.{rest}"] = value

model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(16, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(512, 10))
model.load_state_dict(renamed)  # strict: every name and shape must match
model.eval()

x = torch.from_numpy(np.load(f"{directory}/input.npy"))
expected = np.load(f"{directory}/output.npy")
with torch.no_grad():
    got = model(x).numpy()
diff = np.abs(got - expected).max()
scale = np.abs(expected).max()
print(f"tensors: {len(state)}; outputs {got.shape}; max |torch - descent| = {diff:.3g} (max |output| = {scale:.3g})")
sys.exit(0 if diff <= 1e-5 * max(1.0, scale) else 1)
