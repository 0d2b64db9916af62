#!/usr/bin/env python3
"""Side-by-side training of problems.char_transformer's model in PyTorch 2.13: the same GPT
(token + position embeddings, pre-norm causal blocks, untied head, GPT-2 init), the same data
(tinyshakespeare, first 90 % for training, character vocabulary), the same hyperparameters, and
the validation loss over random windows, as scripts/reference/char_transformer_train.lua prints.

    python3 scripts/reference/char_transformer_train.py --seed 1 --steps 300
    .build/release/descent run scripts/reference/char_transformer_train.lua --threads 2 --seed 1 --set steps=300

Prints `seed <s> steps <n> val_loss <v> seconds <t>`. Torch 2.13.0+cpu, 2 threads.
"""
import argparse
import gzip
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402  (the GPT, shared with scripts/bench/torch_bench.py)

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--steps", type=int, default=300)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--eval_batches", type=int, default=20)
args = ap.parse_args()
torch.set_num_threads(2)
torch.manual_seed(args.seed)

here = os.path.dirname(os.path.abspath(__file__))
text = gzip.open(os.path.join(here, "../../Sources/Data/Resources/tinyshakespeare.txt.gz"), "rt").read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n = int(len(ids) * 0.9)
train, val = ids[:n], ids[n:]
V, T, D, H, L, B = len(chars), 64, 64, 4, 2, 32


def batch(data, g):
    starts = torch.randint(0, len(data) - T, (B,), generator=g)
    x = torch.stack([data[s:s + T] for s in starts])
    y = torch.stack([data[s + 1:s + 1 + T] for s in starts])
    return x, y


model = torch_models.GPT(V, T, d=D, heads=H, layers=L)
opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0)
g = torch.Generator().manual_seed(args.seed)
start = time.time()
for step in range(args.steps):
    x, y = batch(train, g)
    loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
seconds = time.time() - start
model.eval()
ge = torch.Generator().manual_seed(10_000 + args.seed)
with torch.no_grad():
    losses = [F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).item()
              for x, y in (batch(val, ge) for _ in range(args.eval_batches))]
print(f"seed {args.seed} steps {args.steps} val_loss {sum(losses) / len(losses):.4f} seconds {seconds:.1f}")
