"""Fused nn-op micro-benchmarks against PyTorch: BatchNorm and cross-entropy.

Same inputs for both libraries, same thread count (torch.set_num_threads to NumPy's BLAS
thread count). Train mode is forward + backward, eval mode forward only.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/nn_ops.py [--threads N]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import best_time, blas_report, report  # noqa: E402
from cnn_small import blas_threads  # noqa: E402

import ember  # noqa: E402

REPEATS = 15


def batchnorm_times(lib, cls: str, xa: np.ndarray, ga: np.ndarray, number: int):
    """(train forward+backward, eval forward) seconds per call for one library."""
    bn = getattr(lib.nn, cls)(xa.shape[1])
    x = lib.tensor(xa, requires_grad=True)
    g = lib.tensor(ga)

    def train():
        x.grad = None
        bn(x).backward(g)

    def evaluate():
        with lib.no_grad():
            bn(x)

    bn.train()
    t_train = best_time(train, REPEATS, number)
    bn.eval()
    return t_train, best_time(evaluate, REPEATS, number)


def bench_batchnorm(name: str, shape: tuple, number: int) -> None:
    rng = np.random.default_rng(0)
    xa = rng.standard_normal(shape).astype(np.float32)
    ga = rng.standard_normal(shape).astype(np.float32)
    cls = "BatchNorm1d" if len(shape) <= 3 else "BatchNorm2d"
    e_train, e_eval = batchnorm_times(ember, cls, xa, ga, number)
    t_train, t_eval = batchnorm_times(torch, cls, xa, ga, number)
    report(f"{name} train fwd+bwd", e_train, t_train)
    report(f"{name} eval fwd", e_eval, t_eval)


def cross_entropy_time(lib, xa: np.ndarray, ya: np.ndarray, number: int) -> float:
    x = lib.tensor(xa, requires_grad=True)
    y = lib.tensor(ya)

    def step():
        x.grad = None
        lib.nn.functional.cross_entropy(x, y).backward()

    return best_time(step, REPEATS, number)


def bench_cross_entropy(name: str, shape: tuple, number: int) -> None:
    rng = np.random.default_rng(0)
    xa = rng.standard_normal(shape).astype(np.float32)
    ya = rng.integers(0, shape[1], shape[0])
    report(f"{name} fwd+bwd", cross_entropy_time(ember, xa, ya, number),
           cross_entropy_time(torch, xa, ya, number))


def main() -> None:
    threads = blas_threads()
    if "--threads" in sys.argv:
        from threadpoolctl import threadpool_limits

        threads = int(sys.argv[sys.argv.index("--threads") + 1])
        threadpool_limits(threads, "blas")
    if threads:
        torch.set_num_threads(threads)
    print(f"BLAS: {blas_report()}; torch threads: {torch.get_num_threads()}")
    bench_batchnorm("bn1d (256,128)", (256, 128), 200)
    bench_batchnorm("bn2d (64,16,28,28)", (64, 16, 28, 28), 10)
    bench_batchnorm("bn2d (64,32,16,16)", (64, 32, 16, 16), 20)
    bench_cross_entropy("ce (256,10)", (256, 10), 200)
    bench_cross_entropy("ce (256,1000)", (256, 1000), 20)


if __name__ == "__main__":
    main()
