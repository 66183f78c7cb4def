"""bfloat16: storage, conversion, printing, promotion and float32-computed arithmetic as torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import torch

_VALUES = [1.0, 2.7, 3.14159, -0.001, 1e30, -65504.5, 0.1]


def _pair():
    return ember.tensor(_VALUES).bfloat16(), torch.tensor(_VALUES).bfloat16()


def _same(e, t):
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())


def test_conversion_rounds_as_torch():
    e, t = _pair()
    assert e.dtype == ember.bfloat16 and e.element_size() == 2 and e.is_floating_point()
    _same(e, t)
    _same(ember.tensor(_VALUES).to(ember.bfloat16), t)
    _same(e.double(), t.double())
    _same(ember.zeros(2, dtype=ember.bfloat16), torch.zeros(2, dtype=torch.bfloat16))


def test_printing_as_torch():
    e, t = _pair()
    assert repr(e).replace("ember", "torch") == repr(t)
    assert repr(e[:3]).replace("ember", "torch") == repr(t[:3])
    assert str(ember.finfo(ember.bfloat16)) == str(torch.finfo(torch.bfloat16))


@pytest.mark.parametrize("other", ["float16", "float32", "float64", "int64", "bool", "scalar"])
def test_promotion_as_torch(other):
    e, t = _pair()
    if other == "scalar":
        _same(e * 2.5, t * 2.5)
        return
    oe = ember.tensor([1, 0, 2, 1, 1, 0, 3]).to(getattr(ember, other))
    ot = torch.tensor([1, 0, 2, 1, 1, 0, 3]).to(getattr(torch, other))
    _same(e + oe, t + ot)
    _same(oe * e, ot * t)
    _same(e + oe[0], t + ot[0])  # a 0-d operand does not decide the dtype


@pytest.mark.parametrize("fn", [
    lambda x: x * x + 1, lambda x: x / 3, lambda x: x.exp(), lambda x: x.tanh(),
    lambda x: x.abs().sqrt(), lambda x: x.sum(), lambda x: x.mean(), lambda x: (x - x.max()).relu(),
])
def test_arithmetic_is_float32_rounded_back(fn):
    rng = np.random.default_rng(0)
    v = rng.standard_normal(1000).astype(np.float32)
    _same(fn(ember.tensor(v).bfloat16()), fn(torch.tensor(v).bfloat16()))


def test_matmul_and_linear_accumulate_in_float32():
    rng = np.random.default_rng(1)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((16, 64), (8, 64), (8,)))
    for lib, out in ((ember, {}), (torch, {})):
        xb, wb, bb = (lib.tensor(a).bfloat16() for a in (x, w, b))
        out["mm"] = xb @ wb.T
        out["lin"] = lib.nn.functional.linear(xb, wb, bb)
        if lib is ember:
            e = out
        else:
            t = out
    for k in e:
        _same(e[k], t[k])


def test_gradients_flow_through_bfloat16():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x.bfloat16() * x.bfloat16()).sum().backward()
        assert x.grad.dtype == lib.float32 and x.grad.tolist() == [2.0, 4.0, 6.0]
