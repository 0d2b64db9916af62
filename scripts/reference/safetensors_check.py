#!/usr/bin/env python3
"""Cross-checks descent's safetensors checkpoints against the reference `safetensors` package.

    pip install safetensors numpy
    python3 scripts/reference/safetensors_check.py read model.safetensors
        Loads a file written by descent (nn.save / Safetensors.save) with the reference reader,
        checks the header layout (8-byte length, space padding to 8 bytes, offsets tiling the
        data) and prints each tensor's name, dtype, shape and sum.
    python3 scripts/reference/safetensors_check.py write DIR
        Writes reference files for descent to load: f32.safetensors (F32 with metadata) and
        mixed.safetensors (F64, I64, I32, U8, F16, BF16), with the expected values in
        expected.json. descent converts every dtype to float32 on load.

Exit status 0 when every check passes, 1 otherwise.
"""
import json
import struct
import sys

import numpy as np
from safetensors.numpy import load_file, save_file
from safetensors import safe_open


def check_layout(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = raw[8:8 + n]
    problems = []
    if n % 8:
        problems.append(f"header length {n} is not a multiple of 8")
    text = header.decode("utf-8")
    if text != text.rstrip(" ") and not text.rstrip(" ").endswith("}"):
        problems.append("header padding is not spaces after the JSON object")
    meta = json.loads(text)
    entries = sorted((v["data_offsets"], k) for k, v in meta.items() if k != "__metadata__")
    pos = 0
    for (begin, end), name in entries:
        if begin != pos:
            problems.append(f"{name}: begins at {begin}, expected {pos}")
        pos = end
    if pos != len(raw) - 8 - n:
        problems.append(f"tensors cover {pos} bytes, data section holds {len(raw) - 8 - n}")
    return meta, problems


def read(path):
    meta, problems = check_layout(path)
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
    order = [k for _, k in sorted((v["data_offsets"], k) for k, v in meta.items() if k != "__metadata__")]
    for name in order:
        t = tensors[name]
        print(f"{name}\t{t.dtype}\t{list(t.shape)}\tsum={float(t.astype(np.float64).sum()):.6g}")
    if metadata:
        print("metadata:", json.dumps(metadata, sort_keys=True))
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    return 0 if not problems else 1


def write(directory):
    rng = np.random.default_rng(0)
    f32 = {"fc.weight": rng.standard_normal((3, 4)).astype(np.float32),
           "fc.bias": np.arange(3, dtype=np.float32), "scalar": np.array(2.5, dtype=np.float32)}
    save_file(f32, f"{directory}/f32.safetensors", metadata={"format": "pt"})
    mixed = {"d": np.array([1.5, -2.25]), "l": np.array([[-3], [40]], dtype=np.int64),
             "i": np.array([7, -8], dtype=np.int32), "u": np.array([0, 255], dtype=np.uint8),
             "h": np.array([0.5, -1.0], dtype=np.float16)}
    save_file(mixed, f"{directory}/mixed.safetensors")
    expected = {k: {"shape": list(v.shape), "values": v.astype(np.float32).ravel().tolist()}
                for k, v in {**f32, **mixed}.items()}
    with open(f"{directory}/expected.json", "w") as out:
        json.dump(expected, out, indent=1, sort_keys=True)
    print(f"wrote {directory}/f32.safetensors, mixed.safetensors, expected.json")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("read", "write"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(read(sys.argv[2]) if sys.argv[1] == "read" else write(sys.argv[2]))
