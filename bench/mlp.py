"""MLP benchmarks against PyTorch, same data, same initial weights, same run.

- mlp_digits: MLP 64-128-64-10 (ReLU, Dropout 0.1) on scikit-learn digits, batch 32, SGD
  momentum, the canonical loop plus a no_grad evaluation each epoch: seconds per epoch.
- mlp_wide: MLP 784-1024-1024-10, batch 256, Adam: ms per training step.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/mlp.py
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import blas_report, report  # noqa: E402

import ember  # noqa: E402


def mlp(lib, sizes, dropout=0.0):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(lib.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(lib.nn.ReLU())
            if dropout:
                layers.append(lib.nn.Dropout(dropout))
    return lib.nn.Sequential(*layers)


def same_weights(model_e, model_t) -> None:
    state = {k: v.detach().numpy().copy() for k, v in model_t.state_dict().items()}
    model_e.load_state_dict(state)


def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def digits_epochs(lib, model, data, epochs: int, batch: int = 32):
    xtr, ytr, xte, yte = (lib.from_numpy(a) for a in data)
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    n = len(xtr)
    rng = np.random.default_rng(0)
    times, acc = [], 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        order = lib.from_numpy(rng.permutation(n))
        model.train()
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        model.eval()
        with lib.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        times.append(time.perf_counter() - start)
    return min(times), acc


def wide_steps(lib, model, steps: int, batch: int = 256):
    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((batch, 784)).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, batch).astype(np.int64))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - start)
    return float(np.median(times[2:]))


def main() -> None:
    threads = int(os.environ.get("EMBER_BENCH_THREADS", "0")) or None
    if threads:
        torch.set_num_threads(threads)
    print(f"BLAS: {blas_report()}; torch threads={torch.get_num_threads()}")
    data = digits()
    torch.manual_seed(0)
    mt = mlp(torch, [64, 128, 64, 10], dropout=0.1)
    me = mlp(ember, [64, 128, 64, 10], dropout=0.1)
    same_weights(me, mt)
    te, acc_e = digits_epochs(ember, me, data, epochs=5)
    tt, acc_t = digits_epochs(torch, mt, data, epochs=5)
    report("mlp_digits (ms/epoch)", te, tt, "ms", target=1.0)
    print(f"    test accuracy after 5 epochs: ember {100 * acc_e:.2f}%  torch {100 * acc_t:.2f}%")

    torch.manual_seed(0)
    wt = mlp(torch, [784, 1024, 1024, 10])
    we = mlp(ember, [784, 1024, 1024, 10])
    same_weights(we, wt)
    te = wide_steps(ember, we, 12)
    tt = wide_steps(torch, wt, 12)
    report("mlp_wide (ms/step)", te, tt, "ms", target=1.2)


if __name__ == "__main__":
    main()
