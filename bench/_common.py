"""Shared timing helpers for the benchmarks: honest ember-vs-PyTorch comparisons.

Rules every script follows (issue 12): both libraries run with the same thread count (NumPy's
BLAS limited with threadpoolctl, ``torch.set_num_threads`` to match); ember and PyTorch are
timed in interleaved rounds, each side after an idle gap, because OpenBLAS's worker threads
spin for a while after a call and would otherwise steal the other library's second core; the
median and the minimum of the per-round times are reported, with the BLAS kernel that ran.
"""

from __future__ import annotations

import statistics
import sys
import time

GAP_S = 0.3  # long enough for OpenBLAS's spinning workers to park (they spin ~0.1 s)


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


def thread_counts(default=(1, 2)) -> tuple:
    """Thread counts from ``--threads N[,M]`` on the command line, else ``default``."""
    if "--threads" in sys.argv:
        return tuple(int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(","))
    return default


def set_threads(n: int):
    """Run NumPy's BLAS and PyTorch on ``n`` threads; returns the threadpoolctl limiter (keep
    a reference while timing)."""
    import torch
    from threadpoolctl import threadpool_limits

    limiter = threadpool_limits(n, "blas")
    torch.set_num_threads(n)
    return limiter


def interleaved(ember_fn, torch_fn, rounds: int = 9, number: int = 1, gap: float = GAP_S):
    """Per-call seconds of each side over ``rounds`` interleaved rounds of ``number`` calls.

    Each round times ember then PyTorch (the order alternates between rounds), each after an
    idle ``gap``. Returns ``(ember_times, torch_times)``, one entry per round.
    """
    ember_fn()  # warm-up both
    torch_fn()
    te, tt = [], []
    for r in range(rounds):
        order = ((ember_fn, te), (torch_fn, tt)) if r % 2 == 0 else ((torch_fn, tt), (ember_fn, te))
        for fn, out in order:
            time.sleep(gap)
            start = time.perf_counter()
            for _ in range(number):
                fn()
            out.append((time.perf_counter() - start) / number)
    return te, tt


def report_rounds(name: str, te: list, tt: list, unit: str = "ms", target=None) -> str:
    """One line: median and min of each side, and the median of the per-round ratios."""
    scale = {"us": 1e6, "ms": 1e3, "s": 1.0}[unit]
    ratio = statistics.median(e / t for e, t in zip(te, tt, strict=True))
    line = (f"{name:<34} ember {statistics.median(te) * scale:8.2f} (min {min(te) * scale:8.2f})"
            f"  torch {statistics.median(tt) * scale:8.2f} (min {min(tt) * scale:8.2f}) {unit}"
            f"  ratio {ratio:5.2f}x (min/min {min(te) / min(tt):5.2f}x)")
    if target is not None:
        line += f"  (target <= {target:.1f}x: {'met' if ratio <= target else 'NOT met'})"
    print(line, flush=True)
    return line


def compare(name: str, ember_fn, torch_fn, rounds: int = 9, number: int = 1, unit: str = "ms",
            target=None) -> str:
    """Interleaved timing of ``ember_fn`` against ``torch_fn``, reported in one line."""
    te, tt = interleaved(ember_fn, torch_fn, rounds, number)
    return report_rounds(name, te, tt, unit, target)


def header(threads: int) -> None:
    import torch

    print(f"-- threads={threads}: BLAS {blas_report()}; torch threads={torch.get_num_threads()}",
          flush=True)


def same_weights(model_e, model_t) -> None:
    """Load PyTorch's initial weights into the ember model (same state_dict keys)."""
    model_e.load_state_dict({k: v.detach().numpy().copy()
                             for k, v in model_t.state_dict().items()})


def report(name: str, ember_s: float, torch_s: float, unit: str = "us", target=None) -> str:
    scale = {"us": 1e6, "ms": 1e3, "s": 1.0}[unit]
    ratio = ember_s / torch_s
    line = (f"{name:<28} ember {ember_s * scale:9.2f} {unit}   torch {torch_s * scale:9.2f} {unit}"
            f"   ratio {ratio:5.2f}x")
    if target is not None:
        line += f"   (target <= {target:.1f}x: {'met' if ratio <= target else 'NOT met'})"
    print(line, flush=True)
    return line
