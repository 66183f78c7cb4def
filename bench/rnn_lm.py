"""LSTM and GRU language models: train step (SGD) and eval forward, ember vs PyTorch.

Model: Embedding(1000, 200) -> 2-layer LSTM/GRU (hidden 200) -> Linear(200, 1000), sequence
35, batch 20 (the classic PTB "small" shapes), cross-entropy, SGD lr 1 with gradient
clipping as in PyTorch's word_language_model example. Same weights on both sides (the
first losses are printed and must agree), 1 and 2 threads, interleaved rounds.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/rnn_lm.py [--threads 1,2]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import blas_report  # noqa: E402
from _paired import line, paired, set_threads  # noqa: E402

import ember  # noqa: E402
import ember.nn  # noqa: E402,F401
import ember.optim  # noqa: E402

VOCAB, EMB, HIDDEN, LAYERS, SEQ, BATCH = 1000, 200, 200, 2, 35, 20


def make_model(lib, cell: str):
    nn = lib.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Embedding(VOCAB, EMB)
            self.rnn = getattr(nn, cell)(EMB, HIDDEN, LAYERS)
            self.decoder = nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens):
            out, _ = self.rnn(self.encoder(tokens))
            return self.decoder(out).reshape(-1, VOCAB)

    return LM()


def copy_weights(src, dst) -> None:
    """ember model -> torch model, parameter by parameter (same names)."""
    with torch.no_grad():
        for name, p in dst.named_parameters():
            p.copy_(torch.from_numpy(np.array(src.get_parameter(name).detach().numpy())))


def trainer(lib, model, tokens, targets):
    opt = lib.optim.SGD(model.parameters(), lr=1.0)
    model.train()

    def step():
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(tokens), targets)
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        return loss

    return step


def evaluator(lib, model, tokens):
    def run():
        model.eval()
        with lib.no_grad():
            model(tokens)
        model.train()

    return run


def main() -> None:
    threads = [1, 2]
    if "--threads" in sys.argv:
        threads = [int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(",")]
    rng = np.random.default_rng(0)
    tok = rng.integers(0, VOCAB, (SEQ, BATCH))
    tgt = rng.integers(0, VOCAB, SEQ * BATCH)
    for cell in ("LSTM", "GRU"):
        ember.manual_seed(0)
        me = make_model(ember, cell)
        mt = make_model(torch, cell)
        copy_weights(me, mt)
        te, tt = ember.tensor(tok), torch.tensor(tok)
        ye, yt = ember.tensor(tgt), torch.tensor(tgt)
        le = ember.nn.functional.cross_entropy(me(te), ye).item()
        lt = torch.nn.functional.cross_entropy(mt(tt), yt).item()
        print(f"{cell} LM first loss: ember {le:.6f} torch {lt:.6f}", flush=True)
        for n in threads:
            set_threads(n, torch)
            if cell == "LSTM" and n == threads[0]:
                print(f"BLAS: {blas_report()}", flush=True)
            line(f"{cell} LM train step", n,
                 paired(trainer(ember, me, te, ye), trainer(torch, mt, tt, yt)))
            line(f"{cell} LM eval forward", n,
                 paired(evaluator(ember, me, te), evaluator(torch, mt, tt)))


if __name__ == "__main__":
    main()
