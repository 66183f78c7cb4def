"""PyTorch's ``torch.nn.modules.<family>`` import paths resolve to ember's classes."""

from __future__ import annotations

import importlib

import pytest

import ember
from helpers import torch


@pytest.mark.parametrize("path, name", [
    ("nn.modules.activation", "MultiheadAttention"),
    ("nn.modules.linear", "NonDynamicallyQuantizableLinear"),
    ("nn.modules.linear", "Linear"),
    ("nn.modules.module", "Module"),
    ("nn.modules.conv", "Conv2d"),
    ("nn.modules.batchnorm", "BatchNorm2d"),
    ("nn.modules.rnn", "LSTM"),
    ("nn.modules.loss", "CrossEntropyLoss"),
    ("nn.modules.transformer", "TransformerEncoderLayer"),
    ("nn.modules.container", "Sequential"),
    ("nn.modules.utils", "_pair"),
])
def test_torch_module_path_exists_in_ember(path, name):
    assert hasattr(importlib.import_module(f"torch.{path}"), name)
    assert hasattr(importlib.import_module(f"ember.{path}"), name)


def test_multihead_attention_out_proj_class_matches_torch():
    mha = ember.nn.modules.activation.MultiheadAttention(8, 2)
    assert type(mha.out_proj).__name__ == type(torch.nn.MultiheadAttention(8, 2).out_proj).__name__
    assert isinstance(mha.out_proj, ember.nn.Linear)


def test_pair_helpers_as_torch():
    from torch.nn.modules import utils as tu

    from ember.nn.modules import utils as eu
    for value in (3, (1, 2), [4, 5]):
        assert eu._pair(value) == tu._pair(value)
        assert eu._triple(value if not isinstance(value, (tuple, list)) else 2) == \
            tu._triple(value if not isinstance(value, (tuple, list)) else 2)
    assert eu._reverse_repeat_tuple((1, 2), 2) == tu._reverse_repeat_tuple((1, 2), 2)
