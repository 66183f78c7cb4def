"""Upsample layers and ``F.interpolate``: repr, state, parity with PyTorch."""

from __future__ import annotations

import pytest

import ember
from helpers import check_op, torch

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


@pytest.mark.parametrize("kwargs", [
    dict(scale_factor=2, mode="nearest"),
    dict(scale_factor=(1.4, 1.5, 0.7), mode="nearest"),
    dict(scale_factor=(1.2, 1.5, 0.7), mode="nearest-exact"),
    dict(size=(5, 3, 7), mode="trilinear"),
    dict(scale_factor=(1.2, 2, 0.6), mode="trilinear", align_corners=True),
    dict(scale_factor=1.5, mode="trilinear"),
])
def test_interpolate_5d_matches_torch(kwargs):
    check_op([(1, 2, 3, 4, 5)], lambda lib, x: lib.nn.functional.interpolate(x, **kwargs))


def test_upsample_module_trilinear_and_mode_rank_errors_match_torch():
    check_op([(1, 1, 2, 3, 2)],
             lambda lib, x: lib.nn.Upsample(scale_factor=2, mode="trilinear")(x))
    for lib in (torch, ember):
        with pytest.raises(NotImplementedError, match="trilinear mode needs 5D"):
            lib.nn.functional.interpolate(lib.zeros(1, 1, 4, 4), scale_factor=2,
                                          mode="trilinear")
