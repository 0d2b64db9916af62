"""One run of scripts/examples/mnist_mlp.lua in PyTorch, for the sweep-throughput comparison
(scripts/bench/sweep_throughput.sh): MLP 784-256-10 on mnist5k, batch 64 shuffled each epoch,
10 epochs, test accuracy after every epoch, one thread; writes the final figures as JSON to --out.
    python3 scripts/bench/mnist_mlp_run.py --optimizer adam --lr 1e-3 --seed 1 --out run.json
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from idx import load_idx  # noqa: E402

OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
              "rmsprop": torch.optim.RMSprop}


def split(directory, part):
    x = load_idx(os.path.join(directory, f"mnist5k-{part}-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(directory, f"mnist5k-{part}-labels-idx1-ubyte.gz"))
    return (torch.from_numpy(x.reshape(x.shape[0], -1).astype("float32") / 255.0),
            torch.from_numpy(y.astype("int64")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "data", "mnist5k"))
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    xtrain, ytrain = split(args.data, "train")
    xtest, ytest = split(args.data, "test")
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = OPTIMIZERS[args.optimizer](model.parameters(), lr=args.lr)
    start = time.perf_counter()
    log = []
    for epoch in range(1, args.epochs + 1):
        perm = torch.randperm(xtrain.shape[0])
        total, batches = 0.0, 0
        for i in range(0, xtrain.shape[0], 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(model(xtrain[idx]), ytrain[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, batches = total + loss.item(), batches + 1
        with torch.no_grad():
            acc = (model(xtest).argmax(1) == ytest).float().mean().item()
        log.append({"epoch": epoch, "loss": total / batches, "test_accuracy": acc})
    summary = {"test_accuracy": log[-1]["test_accuracy"], "train_seconds": time.perf_counter() - start,
               "log": log}
    with open(args.out, "w") as f:
        json.dump(summary, f)


if __name__ == "__main__":
    main()
