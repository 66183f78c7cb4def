"""Interleaved ember-vs-PyTorch timing at equal thread counts, with an idle gap before each side.

Timing the two libraries back to back lets OpenBLAS's spinning worker thread steal the other
side's second core; a short sleep before each side lets it park. Rounds alternate which side
goes first, and the figure is the median (and min) over rounds of each side's time per call.
"""

from __future__ import annotations

import statistics
import time

GAP = 0.3  # seconds idle before each side (OpenBLAS worker threads spin ~0.1 s after a call)


def set_threads(n: int, torch) -> None:
    """``n`` BLAS threads for NumPy (threadpoolctl) and ``n`` intra-op threads for PyTorch."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(n, "blas")
    torch.set_num_threads(n)


def _timed(fn, number: int) -> float:
    time.sleep(GAP)
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def paired(ember_fn, torch_fn, rounds: int = 9, number: int = 3) -> dict:
    """Median/min seconds per call of each side and the ratio of the medians."""
    ember_fn()
    torch_fn()
    te, tt = [], []
    for r in range(rounds):
        if r % 2:
            tt.append(_timed(torch_fn, number))
            te.append(_timed(ember_fn, number))
        else:
            te.append(_timed(ember_fn, number))
            tt.append(_timed(torch_fn, number))
    med_e, med_t = statistics.median(te), statistics.median(tt)
    return {"ember_med": med_e, "ember_min": min(te), "torch_med": med_t, "torch_min": min(tt),
            "ratio_med": med_e / med_t, "ratio_min": min(te) / min(tt)}


def line(name: str, threads: int, r: dict) -> str:
    """One row: name, threads, medians and mins in ms, median and min ratios."""
    text = (f"{name:<26} t={threads}  ember {r['ember_med'] * 1e3:8.2f} ms (min "
            f"{r['ember_min'] * 1e3:7.2f})  torch {r['torch_med'] * 1e3:8.2f} ms (min "
            f"{r['torch_min'] * 1e3:7.2f})  ratio {r['ratio_med']:5.2f}x (min-ratio "
            f"{r['ratio_min']:4.2f}x)")
    print(text, flush=True)
    return text
