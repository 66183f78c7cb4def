"""Selection ops (ember/ops/selection.py): PyTorch's gradient routing at bounds and ties."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import check_op, gradcheck64

X = np.array([0.0, 1.0, 0.5, 2.0, -1.0, 0.7, 0.3, 0.5, -1.0, 2.0])
LO = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 0.8, 0.5, 0.0, 0.0])
HI = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.2, 0.5, 0.0, 0.0])


@pytest.mark.parametrize("bounds", ["both", "min", "max"])
def test_clamp_with_tensor_bounds_routes_gradients_as_pytorch(bounds):
    # the input gets the gradient at a bound (inclusive); min > max gives max, and its gradient
    def clamp(lib, x, lo, hi):
        return lib.clamp(x, lo if bounds != "max" else None, hi if bounds != "min" else None)

    check_op(None, clamp, arrays=[X, LO, HI])


def test_clamp_with_scalar_bounds_passes_the_gradient_at_the_bounds():
    check_op(None, lambda lib, x: lib.clamp(x, 0.0, 1.0), arrays=[X])


def test_clamp_with_broadcast_tensor_bounds_matches_pytorch():
    rng = np.random.default_rng(0)
    check_op(None, lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
             arrays=[rng.standard_normal((3, 4)), rng.standard_normal(4) - 1,
                     rng.standard_normal((3, 1)) + 1])
    gradcheck64(lambda x, lo: x.clamp(lo), [(3, 4), (4,)], second_order=False)


@pytest.mark.parametrize("fn", ["relu", "abs"])
def test_kink_at_zero_has_gradient_zero_as_pytorch(fn):
    check_op(None, lambda lib, x: getattr(lib, fn)(x), arrays=[np.array([0.0, -0.0, 1.0])])


@pytest.mark.parametrize("fn", ["max", "min", "amax", "amin"])
def test_ties_share_the_gradient_as_pytorch(fn):
    check_op(None, lambda lib, x: getattr(lib, fn)(x), arrays=[np.array([1.0, 1.0, 0.0, 1.0])])
    check_op(None, lambda lib, x: getattr(lib, fn)(x, 0)[0] if fn in ("max", "min")
             else getattr(lib, fn)(x, 0), arrays=[np.array([[1.0, 2.0], [1.0, 2.0]])])
