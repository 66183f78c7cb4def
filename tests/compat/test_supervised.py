"""Supervised training loops: tutorial scripts run on ember and on PyTorch, results compared."""

from __future__ import annotations

import numpy as np

from ._harness import blobs, run_both, seeded_rng
from .scripts import supervised as scripts


def test_logistic_regression():
    rng = seeded_rng()
    X = rng.normal(size=(64, 3)).astype(np.float64)  # float64 source, .float() in the script
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.float64)
    run_both(scripts.train_logreg, {"X": X, "y": y})


def test_mlp_classifier_dataloader_scheduler_checkpoint():
    data = blobs()
    data["X"] = data["X"].reshape(128, 2, 5)  # flattened by x.view(x.size(0), -1)
    run_both(scripts.train_mlp_classifier, data)


def test_regression_gradient_accumulation_and_clipping():
    rng = seeded_rng()
    X = rng.normal(size=(128, 5)).astype(np.float32)
    y = (np.sin(X[:, 0]) + X[:, 1] ** 2).astype(np.float32)
    run_both(scripts.train_regression_accum, {"X": X, "y": y})


def test_batchnorm_mlp_train_eval_plateau():
    run_both(scripts.train_bn_mlp, blobs(n=64))


def test_linear_regression_from_scratch():
    rng = seeded_rng()
    X = rng.normal(size=(50, 3)).astype(np.float32)
    y = (X @ np.array([1.5, -0.5, 2.0]) + 0.3).astype(np.float32)
    run_both(scripts.linreg_from_scratch, {"X": X, "y": y})


def test_finetune_frozen_backbone_best_weights():
    run_both(scripts.train_finetune_frozen, blobs(n=64))


def test_modern_loop_param_groups_onecycle_amp_ema_mixup():
    data = blobs(n=128)
    rng = seeded_rng()
    data["perm"] = np.stack([rng.permutation(32) for _ in range(12)])
    data["lams"] = rng.beta(0.4, 0.4, size=12)  # NumPy float64 scalars times float32 batches
    run_both(scripts.train_modern_loop, data, rtol=1e-3, atol=1e-4)
