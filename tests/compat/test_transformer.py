"""Attention models: tutorial-style scripts run unchanged on ember and on PyTorch, compared."""

from __future__ import annotations

import numpy as np

from ._harness import run_both, seeded_rng
from .scripts import transformer as scripts


def test_transformer_block_masked_attention():
    idx = seeded_rng().integers(1, 11, size=(4, 7))
    idx[0, 5:] = 0  # padding
    idx[2, 4:] = 0
    run_both(scripts.train_transformer_block, {"idx": idx})


def test_transformer_encoder_classifier_padding_warmup():
    rng = seeded_rng()
    src = rng.integers(1, 12, size=(8, 7))
    src[::2, 5:] = 0
    run_both(scripts.train_transformer_classifier,
             {"src": src, "y": (src[:, 0] > 5).astype(np.int64)}, rtol=1e-3, atol=1e-4)
