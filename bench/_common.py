"""Shared timing helpers for the benchmarks: best-of-repeats wall time, ratio printing."""

from __future__ import annotations

import time


def best_time(fn, repeats: int = 5, number: int = 1) -> float:
    """Best mean seconds per call of ``fn`` over ``repeats`` runs of ``number`` calls."""
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def blas_report() -> str:
    """Which BLAS kernel NumPy runs (OPENBLAS_CORETYPE can force a slow generic one)."""
    try:
        from threadpoolctl import threadpool_info

        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        return ", ".join(f"{i.get('internal_api')} {i.get('architecture')} "
                         f"threads={i.get('num_threads')}" for i in infos) or "unknown"
    except ImportError:
        return "threadpoolctl not installed"


def report(name: str, ember_s: float, torch_s: float, unit: str = "us", target=None) -> str:
    scale = {"us": 1e6, "ms": 1e3, "s": 1.0}[unit]
    ratio = ember_s / torch_s
    line = (f"{name:<28} ember {ember_s * scale:9.2f} {unit}   torch {torch_s * scale:9.2f} {unit}"
            f"   ratio {ratio:5.2f}x")
    if target is not None:
        line += f"   (target <= {target:.1f}x: {'met' if ratio <= target else 'NOT met'})"
    print(line, flush=True)
    return line
