"""Convolutional networks: tutorial scripts run on ember and on PyTorch, results compared."""

from __future__ import annotations

import numpy as np

from ._harness import run_both, seeded_rng
from .scripts import vision as scripts


def test_saliency_forward_backward_hooks():
    run_both(scripts.saliency_hooks, {"x": seeded_rng().normal(size=(4, 8)).astype(np.float32)})


def test_mnist_example_cnn():
    rng = seeded_rng()
    run_both(scripts.train_mnist_cnn, {"images": rng.integers(0, 256, size=(48, 14, 14),
                                                                dtype=np.uint8),
                                       "labels": rng.integers(0, 10, size=48)},
             rtol=1e-3, atol=1e-4)


def test_cifar_tutorial_cnn():
    rng = seeded_rng()
    run_both(scripts.train_cifar_cnn,
             {"images": rng.normal(size=(32, 3, 32, 32)).astype(np.float32),
              "labels": rng.integers(0, 10, size=32)}, rtol=1e-3, atol=1e-4)
