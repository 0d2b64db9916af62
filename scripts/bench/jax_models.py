"""JAX versions of the models scripts/bench/torch_bench.py times, for scripts/bench/jax_bench.py:
the MLP and small CNN of torch_bench.py and issue 16's GPT, CharLSTM and ResNet
(scripts/reference/torch_models.py), written in plain jax.numpy / jax.lax (no flax).

Parameters are pytrees (dicts and lists of float32 arrays). `*_init(key, ...)` returns them
initialised as PyTorch initialises its modules: Linear, Conv2d and LSTM weights and biases
U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (the LSTM's fan_in is its hidden size), embeddings N(0, 1),
LayerNorm and BatchNorm weight 1 and bias 0, and the GPT-2 init of torch_models.GPT for the
transformer. `*_apply(params, x)` returns logits. Layouts are JAX's own: images NHWC, conv
kernels HWIO, linear weights (in, out) applied as x @ w; the arithmetic is the same as PyTorch's
NCHW / (out, in) modules.
"""
import math

import jax
import jax.numpy as jnp


def _uniform(key, shape, bound):
    return jax.random.uniform(key, shape, jnp.float32, -bound, bound)


def linear_init(key, fan_in, fan_out, bias=True):
    kw, kb = jax.random.split(key)
    bound = 1 / math.sqrt(fan_in)
    p = {"w": _uniform(kw, (fan_in, fan_out), bound)}
    if bias:
        p["b"] = _uniform(kb, (fan_out,), bound)
    return p


def linear(p, x):
    y = x @ p["w"]
    return y + p["b"] if "b" in p else y


def cross_entropy(logits, labels):
    """F.cross_entropy: mean over the batch of -log softmax(logits)[label]."""
    log_probs = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.take_along_axis(log_probs, labels[:, None], axis=-1).mean()


# -- MLP (torch_bench.mlp): Linear layers with ReLU between them ---------------------------------

def mlp_init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [linear_init(k, a, b) for k, a, b in zip(keys, sizes[:-1], sizes[1:])]


def mlp_apply(params, x):
    for i, p in enumerate(params):
        x = linear(p, x)
        if i < len(params) - 1:
            x = jax.nn.relu(x)
    return x


# -- Convolutions ----------------------------------------------------------------------------------

def conv_init(key, cin, cout, k, bias=True):
    kw, kb = jax.random.split(key)
    bound = 1 / math.sqrt(cin * k * k)
    p = {"w": _uniform(kw, (k, k, cin, cout), bound)}
    if bias:
        p["b"] = _uniform(kb, (cout,), bound)
    return p


def conv(p, x, stride=1, padding=0):
    y = jax.lax.conv_general_dilated(x, p["w"], (stride, stride), ((padding, padding), (padding, padding)),
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return y + p["b"] if "b" in p else y


def max_pool2(x):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


# -- Small CNN (torch_bench.mnist_cnn): conv5x5x16, ReLU, maxpool 2, conv5x5x32, ReLU, maxpool 2,
#    linear 512-10, on (N, 28, 28, 1) -------------------------------------------------------------

def cnn_init(key):
    k1, k2, k3 = jax.random.split(key, 3)
    return {"conv1": conv_init(k1, 1, 16, 5), "conv2": conv_init(k2, 16, 32, 5), "fc": linear_init(k3, 512, 10)}


def cnn_apply(p, x):
    x = max_pool2(jax.nn.relu(conv(p["conv1"], x)))
    x = max_pool2(jax.nn.relu(conv(p["conv2"], x)))
    return linear(p["fc"], x.reshape(x.shape[0], -1))


# -- GPT (torch_models.GPT): token + position embeddings, pre-norm causal blocks, GELU MLP,
#    untied head ------------------------------------------------------------------------------------

def layer_norm_init(d):
    return {"w": jnp.ones((d,), jnp.float32), "b": jnp.zeros((d,), jnp.float32)}


def layer_norm(p, x, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = jnp.square(x - mean).mean(-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + eps) * p["w"] + p["b"]


def gpt_init(key, vocab, block, d=64, layers=2):
    keys = iter(jax.random.split(key, 2 + 4 * layers + 1))

    def normal(shape, std):
        return std * jax.random.normal(next(keys), shape, jnp.float32)

    def dense(fan_in, fan_out, std):
        return {"w": normal((fan_in, fan_out), std), "b": jnp.zeros((fan_out,), jnp.float32)}

    proj_std = 0.02 / math.sqrt(2 * layers)
    params = {"wte": normal((vocab, d), 0.02), "wpe": normal((block, d), 0.02), "h": []}
    for _ in range(layers):
        params["h"].append({"ln_1": layer_norm_init(d), "ln_2": layer_norm_init(d),
                            "c_attn": dense(d, 3 * d, 0.02), "c_proj": dense(d, d, proj_std),
                            "c_fc": dense(d, 4 * d, 0.02), "mlp_proj": dense(4 * d, d, proj_std)})
    params["ln_f"] = layer_norm_init(d)
    params["lm_head"] = {"w": normal((d, vocab), 0.02)}
    return params


def gpt_apply(params, idx, heads=4):
    b, t = idx.shape
    x = params["wte"][idx] + params["wpe"][:t]
    d = x.shape[-1]
    for blk in params["h"]:
        q, k, v = jnp.split(linear(blk["c_attn"], layer_norm(blk["ln_1"], x)), 3, axis=-1)
        split_heads = lambda z: z.reshape(b, t, heads, d // heads)  # noqa: E731
        y = jax.nn.dot_product_attention(split_heads(q), split_heads(k), split_heads(v), is_causal=True)
        x = x + linear(blk["c_proj"], y.reshape(b, t, d))
        x = x + linear(blk["mlp_proj"], jax.nn.gelu(linear(blk["c_fc"], layer_norm(blk["ln_2"], x)),
                                                    approximate=False))
    return linear(params["lm_head"], layer_norm(params["ln_f"], x))


# -- CharLSTM (torch_models.CharLSTM): embedding, 2-layer LSTM (batch first), linear head -------------

def lstm_init(key, vocab, embedding=64, hidden=128, layers=2):
    keys = jax.random.split(key, 2 + 4 * layers)
    bound = 1 / math.sqrt(hidden)
    params = {"embedding": jax.random.normal(keys[0], (vocab, embedding), jnp.float32), "lstm": [],
              "head": linear_init(keys[1], hidden, vocab)}
    for layer in range(layers):
        cin = embedding if layer == 0 else hidden
        k = keys[2 + 4 * layer:6 + 4 * layer]
        params["lstm"].append({"w_ih": _uniform(k[0], (cin, 4 * hidden), bound),
                               "w_hh": _uniform(k[1], (hidden, 4 * hidden), bound),
                               "b_ih": _uniform(k[2], (4 * hidden,), bound),
                               "b_hh": _uniform(k[3], (4 * hidden,), bound)})
    return params


def lstm_layer(p, x):
    """One torch.nn.LSTM layer (gates i, f, g, o) over x of (B, T, C): the input projection of all
    steps as one product, then a jax.lax.scan over time of h @ w_hh and the gates."""
    batch, hidden = x.shape[0], p["w_hh"].shape[0]
    gates_x = jnp.swapaxes(x @ p["w_ih"] + (p["b_ih"] + p["b_hh"]), 0, 1)  # (T, B, 4H)

    def cell(carry, gx):
        h, c = carry
        i, f, g, o = jnp.split(gx + h @ p["w_hh"], 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    zeros = jnp.zeros((batch, hidden), x.dtype)
    _, hs = jax.lax.scan(cell, (zeros, zeros), gates_x)
    return jnp.swapaxes(hs, 0, 1)


def lstm_apply(params, idx):
    x = params["embedding"][idx]
    for p in params["lstm"]:
        x = lstm_layer(p, x)
    return linear(params["head"], x)


# -- ResNet (torch_models.ResNet): 3x3 stem without bias, BatchNorm, ReLU; three stages of basic
#    blocks of widths w, 2w, 4w; global average pooling; linear head. BatchNorm in training mode:
#    batch statistics, running statistics updated (momentum 0.1, unbiased variance) ----------------

def batch_norm_init(c):
    return layer_norm_init(c), {"mean": jnp.zeros((c,), jnp.float32), "var": jnp.ones((c,), jnp.float32)}


def batch_norm(p, s, x, momentum=0.1, eps=1e-5):
    """torch.nn.BatchNorm2d in training mode on NHWC: returns the output and the new running stats."""
    mean = x.mean((0, 1, 2))
    var = jnp.square(x - mean).mean((0, 1, 2))
    n = x.size // x.shape[-1]
    m, v = jax.lax.stop_gradient(mean), jax.lax.stop_gradient(var)
    new_s = {"mean": (1 - momentum) * s["mean"] + momentum * m,
             "var": (1 - momentum) * s["var"] + momentum * v * (n / (n - 1))}
    return (x - mean) * jax.lax.rsqrt(var + eps) * p["w"] + p["b"], new_s


def resnet_init(key, width=16, blocks=1, classes=10):
    """Returns (params, batch-norm running stats), two pytrees of the same structure. A block has a
    "shortcut" exactly when it is the first of stage 2 or 3, which is also when its stride is 2."""
    keys = iter(jax.random.split(key, 2 + 3 * 3 * blocks))
    params, stats = {"conv1": conv_init(next(keys), 1, width, 3, bias=False)}, {}
    params["bn1"], stats["bn1"] = batch_norm_init(width)
    params["layers"], stats["layers"] = [], []
    cin = width
    for stage, mult in enumerate((1, 2, 4), start=1):
        for b in range(1, blocks + 1):
            cout, stride = width * mult, 2 if stage > 1 and b == 1 else 1
            p = {"conv1": conv_init(next(keys), cin, cout, 3, bias=False),
                 "conv2": conv_init(next(keys), cout, cout, 3, bias=False)}
            s = {}
            p["bn1"], s["bn1"] = batch_norm_init(cout)
            p["bn2"], s["bn2"] = batch_norm_init(cout)
            if stride != 1 or cin != cout:
                p["shortcut"] = conv_init(next(keys), cin, cout, 1, bias=False)
                p["shortcut_bn"], s["shortcut_bn"] = batch_norm_init(cout)
            params["layers"].append(p)
            stats["layers"].append(s)
            cin = cout
    params["fc"] = linear_init(next(keys), cin, classes)
    return params, stats


def resnet_apply(params, stats, x):
    """Logits and the new running stats for x of (N, 28, 28, 1)."""
    new = {"layers": []}
    out, new["bn1"] = batch_norm(params["bn1"], stats["bn1"], conv(params["conv1"], x, padding=1))
    x = jax.nn.relu(out)
    for p, s in zip(params["layers"], stats["layers"]):
        stride = 2 if "shortcut" in p else 1
        ns = {}
        out, ns["bn1"] = batch_norm(p["bn1"], s["bn1"], conv(p["conv1"], x, stride, padding=1))
        out, ns["bn2"] = batch_norm(p["bn2"], s["bn2"], conv(p["conv2"], jax.nn.relu(out), padding=1))
        if "shortcut" in p:
            short, ns["shortcut_bn"] = batch_norm(p["shortcut_bn"], s["shortcut_bn"], conv(p["shortcut"], x, stride))
        else:
            short = x
        x = jax.nn.relu(out + short)
        new["layers"].append(ns)
    return linear(params["fc"], x.mean(axis=(1, 2))), new
