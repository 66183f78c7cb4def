"""PixelShuffle and PixelUnshuffle: repr, state, parity with PyTorch."""

from __future__ import annotations

import pytest

from ._parity import stateless_layer_parity

LAYERS = [
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 3)),
    (lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6)),
]


@pytest.mark.parametrize("make,shape", LAYERS)
def test_pixel_shuffle_layers_match_torch(make, shape):
    stateless_layer_parity(make, shape)
