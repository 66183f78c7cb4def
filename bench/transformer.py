"""GPT-style transformers and their single ops against PyTorch (issue 12).

Workloads: GPT tiny (d 64, 4 heads, block 64, batch 16, 2 layers) train step / eval forward;
GPT small (d 256, 8 heads, block 128, batch 8, 2 layers) train step / eval forward / generate
50 tokens; layer_norm (16,128,256) fwd+bwd; embedding 10000x256 fwd+bwd. Same weights on both
sides (first losses printed), equal threads, interleaved rounds (see ``_common``).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/transformer.py [--threads 1,2]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import compare, header, same_weights, set_threads, thread_counts  # noqa: E402

import ember  # noqa: E402

VOCAB = 512


def gpt(lib, d: int, heads: int, block: int, layers: int):
    """A GPT-2-shaped decoder (pre-norm blocks, causal SDPA, GELU MLP, tied-free head)."""
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.ln2 = nn.LayerNorm(d)
            self.fc = nn.Linear(d, 4 * d)
            self.out = nn.Linear(4 * d, d)

        def forward(self, x):
            b, t, _ = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
            q, k, v = (z.view(b, t, heads, d // heads).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).reshape(b, t, d))
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(VOCAB, d)
            self.pos = nn.Embedding(block, d)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln = nn.LayerNorm(d)
            self.head = nn.Linear(d, VOCAB, bias=False)

        def forward(self, idx):
            t = idx.shape[1]
            x = self.tok(idx) + self.pos(lib.arange(t))
            for blk in self.blocks:
                x = blk(x)
            return self.head(self.ln(x))

    return GPT()


def make_pair(d, heads, block, layers):
    torch.manual_seed(0)
    mt = gpt(torch, d, heads, block, layers)
    me = gpt(ember, d, heads, block, layers)
    same_weights(me, mt)
    return me, mt


def train_step(lib, model, x, y):
    opt = lib.optim.AdamW(model.parameters(), lr=1e-4)
    F = lib.nn.functional

    def step():
        opt.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        opt.step()
        return loss

    return step


def eval_fwd(lib, model, x):
    def run():
        with lib.no_grad():
            return model(x)

    return run


def generate(lib, model, x, block, steps=50):
    def run():
        idx = x
        with lib.no_grad():
            for _ in range(steps):
                logits = model(idx[:, -block:])[:, -1, :]
                nxt = logits.softmax(-1).argmax(-1, keepdim=True)
                idx = lib.cat([idx, nxt], 1)
        return idx

    return run


def gpt_workloads(name, d, heads, block, batch, layers, gen=False, rounds=9):
    me, mt = make_pair(d, heads, block, layers)
    rng = np.random.default_rng(0)
    xa = rng.integers(0, VOCAB, (batch, block))
    ya = rng.integers(0, VOCAB, (batch, block))
    xe, ye, xt, yt = ember.tensor(xa), ember.tensor(ya), torch.tensor(xa), torch.tensor(ya)
    se, st = train_step(ember, me, xe, ye), train_step(torch, mt, xt, yt)
    print(f"{name}: first losses ember {se().item():.5f} torch {st().item():.5f}", flush=True)
    compare(f"{name} train step", se, st, rounds)
    compare(f"{name} eval fwd", eval_fwd(ember, me, xe), eval_fwd(torch, mt, xt), rounds)
    if gen:
        pe, pt = xe[:1, :8], xt[:1, :8]
        ge, gt = generate(ember, me, pe, block), generate(torch, mt, pt, block)
        same = np.array_equal(ge().numpy(), gt().numpy())
        print(f"{name}: generated tokens equal: {same}", flush=True)
        compare(f"{name} generate 50", ge, gt, 3)


def layer_norm_workload(rounds=15):
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((16, 128, 256)).astype(np.float32)
    ga = rng.standard_normal(xa.shape).astype(np.float32)

    def make(lib):
        ln = lib.nn.LayerNorm(256)
        x = lib.tensor(xa, requires_grad=True)
        g = lib.tensor(ga)

        def run():
            x.grad = None
            ln.zero_grad()
            ln(x).backward(g)

        return run

    compare("layer_norm (16,128,256) fwd+bwd", make(ember), make(torch), rounds, number=5)


def embedding_workload(rounds=15):
    rng = np.random.default_rng(0)
    wa = rng.standard_normal((10000, 256)).astype(np.float32)
    ia = rng.integers(0, 10000, (32, 128))
    ga = rng.standard_normal((32, 128, 256)).astype(np.float32)

    def make(lib):
        emb = lib.nn.Embedding(10000, 256)
        with lib.no_grad():
            emb.weight.copy_(lib.tensor(wa))
        i, g = lib.tensor(ia), lib.tensor(ga)

        def run():
            emb.weight.grad = None
            emb(i).backward(g)

        return run

    compare("embedding 10000x256 fwd+bwd", make(ember), make(torch), rounds, number=5)


def main() -> None:
    for n in thread_counts():
        limiter = set_threads(n)
        header(n)
        gpt_workloads("gpt tiny", 64, 4, 64, 16, 2)
        gpt_workloads("gpt small", 256, 8, 128, 8, 2, gen=True, rounds=5)
        layer_norm_workload()
        embedding_workload()
        del limiter


if __name__ == "__main__":
    main()
