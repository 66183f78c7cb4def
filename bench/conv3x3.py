"""conv2d 3x3 (32, 64, 32, 32) -> 64 channels, padding 1: forward + backward, ember vs PyTorch.

Same input and weights on both sides, 1 and 2 threads, interleaved rounds with an idle gap.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/conv3x3.py [--threads 1,2]
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
import ember.nn.functional  # noqa: E402,F401

SHAPE, OUT = (32, 64, 32, 32), 64


def runner(lib, x, w, b):
    def run():
        x.grad = w.grad = b.grad = None
        lib.nn.functional.conv2d(x, w, b, padding=1).sum().backward()

    return run


def main() -> None:
    threads = [1, 2]
    if "--threads" in sys.argv:
        threads = [int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(",")]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(SHAPE).astype(np.float32),
              (rng.standard_normal((OUT, SHAPE[1], 3, 3)) * 0.05).astype(np.float32),
              rng.standard_normal(OUT).astype(np.float32)]
    ours = [ember.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for n in threads:
        set_threads(n, torch)
        if n == threads[0]:
            print(f"BLAS: {blas_report()}", flush=True)
        line("conv2d 3x3 fwd+bwd", n, paired(runner(ember, *ours), runner(torch, *theirs)))


if __name__ == "__main__":
    main()
