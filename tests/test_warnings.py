"""Warnings raised deep inside ember point at the user's line."""

from __future__ import annotations

import warnings

import ember
from ember import nn


def test_implicit_softmax_dim_warning_points_at_caller():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        nn.Softmax()(ember.randn(2, 3))
    (w,) = [r for r in record if "Implicit dimension" in str(r.message)]
    assert w.filename == __file__


def test_loop_check_warning_points_at_caller():
    opt = ember.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        opt.step()
    (w,) = [r for r in record if issubclass(r.category, ember.TrainingLoopWarning)]
    assert w.filename == __file__
