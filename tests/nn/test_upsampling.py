"""Upsample layers and ``F.interpolate``: repr, state, parity with PyTorch."""

from __future__ import annotations

import pytest

from ._parity import stateless_layer_parity

LAYERS = [
    (lambda m: m.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda m: m.Upsample(size=(6, 7), mode="bilinear"), (2, 3, 4, 5)),
    (lambda m: m.Upsample(scale_factor=(2, 1.5), mode="bilinear", align_corners=True),
     (2, 3, 4, 5)),
]


@pytest.mark.parametrize("make,shape", LAYERS)
def test_upsample_layers_match_torch(make, shape):
    stateless_layer_parity(make, shape)
