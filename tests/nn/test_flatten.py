"""Flatten and Unflatten: parity with PyTorch."""

from __future__ import annotations

import ember.nn as enn
from helpers import torch

from ._parity import module_parity


def test_flatten_unflatten_match_pytorch():
    module_parity(lambda nn: nn.Flatten(), [(2, 3, 4)])
    module_parity(lambda nn: nn.Flatten(0, 1), [(2, 3, 4)])
    module_parity(lambda nn: nn.Unflatten(1, (2, 3)), [(4, 6)])
    for make in (lambda nn: nn.Flatten(), lambda nn: nn.Unflatten(1, (2, 5))):
        assert repr(make(enn)) == repr(make(torch.nn))
