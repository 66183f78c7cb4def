"""Real programs' idioms (nanoGPT, minGPT/makemore) run on ember and on PyTorch, compared."""

from __future__ import annotations

import numpy as np

from ._harness import run_both, seeded_rng
from .scripts import programs as scripts


def test_nanogpt_model_and_training_loop():
    rng = seeded_rng()
    tokens = rng.integers(0, 13, size=200).astype(np.uint16)
    ix = rng.integers(0, len(tokens) - 8, size=(12, 4))
    run_both(scripts.train_nanogpt, {"tokens": tokens, "ix": ix}, rtol=1e-3, atol=1e-4)


def test_makemore_infinite_dataloader_training():
    rng = seeded_rng()
    words = np.empty(40, dtype=object)
    for i in range(40):
        words[i] = [int(c) for c in rng.integers(1, 10, size=rng.integers(2, 7))]
    run_both(scripts.infinite_loader_training, {"words": words})
