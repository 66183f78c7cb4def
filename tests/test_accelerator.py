"""``ember.accelerator`` answers as PyTorch does on a machine without an accelerator."""

from __future__ import annotations

import pytest

import ember
from helpers import torch


def test_accelerator_reports_none_as_cpu_only_torch():
    assert ember.accelerator.is_available() is torch.accelerator.is_available() is False
    assert ember.accelerator.current_accelerator() is None
    assert ember.accelerator.current_accelerator(check_available=True) is None
    assert ember.accelerator.device_count() == torch.accelerator.device_count() == 0


def test_accelerator_device_pick_idiom_picks_cpu():
    acc = ember.accelerator
    device = acc.current_accelerator().type if acc.is_available() else "cpu"
    assert ember.zeros(2, device=device).device.type == "cpu"


@pytest.mark.parametrize("name", ["current_device_index", "synchronize", "current_stream",
                                  "empty_cache", "memory_allocated"])
def test_accelerator_calls_needing_a_device_raise_runtime_error(name):
    with pytest.raises(RuntimeError, match="none is available") as expected:
        getattr(torch.accelerator, name)()
    with pytest.raises(RuntimeError, match=str(expected.value)):
        getattr(ember.accelerator, name)()
