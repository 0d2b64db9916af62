#!/usr/bin/env python3
"""Generates the layer parity fixtures in Tests/EndToEndTests/Fixtures/layers/ (PyTorch 2.13.0+cpu,
safetensors 0.8.0).

One safetensors file per case. Its tensors:
    p.<key>   the module's state dict, PyTorch's names (tied weights appear under both keys)
    x.<name>  the inputs (masks as float 1/0: descent has no bool dtype)
    y.<i>     the outputs, 1-based in the order the call returns them
    r.<i>     fixed random weights: the loss is sum_i (y_i * r_i).sum()
    g.<name>  the gradient of that loss with respect to input <name>
Its metadata (`__metadata__`): `ctor`, a Lua expression that builds the module in descent; `call`,
the Lua call on module `m` and inputs table `x`; `grads`, the input names with gradients
(comma separated); `eval` ("1" when the module runs in evaluation mode); `script`.

The end-to-end test LayerFixtureTests runs Tests/EndToEndTests/Fixtures/layers/check.lua on every
file and compares outputs and gradients within 1e-4.

Usage:  pip install "torch==2.13.0+cpu" safetensors && python3 scripts/reference/layer_fixtures.py
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EndToEndTests", "Fixtures", "layers")


def save(name, module, ctor, call, inputs, forward, grads=(), eval_mode=True, masks=()):
    """`inputs`: name -> tensor (masks given as bool tensors in `masks` are stored as 1/0 floats);
    `forward(module, inputs)` returns a tensor or a tuple of tensors."""
    if module is not None:
        module.eval() if eval_mode else module.train()
    tensors = {}
    if module is not None:
        for k, v in module.state_dict(keep_vars=False).items():
            tensors["p." + k] = v.detach().clone().contiguous()
    live = {}
    for k, v in inputs.items():
        if k in masks:
            tensors["x." + k] = v.float().contiguous()
            live[k] = v
        else:
            t = v.detach().clone().float()
            tensors["x." + k] = t.clone().contiguous()
            live[k] = t.requires_grad_(k in grads)
    outs = forward(module, live)
    if not isinstance(outs, tuple):
        outs = (outs,)
    gen = torch.Generator().manual_seed(1234)
    loss = 0
    for i, y in enumerate(outs, 1):
        r = torch.randn(y.shape, generator=gen)
        tensors[f"y.{i}"] = y.detach().clone().contiguous()
        tensors[f"r.{i}"] = r.contiguous()
        loss = loss + (y * r).sum()
    if grads:
        loss.backward()
        for k in grads:
            tensors["g." + k] = live[k].grad.detach().clone().contiguous()
    meta = {"ctor": ctor, "call": call, "grads": ",".join(grads), "eval": "1" if eval_mode else "0",
            "script": "scripts/reference/layer_fixtures.py (torch " + torch.__version__ + ")"}
    save_file(tensors, os.path.join(OUT, name + ".safetensors"), metadata=meta)


def rnn_cases():
    torch.manual_seed(1)
    T, B, I, H = 5, 3, 4, 6
    for kind in ("RNN", "LSTM", "GRU"):
        cls = getattr(nn, kind)
        configs = [
            ("basic", {}, "{}"),
            ("bidir2", {"num_layers": 2, "bidirectional": True},
             "{num_layers = 2, bidirectional = true}"),
            ("batchfirst_nobias", {"batch_first": True, "bias": False},
             "{batch_first = true, bias = false}"),
        ]
        if kind == "RNN":
            configs.append(("relu", {"nonlinearity": "relu", "num_layers": 2},
                            "{nonlinearity = 'relu', num_layers = 2}"))
        for tag, kw, lua_opts in configs:
            m = cls(I, H, **kw)
            layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
            x = torch.randn((B, T, I) if kw.get("batch_first") else (T, B, I))
            h0 = torch.randn(layers, B, H)
            ctor = f"nn.{kind}({I}, {H}, {lua_opts})"
            if kind == "LSTM":
                c0 = torch.randn(layers, B, H)
                save(f"lstm_{tag}", m, ctor, "m(x.x, {x.h0, x.c0})", {"x": x, "h0": h0, "c0": c0},
                     lambda m, v: (lambda o: (o[0], o[1][0], o[1][1]))(m(v["x"], (v["h0"], v["c0"]))),
                     grads=("x", "h0", "c0"))
                save(f"lstm_{tag}_nostate", m, ctor, "m(x.x)", {"x": x},
                     lambda m, v: (lambda o: (o[0], o[1][0], o[1][1]))(m(v["x"])), grads=("x",))
            else:
                save(f"{kind.lower()}_{tag}", m, ctor, "m(x.x, x.h0)", {"x": x, "h0": h0},
                     lambda m, v: m(v["x"], v["h0"]), grads=("x", "h0"))
    # Unbatched input (T, I).
    m = nn.GRU(I, H, num_layers=2)
    save("gru_unbatched", m, f"nn.GRU({I}, {H}, {{num_layers = 2}})", "m(x.x)", {"x": torch.randn(T, I)},
         lambda m, v: m(v["x"]), grads=("x",))


def attention_cases():
    torch.manual_seed(2)
    B, Hh, L, S, E = 2, 3, 4, 5, 8
    q, k, v = torch.randn(B, Hh, L, E), torch.randn(B, Hh, S, E), torch.randn(B, Hh, S, E)
    qkv = {"q": q, "k": k, "v": v}
    sdpa = "nn.functional.scaled_dot_product_attention"
    save("sdpa_plain", None, "nil", f"{sdpa}(x.q, x.k, x.v)", qkv,
         lambda _, t: F.scaled_dot_product_attention(t["q"], t["k"], t["v"]), grads=("q", "k", "v"))
    save("sdpa_scale", None, "nil", f"{sdpa}(x.q, x.k, x.v, {{scale = 0.2}})", qkv,
         lambda _, t: F.scaled_dot_product_attention(t["q"], t["k"], t["v"], scale=0.2), grads=("q", "k", "v"))
    qs, ks, vs = torch.randn(B, Hh, L, E), torch.randn(B, Hh, L, E), torch.randn(B, Hh, L, E)
    save("sdpa_causal", None, "nil", f"{sdpa}(x.q, x.k, x.v, {{is_causal = true}})", {"q": qs, "k": ks, "v": vs},
         lambda _, t: F.scaled_dot_product_attention(t["q"], t["k"], t["v"], is_causal=True), grads=("q", "k", "v"))
    keep = torch.rand(L, S) > 0.4
    keep[:, 0] = True  # no fully masked row
    save("sdpa_boolmask", None, "nil", f"{sdpa}(x.q, x.k, x.v, {{attn_mask = x.mask}})", dict(qkv, mask=keep),
         lambda _, t: F.scaled_dot_product_attention(t["q"], t["k"], t["v"], attn_mask=t["mask"]),
         grads=("q", "k", "v"), masks=("mask",))
    add = torch.randn(B, 1, L, S)
    save("sdpa_floatmask", None, "nil", f"{sdpa}(x.q, x.k, x.v, {{attn_mask = x.mask}})", dict(qkv, mask=add),
         lambda _, t: F.scaled_dot_product_attention(t["q"], t["k"], t["v"], attn_mask=t["mask"]), grads=("q", "k", "v"))

    torch.manual_seed(3)
    E, nh, L, S, N = 8, 2, 4, 5, 3
    m = nn.MultiheadAttention(E, nh)
    x, mem = torch.randn(L, N, E), torch.randn(S, N, E)
    save("mha_self", m, f"nn.MultiheadAttention({E}, {nh})", "m(x.x, x.x, x.x)", {"x": x},
         lambda m, t: m(t["x"], t["x"], t["x"]), grads=("x",))
    save("mha_causal", m, f"nn.MultiheadAttention({E}, {nh})",
         "m(x.x, x.x, x.x, {is_causal = true, need_weights = false})", {"x": x},
         lambda m, t: m(t["x"], t["x"], t["x"], attn_mask=nn.Transformer.generate_square_subsequent_mask(L),
                        is_causal=True, need_weights=False)[0], grads=("x",))
    pad = torch.zeros(N, S, dtype=torch.bool)
    pad[0, 3:] = True
    pad[2, 4:] = True
    save("mha_padded", m, f"nn.MultiheadAttention({E}, {nh})", "m(x.q, x.kv, x.kv, {key_padding_mask = x.pad})",
         {"q": x, "kv": mem, "pad": pad},
         lambda m, t: m(t["q"], t["kv"], t["kv"], key_padding_mask=t["pad"]), grads=("q", "kv"), masks=("pad",))
    m2 = nn.MultiheadAttention(E, nh, batch_first=True, kdim=5, vdim=6, bias=False)
    save("mha_kvdim", m2, f"nn.MultiheadAttention({E}, {nh}, {{batch_first = true, kdim = 5, vdim = 6, bias = false}})",
         "m(x.q, x.k, x.v, {average_attn_weights = false})",
         {"q": torch.randn(N, L, E), "k": torch.randn(N, S, 5), "v": torch.randn(N, S, 6)},
         lambda m, t: m(t["q"], t["k"], t["v"], average_attn_weights=False), grads=("q", "k", "v"))
    blocked = torch.rand(L, S) > 0.6
    blocked[:, 0] = False
    save("mha_attnmask", m, f"nn.MultiheadAttention({E}, {nh})", "m(x.q, x.kv, x.kv, {attn_mask = x.mask})",
         {"q": x, "kv": mem, "mask": blocked},
         lambda m, t: m(t["q"], t["kv"], t["kv"], attn_mask=t["mask"]), grads=("q", "kv"), masks=("mask",))


def transformer_cases():
    torch.manual_seed(4)
    d, nh, ff, L, S, N = 8, 2, 16, 5, 4, 2
    for norm_first in (False, True):
        tag = "prenorm" if norm_first else "postnorm"
        nf = "true" if norm_first else "false"
        enc = nn.TransformerEncoderLayer(d, nh, dim_feedforward=ff, norm_first=norm_first, batch_first=True)
        x = torch.randn(N, L, d)
        save(f"encoder_{tag}", enc, f"nn.TransformerEncoderLayer({d}, {nh}, {{dim_feedforward = {ff}, norm_first = {nf}, batch_first = true}})",
             "m(x.x)", {"x": x}, lambda m, t: m(t["x"]), grads=("x",))
        causal = nn.Transformer.generate_square_subsequent_mask(L)
        save(f"encoder_{tag}_causal", enc,
             f"nn.TransformerEncoderLayer({d}, {nh}, {{dim_feedforward = {ff}, norm_first = {nf}, batch_first = true}})",
             "m(x.x, {is_causal = true})", {"x": x},
             lambda m, t: m(t["x"], src_mask=causal, is_causal=True), grads=("x",))
        pad = torch.zeros(N, L, dtype=torch.bool)
        pad[1, 3:] = True
        enc_g = nn.TransformerEncoderLayer(d, nh, dim_feedforward=ff, norm_first=norm_first, activation="gelu")
        xs = torch.randn(L, N, d)
        save(f"encoder_{tag}_gelu_padded", enc_g,
             f"nn.TransformerEncoderLayer({d}, {nh}, {{dim_feedforward = {ff}, norm_first = {nf}, activation = 'gelu'}})",
             "m(x.x, {src_key_padding_mask = x.pad})", {"x": xs, "pad": pad},
             lambda m, t: m(t["x"], src_key_padding_mask=t["pad"]), grads=("x",), masks=("pad",))
        dec = nn.TransformerDecoderLayer(d, nh, dim_feedforward=ff, norm_first=norm_first, batch_first=True)
        tgt, mem = torch.randn(N, L, d), torch.randn(N, S, d)
        mpad = torch.zeros(N, S, dtype=torch.bool)
        mpad[0, 2:] = True
        save(f"decoder_{tag}", dec,
             f"nn.TransformerDecoderLayer({d}, {nh}, {{dim_feedforward = {ff}, norm_first = {nf}, batch_first = true}})",
             "m(x.tgt, x.mem, {tgt_is_causal = true, memory_key_padding_mask = x.mpad})",
             {"tgt": tgt, "mem": mem, "mpad": mpad},
             lambda m, t: m(t["tgt"], t["mem"], tgt_mask=causal, tgt_is_causal=True, memory_key_padding_mask=t["mpad"]),
             grads=("tgt", "mem"), masks=("mpad",))


def misc_cases():
    torch.manual_seed(5)
    m = nn.Conv1d(3, 4, 3, stride=2, padding=1, dilation=1)
    save("conv1d", m, "nn.Conv1d(3, 4, 3, {stride = 2, padding = 1})", "m(x.x)", {"x": torch.randn(2, 3, 9)},
         lambda m, t: m(t["x"]), grads=("x",))
    m = nn.Conv1d(2, 3, 2, dilation=2, bias=False)
    save("conv1d_dilated", m, "nn.Conv1d(2, 3, 2, {dilation = 2, bias = false})", "m(x.x)", {"x": torch.randn(2, 2, 7)},
         lambda m, t: m(t["x"]), grads=("x",))
    m = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)
    save("convtranspose2d", m, "nn.ConvTranspose2d(3, 2, 3, {stride = 2, padding = 1, output_padding = 1})", "m(x.x)",
         {"x": torch.randn(2, 3, 4, 5)}, lambda m, t: m(t["x"]), grads=("x",))
    m = nn.ConvTranspose2d(2, 4, (2, 3), stride=(2, 1), padding=(0, 2), dilation=(1, 2), bias=False)
    save("convtranspose2d_asym", m,
         "nn.ConvTranspose2d(2, 4, {2, 3}, {stride = {2, 1}, padding = {0, 2}, dilation = {1, 2}, bias = false})",
         "m(x.x)", {"x": torch.randn(1, 2, 3, 4)}, lambda m, t: m(t["x"]), grads=("x",))
    m = nn.GroupNorm(2, 6)
    with torch.no_grad():
        m.weight.normal_()
        m.bias.normal_()
    save("groupnorm", m, "nn.GroupNorm(2, 6)", "m(x.x)", {"x": torch.randn(3, 6, 4, 2)}, lambda m, t: m(t["x"]), grads=("x",))
    m = nn.RMSNorm([3, 4])
    with torch.no_grad():
        m.weight.normal_()
    save("rmsnorm", m, "nn.RMSNorm({3, 4})", "m(x.x)", {"x": torch.randn(2, 3, 4)}, lambda m, t: m(t["x"]), grads=("x",))
    m = nn.RMSNorm(5, eps=1e-3, elementwise_affine=False)
    save("rmsnorm_eps", m, "nn.RMSNorm(5, {eps = 1e-3, elementwise_affine = false})", "m(x.x)",
         {"x": torch.randn(2, 5) * 0.01}, lambda m, t: m(t["x"]), grads=("x",))
    m = nn.AdaptiveAvgPool2d((3, 2))
    save("adaptiveavgpool2d", m, "nn.AdaptiveAvgPool2d({3, 2})", "m(x.x)", {"x": torch.randn(2, 3, 7, 5)},
         lambda m, t: m(t["x"]), grads=("x",))
    m = nn.AdaptiveAvgPool2d(1)
    save("adaptiveavgpool2d_global", m, "nn.AdaptiveAvgPool2d(1)", "m(x.x)", {"x": torch.randn(2, 3, 4, 4)},
         lambda m, t: m(t["x"]), grads=("x",))
    m = nn.Upsample(scale_factor=2, mode="nearest")
    save("upsample_scale", m, "nn.Upsample{scale_factor = 2}", "m(x.x)", {"x": torch.randn(2, 2, 3, 4)},
         lambda m, t: m(t["x"]), grads=("x",))
    m = nn.Upsample(size=(5, 7))
    save("upsample_size", m, "nn.Upsample{size = {5, 7}}", "m(x.x)", {"x": torch.randn(1, 2, 3, 4)},
         lambda m, t: m(t["x"]), grads=("x",))
    x = torch.randn(3, 7) * 3
    x[0, 0] = 30.0
    for name, mod, ctor in [
        ("silu", nn.SiLU(), "nn.SiLU()"),
        ("leakyrelu", nn.LeakyReLU(0.2), "nn.LeakyReLU(0.2)"),
        ("elu", nn.ELU(alpha=0.7), "nn.ELU{alpha = 0.7}"),
        ("softplus", nn.Softplus(beta=2, threshold=5), "nn.Softplus{beta = 2, threshold = 5}"),
        ("mish", nn.Mish(), "nn.Mish()"),
        ("gelu_tanh", nn.GELU(approximate="tanh"), "nn.GELU{approximate = 'tanh'}"),
        ("gelu", nn.GELU(), "nn.GELU()"),
    ]:
        save(name, mod, ctor, "m(x.x)", {"x": x}, lambda m, t: m(t["x"]), grads=("x",))


def container_cases():
    """PyTorch numbers a Sequential's children from 0, descent's from 1: load_state_dict accepts
    PyTorch's state dict as it is ("0.weight", "2.0.weight")."""
    torch.manual_seed(7)
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 8), nn.Tanh()), nn.Linear(8, 3))
    save("sequential_nested", m,
         "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 8), nn.Tanh()), nn.Linear(8, 3))",
         "m(x.x)", {"x": torch.randn(5, 4)}, lambda m, t: m(t["x"]), grads=("x",))
    # BatchNorm's state dict holds num_batches_tracked (int64 in PyTorch): trained for 3 batches
    # so the running statistics and the counter are not the initial ones, evaluated in eval mode.
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=0.3))
    with torch.no_grad():
        for _ in range(3):
            m(torch.randn(8, 3) * 2 + 1)
    save("batchnorm1d_tracked", m, "nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, {momentum = 0.3}))",
         "m(x.x)", {"x": torch.randn(6, 3)}, lambda m, t: m(t["x"]), grads=("x",))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    rnn_cases()
    attention_cases()
    transformer_cases()
    misc_cases()
    container_cases()
    print("wrote", len([f for f in os.listdir(OUT) if f.endswith(".safetensors")]), "files to", os.path.normpath(OUT))
