"""Fold and Unfold: repr, state, parity with PyTorch."""

from __future__ import annotations

import pytest

from ._parity import stateless_layer_parity

LAYERS = [
    (lambda m: m.Unfold(kernel_size=(2, 3), padding=1, stride=2), (2, 3, 6, 7)),
    (lambda m: m.Fold(output_size=(4, 5), kernel_size=2), (2, 12, 12)),
]


@pytest.mark.parametrize("make,shape", LAYERS)
def test_fold_layers_match_torch(make, shape):
    stateless_layer_parity(make, shape)
