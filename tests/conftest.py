"""Shared test fixtures: deterministic seeds for ember, NumPy and (when installed) torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember


@pytest.fixture(autouse=True)
def _seed():
    ember.manual_seed(0)
    np.random.seed(0)
    try:
        import torch

        torch.manual_seed(0)
    except ImportError:
        pass
    yield
