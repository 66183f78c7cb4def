"""Cost of ``detect_anomaly`` on a training step (ember only): off vs on vs on+check_forward.

Off it costs nothing by construction (the checking ``apply`` is swapped in only while on).
On, each recorded node keeps its forward frames and each backward output is scanned for NaN.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/anomaly_overhead.py
"""

from __future__ import annotations

import time
import warnings

import ember
from ember import nn


def _step_fn(batch: int, width: int):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                          nn.Linear(width, 10))
    opt = ember.optim.SGD(model.parameters(), lr=0.01)
    x, y = ember.randn(batch, 64), ember.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def _time(step, mode, n: int) -> float:
    best = float("inf")
    for _ in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ctx = ember.autograd.detect_anomaly(check_forward=mode == "forward") if mode else None
            if ctx:
                ctx.__enter__()
            try:
                t0 = time.perf_counter()
                for _ in range(n):
                    step()
                best = min(best, (time.perf_counter() - t0) / n)
            finally:
                if ctx:
                    ctx.__exit__(None, None, None)
    return best


def main() -> None:
    for batch, width, n in ((32, 128, 100), (256, 1024, 5)):
        step = _step_fn(batch, width)
        step()
        best = {None: float("inf"), "nan": float("inf"), "forward": float("inf")}
        for _ in range(5):  # interleaved: the shared machine's load hits every mode alike
            for mode in best:
                best[mode] = min(best[mode], _time(step, mode, n))
        off, on, fwd = best[None], best["nan"], best["forward"]
        print(f"MLP 64-{width}-{width}-10, batch {batch}: off {off * 1e6:.0f} us, "
              f"on {on * 1e6:.0f} us (+{(on / off - 1) * 100:.0f}%), "
              f"on+check_forward {fwd * 1e6:.0f} us (+{(fwd / off - 1) * 100:.0f}%)")


if __name__ == "__main__":
    main()
