"""``ember.softmax``/``log_softmax`` and their Tensor methods agree with PyTorch's."""

from __future__ import annotations

import pytest

from helpers import check_op


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_function_and_method(dim):
    check_op([(3, 5)], lambda lib, x: lib.softmax(x, dim) * x.softmax(dim))


@pytest.mark.parametrize("dim", [0, -1])
def test_log_softmax_function_and_method(dim):
    check_op([(4, 3)], lambda lib, x: lib.log_softmax(x, dim) + x.log_softmax(dim))
