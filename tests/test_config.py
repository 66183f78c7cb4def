"""Process-wide switches (threads, determinism, matmul precision) and math constants."""

from __future__ import annotations

import math

import pytest

import ember
from helpers import torch


def test_math_constants_match_torch():
    assert (ember.pi, ember.e, ember.inf) == (torch.pi, torch.e, torch.inf)
    assert math.isnan(ember.nan)


def test_num_threads_round_trip():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
    finally:
        ember.set_num_threads(before)
    with pytest.raises(RuntimeError):
        ember.set_num_threads(0)


def test_deterministic_and_precision_switches_are_recorded():
    try:
        ember.use_deterministic_algorithms(True)
        assert ember.are_deterministic_algorithms_enabled()
        ember.set_float32_matmul_precision("high")
        assert ember.get_float32_matmul_precision() == "high"
        with pytest.warns(UserWarning, match="no effect"):
            ember.set_float32_matmul_precision("fast")
        assert ember.get_float32_matmul_precision() == "high"
    finally:
        ember.use_deterministic_algorithms(False)
        ember.set_float32_matmul_precision("highest")
