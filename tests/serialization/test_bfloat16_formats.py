"""bfloat16 in checkpoints: torch.save/load and safetensors BF16 round trips with torch."""

from __future__ import annotations

import numpy as np

import ember
from helpers import torch

_VALUES = [1.0, 2.7, -3.3, 1e30, 0.1]


def test_torch_format_round_trip_both_ways(tmp_path):
    ember.save({"a": ember.tensor(_VALUES).bfloat16()}, tmp_path / "e.pt")
    t = torch.load(tmp_path / "e.pt")["a"]
    assert t.dtype == torch.bfloat16
    torch.save({"b": t}, tmp_path / "t.pt")
    e = ember.load(tmp_path / "t.pt")["b"]
    assert e.dtype == ember.bfloat16
    np.testing.assert_array_equal(e.float().numpy(), torch.tensor(_VALUES).bfloat16().float())


def test_safetensors_bf16_round_trip_with_torch(tmp_path):
    from safetensors.torch import load_file, save_file

    save_file({"w": torch.tensor(_VALUES).bfloat16()}, str(tmp_path / "t.safetensors"))
    e = ember.utils.safetensors.load_file(tmp_path / "t.safetensors")["w"]
    assert e.dtype == ember.bfloat16
    ember.utils.safetensors.save_file({"w": e}, tmp_path / "e.safetensors")
    t = load_file(str(tmp_path / "e.safetensors"))["w"]
    assert t.dtype == torch.bfloat16
    np.testing.assert_array_equal(t.float().numpy(), torch.tensor(_VALUES).bfloat16().float())
