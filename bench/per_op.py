"""Per-op overhead on tiny tensors: ``y = (x*x + x).sum(); y.backward(); x.grad = None``.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/per_op.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import torch  # noqa: E402
from _common import best_time, blas_report, report  # noqa: E402

import ember  # noqa: E402

ITERS = 2000


def training_iteration(lib, x):
    def run():
        for _ in range(ITERS):
            y = (x * x + x).sum()
            y.backward()
            x.grad = None

    return run


def forward_no_grad(lib, x):
    def run():
        with lib.no_grad():
            for _ in range(ITERS):
                (x * x + x).sum()

    return run


def main() -> None:
    torch.set_num_threads(1)
    print(f"BLAS: {blas_report()}")
    xe = ember.randn(4, 4, requires_grad=True)
    xt = torch.randn(4, 4, requires_grad=True)
    for name, make in [("forward+backward", training_iteration),
                       ("forward under no_grad", forward_no_grad)]:
        te = best_time(make(ember, xe)) / ITERS
        tt = best_time(make(torch, xt)) / ITERS
        report(f"per_op {name}", te, tt, "us", target=1.0)


if __name__ == "__main__":
    main()
