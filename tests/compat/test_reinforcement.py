"""Reinforcement learning: tutorial scripts run on ember and on PyTorch, results compared."""

from __future__ import annotations

from ._harness import run_both, seeded_rng
from .scripts import reinforcement as scripts


def test_reinforce_policy_gradient_categorical():
    rng = seeded_rng()
    data = {"states": rng.normal(size=(3, 10, 4)), "actions": rng.integers(0, 2, size=(3, 10)),
            "rewards": rng.uniform(size=(3, 10))}
    run_both(scripts.train_reinforce, data)


def test_dqn_target_network_soft_update():
    rng = seeded_rng()
    data = {"s": rng.normal(size=(96, 4)), "a": rng.integers(0, 2, size=96),
            "r": rng.uniform(size=96), "s2": rng.normal(size=(96, 4)),
            "done": rng.uniform(size=96) < 0.2}
    run_both(scripts.train_dqn, data)
