#!/usr/bin/env python3
"""Side-by-side training of problems.resnet_fashion's model in PyTorch 2.13: the same ResNet
(scripts/reference/torch_models.py: 3x3 stem, three stages of one basic block with BatchNorm,
widths 16/32/64, global average pooling, linear head; PyTorch's default init, as descent's
layers), the same data (the first `train_size` Fashion-MNIST training images scaled to [0, 1],
reshuffled every epoch, batches of 128 with a short last one), the same hyperparameters (AdamW
lr 2e-3, weight decay 5e-4, cosine decay to 0 over the run, stepped every batch) and the test
accuracy on the first `eval_size` test images, as scripts/reference/resnet_fashion_train.lua
prints.

    python3 scripts/reference/resnet_fashion_train.py --seed 1
    .build/release/descent run scripts/reference/resnet_fashion_train.lua --threads 2 --seed 1

Prints `seed <s> steps <n> test_accuracy <a> test_loss <l> seconds <t>`. Torch 2.13.0+cpu, 2 threads.
"""
import argparse
import gzip
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--epochs", type=int, default=2)
ap.add_argument("--train_size", type=int, default=10000)
ap.add_argument("--eval_size", type=int, default=10000)
ap.add_argument("--batch_size", type=int, default=128)
ap.add_argument("--lr", type=float, default=2e-3)
ap.add_argument("--weight_decay", type=float, default=5e-4)
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)


def load_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(raw[3])]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * raw[3]).reshape(dims)


def part(prefix, size):
    x = load_idx(os.path.join(args.data, f"{prefix}-images-idx3-ubyte.gz"))[:size]
    y = load_idx(os.path.join(args.data, f"{prefix}-labels-idx1-ubyte.gz"))[:size]
    return (torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0),
            torch.from_numpy(y.astype(np.int64)))


x, y = part("train", args.train_size)
tx, ty = part("t10k", args.eval_size)
model = torch_models.ResNet(width=16, blocks=1, classes=10)
opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
steps_per_epoch = math.ceil(len(x) / args.batch_size)
steps = args.epochs * steps_per_epoch
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
g = torch.Generator().manual_seed(args.seed)
start = time.time()
for epoch in range(args.epochs):
    perm = torch.randperm(len(x), generator=g)
    for i in range(0, len(x), args.batch_size):
        idx = perm[i:i + args.batch_size]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
seconds = time.time() - start
model.eval()
total, correct = 0.0, 0
with torch.no_grad():
    for i in range(0, len(tx), 500):
        logits = model(tx[i:i + 500])
        total += F.cross_entropy(logits, ty[i:i + 500], reduction="sum").item()
        correct += (logits.argmax(-1) == ty[i:i + 500]).sum().item()
print(f"seed {args.seed} steps {steps} test_accuracy {correct / len(tx):.4f} test_loss {total / len(tx):.4f} "
      f"seconds {seconds:.1f}")
