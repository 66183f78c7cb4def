"""Data pipelines: tutorial-style scripts run unchanged on ember and on PyTorch, compared."""

from __future__ import annotations

from ._harness import run_both, seeded_rng
from .scripts import data as scripts


def test_custom_dataset_returning_dicts():
    rng = seeded_rng()
    data = {"X": rng.normal(size=(36, 5)), "y": rng.integers(0, 4, size=36)}
    run_both(scripts.custom_dataset_dicts, data)


def test_data_pipeline_random_split_collate_padding():
    run_both(scripts.data_pipeline_padding, {"labels": seeded_rng().integers(0, 2, size=20)})
