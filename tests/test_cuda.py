"""``ember.cuda``: the GPU idioms of CPU scripts behave as on CPU-only torch."""

from __future__ import annotations

import ember
from helpers import torch


def test_cuda_queries_match_cpu_only_torch():
    for name in ("is_available", "device_count", "is_initialized"):
        assert getattr(ember.cuda, name)() == getattr(torch.cuda, name)()


def test_cuda_seeding_and_cache_calls_are_no_ops():
    ember.manual_seed(3)
    a = ember.rand(2)
    ember.manual_seed(3)
    ember.cuda.manual_seed(7)
    ember.cuda.manual_seed_all(7)
    ember.cuda.empty_cache()
    assert ember.rand(2).tolist() == a.tolist()


def test_device_idiom_picks_cpu():
    device = ember.device("cuda" if ember.cuda.is_available() else "cpu")
    assert str(device) == "cpu"
    assert ember.nn.Linear(2, 2).to(device)(ember.ones(1, 2).to(device)).shape == (1, 2)
