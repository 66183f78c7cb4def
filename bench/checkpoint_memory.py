"""Peak memory of a deep MLP's training step vs the number of checkpointed segments.

Measured with tracemalloc (NumPy reports its array allocations to it), around one
forward + backward after a warm-up step, with the gradients already allocated. Peak is
above what was live before the step (weights, gradients, input), so it counts the
activations and the backward's temporaries. Expected: activations fall to about 1/k
(k segments) plus one segment's recomputation.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/checkpoint_memory.py
"""

from __future__ import annotations

import time
import tracemalloc

import ember
from ember import nn

DEPTH, WIDTH, BATCH = 32, 512, 256


def _model():
    ember.manual_seed(0)
    layers = []
    for _ in range(DEPTH):
        layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    return nn.Sequential(*layers)


def _step(model, x, segments: int) -> None:
    if segments:
        out = ember.utils.checkpoint.checkpoint_sequential(model, segments, x,
                                                           use_reentrant=False)
    else:
        out = model(x)
    out.square().mean().backward()


def measure(segments: int) -> tuple[float, float]:
    """(peak MiB above the pre-step baseline, step seconds) for one training step."""
    model = _model()
    x = ember.randn(BATCH, WIDTH)
    _step(model, x, segments)  # warm-up: allocates .grad
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    _step(model, x, segments)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 2 ** 20, seconds


def main() -> None:
    act = BATCH * WIDTH * 4 / 2 ** 20
    print(f"MLP {DEPTH} x (Linear({WIDTH},{WIDTH}) + ReLU), batch {BATCH}, float32; "
          f"one activation = {act:.2f} MiB")
    print(f"{'segments':>8} {'peak MiB':>9} {'vs plain':>9} {'step s':>7}")
    plain = None
    for segments in (0, 2, 4, 8, 16):
        peak, seconds = measure(segments)
        plain = plain or peak
        label = "plain" if segments == 0 else str(segments)
        print(f"{label:>8} {peak:9.1f} {peak / plain:8.2f}x {seconds:7.3f}")


if __name__ == "__main__":
    main()
