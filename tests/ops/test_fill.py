"""In-place fills select, never multiply: the old NaN/Inf values do not survive (as PyTorch)."""

from __future__ import annotations

import numpy as np
import torch

import ember


def _nan_inf(lib):
    return lib.tensor([[float("nan"), float("inf")], [-float("inf"), 1.0]])


def test_zero_fill_and_copy_overwrite_nan_and_inf():
    for fill in (lambda t: t.zero_(), lambda t: t.fill_(2.5), lambda t: ember.fill_(t, 2.5)
                 if isinstance(t, ember.Tensor) else torch.fill_(t, 2.5),
                 lambda t: t.copy_(t.new_ones(2) if isinstance(t, ember.Tensor) else
                                   torch.ones(2))):
        e, t = fill(_nan_inf(ember)), fill(_nan_inf(torch))
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_fill_with_a_tensor_value_passes_its_gradient_as_torch():
    grads = []
    for lib in (ember, torch):
        v = lib.tensor(3.0, requires_grad=True)
        x = lib.zeros(2, 3, requires_grad=True)
        y = (x * 2).fill_(v)
        (y * lib.arange(6.0).reshape(2, 3)).sum().backward()
        grads.append((v.grad.item(), x.grad.numpy().copy()))
    assert grads[0][0] == grads[1][0]
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


def test_fill_diagonal_overwrites_nan():
    e, t = _nan_inf(ember).fill_diagonal_(0.0), _nan_inf(torch).fill_diagonal_(0.0)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_fill_and_zero_write_through_an_expanded_view():
    # issue 10: ember refused fill_ on an expanded view; PyTorch writes the shared memory
    from helpers import check_parity

    def fn(lib, op):
        a = lib.ones(1, 3)
        v = a.expand(2, 3)
        getattr(v, op)(*((2.0,) if op == "fill_" else ()))
        return a, v

    for op in ("fill_", "zero_"):
        check_parity(lambda lib, op=op: fn(lib, op))
    check_parity(lambda lib: lib.ones(1, 3).expand(2, 3).add_(1))  # RuntimeError in both
