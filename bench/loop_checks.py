"""Cost of the training-loop checks: mlp_digits epochs with checks "warn" vs "off".

Target: "warn" at most 3% slower. Runs alternate between the two levels (and which goes
first) so drift in machine load hits both alike; the best epoch time of each is compared.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/loop_checks.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from mlp import digits, digits_epochs, mlp  # noqa: E402

import ember  # noqa: E402


def main() -> None:
    data = digits()
    best = {"off": float("inf"), "warn": float("inf")}
    for i in range(12):
        # alternate which level goes first, so ordering effects cancel out
        for level in (("off", "warn") if i % 2 == 0 else ("warn", "off")):
            ember.set_loop_checks(level)
            ember.manual_seed(0)
            model = mlp(ember, [64, 128, 64, 10], dropout=0.1)
            seconds, _ = digits_epochs(ember, model, data, epochs=3)
            best[level] = min(best[level], seconds)
    ember.set_loop_checks("warn")
    overhead = best["warn"] / best["off"] - 1
    print(f"loop checks on mlp_digits: off {best['off'] * 1e3:.2f} ms/epoch, warn "
          f"{best['warn'] * 1e3:.2f} ms/epoch, overhead {100 * overhead:+.1f}% "
          f"(target <= +3%: {'met' if overhead <= 0.03 else 'NOT met'})")


if __name__ == "__main__":
    main()
