"""conv3d / conv_transpose3d and their modules against PyTorch: values, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import check_op, gradcheck64, torch

from ._conv_ns import nn
from .test_conv import _parity

CONV3D_LAYERS = [
    lambda m: m.Conv3d(2, 3, 3),
    lambda m: m.Conv3d(4, 6, (3, 2, 2), stride=(2, 1, 2), padding=(1, 0, 1), dilation=(2, 1, 1),
                       groups=2),
    lambda m: m.Conv3d(2, 3, 2, padding="same", bias=False),
    lambda m: m.Conv3d(2, 3, 3, padding=1, padding_mode="reflect"),
    lambda m: m.ConvTranspose3d(2, 3, 3),
    lambda m: m.ConvTranspose3d(4, 6, (3, 2, 2), stride=(2, 2, 1), padding=(1, 0, 1),
                                output_padding=(1, 1, 0), groups=2),
    lambda m: m.ConvTranspose3d(2, 3, 2, stride=3, dilation=(2, 1, 1), bias=False),
]


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@pytest.mark.parametrize("make", CONV3D_LAYERS)
def test_conv3d_layers_match_torch(make):
    c = make(nn(torch)).in_channels
    _parity(make, shape=(2, c, 5, 6, 5))


def test_conv3d_unbatched_and_functional_match_torch():
    check_op([(2, 4, 5, 4), (3, 2, 2, 3, 2), (3,)],
             lambda lib, x, w, b: lib.nn.functional.conv3d(x, w, b, stride=(1, 2, 1)), atol=1e-4)
    check_op([(1, 3, 3, 4, 3), (3, 2, 2, 2, 2)],
             lambda lib, x, w: lib.conv_transpose3d(x, w, stride=2, padding=1), atol=1e-4)


def test_conv3d_gradcheck_second_order():
    gradcheck64(lambda x, w: ember.nn.functional.conv3d(x, w, stride=(2, 1, 1), padding=1),
                [(1, 1, 3, 3, 3), (2, 1, 2, 2, 2)])
    gradcheck64(lambda x, w: ember.nn.functional.conv_transpose3d(x, w, stride=2),
                [(1, 1, 2, 2, 2), (1, 1, 2, 2, 2)], second_order=False)


@pytest.mark.parametrize("shapes", [
    ((2, 3, 4, 4), (4, 3, 2, 2, 2)),            # 4-D weight rank mismatch handled below
    ((2, 3, 4, 4, 4), (4, 2, 2, 2, 2)),         # channel mismatch
    ((2, 3, 1, 4, 4), (4, 3, 2, 2, 2)),         # kernel larger than input depth
])
def test_conv3d_errors_match_torch(shapes):
    xs, ws = shapes
    x = np.zeros(xs, np.float32)
    w = np.zeros(ws, np.float32)
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(w))
    with pytest.raises(RuntimeError):
        ember.nn.functional.conv3d(ember.tensor(x), ember.tensor(w))
