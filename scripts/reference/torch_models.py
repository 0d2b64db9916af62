"""PyTorch 2.13 versions of the models of lua/problems.lua, used by scripts/bench/torch_bench.py and
the side-by-side training scripts (scripts/reference/{char_transformer,char_lstm,resnet_fashion}_train.py):

- GPT: problems.char_transformer (token + position embeddings, pre-norm causal blocks with
  F.scaled_dot_product_attention(is_causal=True), GELU MLP, untied head, GPT-2 init), the model
  of scripts/reference/char_transformer_train.py;
- CharLSTM: problems.char_lstm (embedding, torch.nn.LSTM batch_first, linear head; PyTorch's
  default init), the model of scripts/reference/char_lstm_train.py;
- ResNet: problems.resnet_fashion (3x3 stem without bias, BatchNorm, ReLU; three stages of
  `blocks` basic blocks of widths w, 2w, 4w, the first block of stages 2 and 3 with stride 2 and
  a 1x1 conv + BatchNorm shortcut; global average pooling; a linear head; PyTorch's default
  init, which descent's Conv2d, BatchNorm2d and Linear use too).
"""
import math

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.d, self.heads = d, heads
        self.ln_1, self.ln_2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.c_attn, self.c_proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
        self.c_fc, self.mlp_proj = torch.nn.Linear(d, 4 * d), torch.nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(self.d, dim=2)
        heads = lambda z: z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        y = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), is_causal=True)
        x = x + self.c_proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(torch.nn.Module):
    def __init__(self, vocab, block, d=64, heads=4, layers=2):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(vocab, d), torch.nn.Embedding(block, d)
        self.h = torch.nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f, self.lm_head = torch.nn.LayerNorm(d), torch.nn.Linear(d, vocab, bias=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("c_proj.weight", "mlp_proj.weight")) else 0.02
                torch.nn.init.normal_(p, 0, std)
            elif name.endswith("bias") and "ln" not in name:
                torch.nn.init.zeros_(p)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for blk in self.h:
            x = blk(x)
        return self.lm_head(self.ln_f(x))


class CharLSTM(torch.nn.Module):
    def __init__(self, vocab, embedding=64, hidden=128, layers=2):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, embedding)
        self.lstm = torch.nn.LSTM(embedding, hidden, num_layers=layers, batch_first=True)
        self.head = torch.nn.Linear(hidden, vocab)

    def forward(self, idx):
        out, _ = self.lstm(self.embedding(idx))
        return self.head(out)


class BasicBlock(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                                torch.nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet(torch.nn.Module):
    def __init__(self, width=16, blocks=1, classes=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, width, 3, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(width)
        layers, cin = [], width
        for stage, mult in enumerate((1, 2, 4), start=1):
            for b in range(1, blocks + 1):
                layers.append(BasicBlock(cin, width * mult, 2 if stage > 1 and b == 1 else 1))
                cin = width * mult
        self.layers = torch.nn.Sequential(*layers)
        self.fc = torch.nn.Linear(cin, classes)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(x.mean(dim=(2, 3)))
