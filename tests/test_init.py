"""ember/__init__.py: functions PyTorch exposes at the top level as well as in
``nn.functional`` or as Tensor methods (``torch.conv2d``, ``torch.softmax`` ...)."""

from __future__ import annotations

import pytest

from helpers import check_op


def test_conv2d_and_max_pool2d_at_top_level():
    check_op([(2, 3, 8, 8), (4, 3, 3, 3)],
             lambda lib, x, w: lib.max_pool2d(lib.conv2d(x, w, padding=1), 2))


def test_conv1d_avg_pool1d_at_top_level():
    check_op([(2, 3, 9), (4, 3, 3)], lambda lib, x, w: lib.avg_pool1d(lib.conv1d(x, w), 2))


@pytest.mark.parametrize("name", ["layer_norm", "group_norm"])
def test_norms_at_top_level(name):
    if name == "layer_norm":
        check_op([(4, 6)], lambda lib, x: lib.layer_norm(x, (6,)))
    else:
        check_op([(4, 6, 3)], lambda lib, x: lib.group_norm(x, 2))


def test_pixel_shuffle_at_top_level():
    check_op([(1, 8, 3, 3)], lambda lib, x: lib.pixel_unshuffle(lib.pixel_shuffle(x, 2), 2))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_function_and_method(dim):
    check_op([(3, 5)], lambda lib, x: lib.softmax(x, dim) * x.softmax(dim))


@pytest.mark.parametrize("dim", [0, -1])
def test_log_softmax_function_and_method(dim):
    check_op([(4, 3)], lambda lib, x: lib.log_softmax(x, dim) + x.log_softmax(dim))
