"""Scientific models: tutorial-style scripts run unchanged on ember and on PyTorch, compared."""

from __future__ import annotations

import numpy as np

from ._harness import run_both, seeded_rng
from .scripts import scientific as scripts


def test_physics_informed_second_derivative():
    run_both(scripts.train_pinn, {}, rtol=1e-3, atol=1e-4)


def test_gcn_message_passing_index_add():
    rng = seeded_rng()
    n = 20
    edges = rng.integers(0, n, size=(2, 60))
    run_both(scripts.train_gcn_by_hand,
             {"x": rng.normal(size=(n, 5)).astype(np.float32), "edges": edges,
              "y": rng.integers(0, 3, size=n), "train_mask": rng.uniform(size=n) < 0.6})


def test_gp_regression_cholesky_solve_logdet():
    rng = seeded_rng()
    x = rng.uniform(-3, 3, size=(20, 1)).astype(np.float32)
    y = (np.sin(x[:, 0]) + 0.1 * rng.normal(size=20)).astype(np.float32)
    run_both(scripts.train_gp_regression, {"x": x, "y": y}, rtol=1e-3, atol=1e-4)
