"""PixelShuffle and PixelUnshuffle: repr, state, parity with PyTorch."""

from __future__ import annotations

import pytest

import ember
from helpers import check_op, torch

from ._parity import stateless_layer_parity

LAYERS = [
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 3)),
    (lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6)),
]


@pytest.mark.parametrize("make,shape", LAYERS)
def test_pixel_shuffle_layers_match_torch(make, shape):
    stateless_layer_parity(make, shape)


def test_channel_shuffle_matches_torch():
    check_op([(2, 6, 3, 2)], lambda lib, x: lib.nn.functional.channel_shuffle(x, 3))
    check_op([(2, 4, 5)], lambda lib, x: lib.nn.ChannelShuffle(2)(x))
    assert repr(ember.nn.ChannelShuffle(2)) == repr(torch.nn.ChannelShuffle(2))
    with pytest.raises(RuntimeError, match="Number of channels must be divisible by groups"):
        ember.nn.functional.channel_shuffle(ember.zeros(1, 5, 2, 2), 2)
