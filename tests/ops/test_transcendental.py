"""Transcendental ops (ember/ops/transcendental.py): values and gradients at edges vs PyTorch."""

from __future__ import annotations

import numpy as np

from helpers import check_op, gradcheck64


def test_atan2_gradient_at_the_origin_is_zero_as_pytorch():
    y = np.array([0.0, 0.0, 1e-30, -0.0, 1.0])
    x = np.array([0.0, 1.0, 0.0, 0.0, -2.0])
    out, _ = check_op(None, lambda lib, a, b: lib.atan2(a, b), arrays=[y, x])
    gradcheck64(lambda a, b: a.atan2(b), [(4,), (4,)], low=0.5)
