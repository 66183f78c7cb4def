"""autocast("cpu"): PyTorch's CPU autocast dtypes and values on the same inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from helpers import torch

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((2, 3, 8)).astype(np.float32)
_W = _RNG.standard_normal((5, 8)).astype(np.float32)
_B = _RNG.standard_normal(5).astype(np.float32)
_IMG = _RNG.standard_normal((2, 3, 6, 6)).astype(np.float32)
_K = _RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)

_CASES = {
    "linear": lambda L, x, w, b: L.nn.functional.linear(x, w, b),
    "matmul": lambda L, x, w, b: x @ w.T,
    "bmm": lambda L, x, w, b: L.bmm(x, x.transpose(1, 2)),
    "mm": lambda L, x, w, b: L.mm(x[0], w.T),
    "addmm": lambda L, x, w, b: L.addmm(b, x[0], w.T),
    "baddbmm": lambda L, x, w, b: L.baddbmm(x[:, :, :3], x, x.transpose(1, 2)[:, :, :3]),
    "conv2d": lambda L, x, w, b: L.nn.functional.conv2d(L.tensor(_IMG), L.tensor(_K)),
    "mse_loss": lambda L, x, w, b: L.nn.functional.mse_loss(x.bfloat16(), L.zeros(2, 3, 8)),
    "cross_entropy": lambda L, x, w, b: L.nn.functional.cross_entropy(
        x[0].bfloat16(), L.tensor([0, 2, 7])),
    "unlisted_exp": lambda L, x, w, b: (x @ w.T).exp(),
    "unlisted_add": lambda L, x, w, b: x + x.bfloat16(),
    "float64_untouched": lambda L, x, w, b: x.double() @ w.double().T,
}


def _run(lib, name, dtype_name="bfloat16"):
    x, w, b = (lib.tensor(a) for a in (_X, _W, _B))
    with lib.autocast(device_type="cpu", dtype=getattr(lib, dtype_name)):
        out = _CASES[name](lib, x, w, b)
    return out


@pytest.mark.parametrize("name", sorted(_CASES))
def test_dtypes_and_values_match_torch_cpu_autocast(name):
    e, t = _run(ember, name), _run(torch, name)
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    np.testing.assert_allclose(e.detach().double().numpy(), t.detach().double().numpy(),
                               rtol=1e-6 if e.dtype == ember.float64 else 0, atol=1e-5)


@pytest.mark.parametrize("name", ["linear", "matmul", "mse_loss"])
def test_float16_autocast_dtypes_match_torch(name):
    assert str(_run(ember, name, "float16").dtype).split(".")[1] == \
        str(_run(torch, name, "float16").dtype).split(".")[1]


def test_outside_nested_disabled_and_decorator():
    x, w = ember.tensor(_X), ember.tensor(_W)
    assert (x @ w.T).dtype == ember.float32 and not ember.is_autocast_enabled("cpu")
    with ember.autocast("cpu"):
        assert ember.is_autocast_enabled("cpu") and not ember.is_autocast_enabled()
        with ember.autocast("cpu", enabled=False):
            assert (x @ w.T).dtype == ember.float32
        assert (x @ w.T).dtype == ember.bfloat16
    assert (x @ w.T).dtype == ember.float32

    @ember.autocast("cpu")
    def f(a):
        return a @ w.T

    assert f(x).dtype == ember.bfloat16 and (x @ w.T).dtype == ember.float32
    with ember.cpu.amp.autocast():
        assert (x @ w.T).dtype == ember.bfloat16


def test_gradients_flow_back_in_float32_as_torch():
    grads = []
    for lib in (ember, torch):
        w = lib.tensor(_W, requires_grad=True)
        with lib.autocast("cpu"):
            loss = lib.nn.functional.mse_loss(lib.tensor(_X) @ w.T, lib.zeros(2, 3, 5))
        loss.backward()
        assert w.grad.dtype == lib.float32
        grads.append(w.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-2, atol=1e-3)


def test_cuda_autocast_warns_and_disables():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        ctx = ember.autocast("cuda")
    with ctx:
        assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype == ember.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.autocast("cuda", enabled=False)
