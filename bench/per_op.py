"""Per-op overhead on tiny tensors: ``y = (x*x + x).sum(); y.backward(); x.grad = None``.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/per_op.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import torch  # noqa: E402
from _common import compare, header, set_threads  # noqa: E402

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
    limiter = set_threads(1)
    header(1)
    xe = ember.randn(4, 4, requires_grad=True)
    xt = torch.randn(4, 4, requires_grad=True)
    for name, make in [("forward+backward", training_iteration),
                       ("forward under no_grad", forward_no_grad)]:
        te, tt = make(ember, xe), make(torch, xt)
        compare(f"per_op {name} (per {ITERS})", te, tt, rounds=7, unit="ms", target=1.0)
    del limiter


if __name__ == "__main__":
    main()
