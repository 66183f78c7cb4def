"""LSTM and GRU language models against PyTorch (issue 12): embedding 1000x200, 2 layers of
200, seq 35, batch 20 (the word-language-model example's small config); train step (SGD,
gradient clipping) and eval forward. Same weights, equal threads, interleaved rounds.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/recurrent.py [--threads 1,2]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import compare, header, same_weights, set_threads, thread_counts  # noqa: E402

import ember  # noqa: E402

VOCAB, EMB, HID, LAYERS, SEQ, BATCH = 1000, 200, 200, 2, 35, 20


def language_model(lib, cell: str):
    nn = lib.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, EMB)
            self.rnn = getattr(nn, cell)(EMB, HID, LAYERS)
            self.dec = nn.Linear(HID, VOCAB)

        def forward(self, x):
            out, _ = self.rnn(self.emb(x))
            return self.dec(out)

    return LM()


def workloads(cell: str, rounds: int = 9) -> None:
    torch.manual_seed(0)
    mt = language_model(torch, cell)
    me = language_model(ember, cell)
    same_weights(me, mt)
    rng = np.random.default_rng(0)
    xa = rng.integers(0, VOCAB, (SEQ, BATCH))
    ya = rng.integers(0, VOCAB, (SEQ, BATCH))

    def trainer(lib, model):
        x, y = lib.tensor(xa), lib.tensor(ya)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)

        def step():
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
            return loss

        return step

    def evaluator(lib, model):
        x = lib.tensor(xa)

        def run():
            with lib.no_grad():
                return model(x)

        return run

    se, st = trainer(ember, me), trainer(torch, mt)
    print(f"{cell} LM: first losses ember {se().item():.5f} torch {st().item():.5f}", flush=True)
    compare(f"{cell} LM train step", se, st, rounds)
    compare(f"{cell} LM eval fwd", evaluator(ember, me), evaluator(torch, mt), rounds)


def main() -> None:
    for n in thread_counts():
        limiter = set_threads(n)
        header(n)
        workloads("LSTM")
        workloads("GRU")
        del limiter


if __name__ == "__main__":
    main()
