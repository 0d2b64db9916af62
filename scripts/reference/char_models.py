#!/usr/bin/env python3
"""Reference outputs of the char_transformer and char_lstm problems' models (lua/problems.lua),
written with PyTorch 2.13 (torch.nn.LayerNorm, Linear, Embedding, F.scaled_dot_product_attention
with is_causal, torch.nn.LSTM) for ModelProblemsTests.

    python3 scripts/reference/char_models.py     # -> Tests/EndToEndTests/Fixtures/char_models.safetensors

The file holds each model's random weights under descent's parameter names (prefixed
"gpt." / "lstm."; descent's Sequential counts blocks from 1), the input ids (1-based, float32),
and PyTorch's logits and mean cross-entropy. Made with torch 2.13.0+cpu, safetensors 0.8.0.
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(16)
V, T, D, H, L, B = 11, 8, 16, 2, 2, 3


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = torch.nn.LayerNorm(D)
        self.c_attn = torch.nn.Linear(D, 3 * D)
        self.c_proj = torch.nn.Linear(D, D)
        self.ln_2 = torch.nn.LayerNorm(D)
        self.c_fc = torch.nn.Linear(D, 4 * D)
        self.mlp_proj = torch.nn.Linear(4 * D, D)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        heads = lambda z: z.view(b, t, H, c // H).transpose(1, 2)
        y = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


wte, wpe = torch.nn.Embedding(V, D), torch.nn.Embedding(T, D)
blocks = [Block() for _ in range(L)]
ln_f, head = torch.nn.LayerNorm(D), torch.nn.Linear(D, V, bias=False)
# Non-trivial LayerNorm parameters, so a swapped weight/bias would show.
with torch.no_grad():
    for m in [ln_f] + [blk.ln_1 for blk in blocks] + [blk.ln_2 for blk in blocks]:
        m.weight.uniform_(0.5, 1.5)
        m.bias.uniform_(-0.5, 0.5)

idx = torch.randint(0, V, (B, T))
targets = torch.randint(0, V, (B, T))
x = wte(idx) + wpe(torch.arange(T))
for blk in blocks:
    x = blk(x)
gpt_logits = head(ln_f(x))
gpt_loss = F.cross_entropy(gpt_logits.reshape(-1, V), targets.reshape(-1))

out = {}
out["gpt.wte.weight"], out["gpt.wpe.weight"] = wte.weight, wpe.weight
for i, blk in enumerate(blocks, start=1):
    p = f"gpt.h.{i}."
    out[p + "ln_1.weight"], out[p + "ln_1.bias"] = blk.ln_1.weight, blk.ln_1.bias
    out[p + "attn.c_attn.weight"], out[p + "attn.c_attn.bias"] = blk.c_attn.weight, blk.c_attn.bias
    out[p + "attn.c_proj.weight"], out[p + "attn.c_proj.bias"] = blk.c_proj.weight, blk.c_proj.bias
    out[p + "ln_2.weight"], out[p + "ln_2.bias"] = blk.ln_2.weight, blk.ln_2.bias
    out[p + "mlp.c_fc.weight"], out[p + "mlp.c_fc.bias"] = blk.c_fc.weight, blk.c_fc.bias
    out[p + "mlp.c_proj.weight"], out[p + "mlp.c_proj.bias"] = blk.mlp_proj.weight, blk.mlp_proj.bias
out["gpt.ln_f.weight"], out["gpt.ln_f.bias"] = ln_f.weight, ln_f.bias
out["gpt.lm_head.weight"] = head.weight
out["gpt_expected.logits"], out["gpt_expected.loss"] = gpt_logits, gpt_loss.reshape(1)

# char_lstm: embedding 8, a 2-layer LSTM of 12, a linear head.
E, HL = 8, 12
emb = torch.nn.Embedding(V, E)
lstm = torch.nn.LSTM(E, HL, num_layers=2, batch_first=True)
lin = torch.nn.Linear(HL, V)
lstm_out, _ = lstm(emb(idx))
lstm_logits = lin(lstm_out)
lstm_loss = F.cross_entropy(lstm_logits.reshape(-1, V), targets.reshape(-1))
out["lstm.embedding.weight"] = emb.weight
for name, value in lstm.named_parameters():
    out["lstm.lstm." + name] = value
out["lstm.head.weight"], out["lstm.head.bias"] = lin.weight, lin.bias
out["lstm_expected.logits"], out["lstm_expected.loss"] = lstm_logits, lstm_loss.reshape(1)

out["input.idx"] = (idx + 1).float()
out["input.targets"] = (targets + 1).float()
path = os.path.join(os.path.dirname(__file__), "../../Tests/EndToEndTests/Fixtures/char_models.safetensors")
save_file({k: v.detach().contiguous().float() for k, v in out.items()}, path,
          metadata={"made_by": "scripts/reference/char_models.py", "torch": torch.__version__})
print("wrote", os.path.normpath(path), "gpt loss", gpt_loss.item(), "lstm loss", lstm_loss.item())
