"""Fused ops (ember/ops/fused.py): BatchNorm's evaluation path is one node, as PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F


def test_batchnorm_eval_is_one_node_matching_torch_values_and_gradients():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in [(4, 3, 2, 2), (3,), (3,), (3,)]]
    var = np.abs(rng.standard_normal(3)) + 0.5
    results = []
    for lib, fn in ((ember, F.batch_norm), (torch, torch.nn.functional.batch_norm)):
        x, w, b, mean = (lib.tensor(a, requires_grad=i < 3) for i, a in enumerate(arrays))
        y = fn(x, mean, lib.tensor(var), w, b, training=False)
        (y * lib.arange(48.0, dtype=lib.float64).reshape(4, 3, 2, 2)).sum().backward()
        results.append((y.grad_fn.name(), y.detach().numpy(), x.grad.numpy(),
                        w.grad.numpy(), b.grad.numpy()))
    (e_name, *e_vals), (t_name, *t_vals) = results
    assert e_name == t_name == "NativeBatchNormBackward0"
    for e, t in zip(e_vals, t_vals):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_log_softmax_and_cross_entropy_of_large_logits_are_precise_as_pytorch():
    x = np.array([[-1e4, -1e4 + 1, -1e4 + 2], [1e4, 1e4 - 0.5, 1e4 + 3]], dtype=np.float32)
    e_x, t_x = ember.tensor(x), torch.tensor(x)
    np.testing.assert_allclose(ember.log_softmax(e_x, 1).numpy(),
                               torch.log_softmax(t_x, 1).numpy(), rtol=0, atol=1e-6)
    for kw in ({}, {"label_smoothing": 0.1}):
        e = F.cross_entropy(e_x, ember.tensor([0, 2]), **kw).item()
        t = torch.nn.functional.cross_entropy(t_x, torch.tensor([0, 2]), **kw).item()
        assert abs(e - t) < 1e-6


def test_softmax_family_accumulates_float16_in_float32_as_pytorch():
    rng = np.random.default_rng(0)
    x = (rng.uniform(-300, 300, (4, 64)) / 30).astype(np.float16)
    for name in ("softmax", "log_softmax"):
        e = getattr(ember, name)(ember.tensor(x), 1)
        t = getattr(torch, name)(torch.tensor(x), 1)
        assert e.dtype == ember.float16
        np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), rtol=1e-3, atol=1e-2)
    e = F.cross_entropy(ember.tensor(x), ember.tensor([1, 2, 3, 4]))
    t = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor([1, 2, 3, 4]))
    assert e.dtype == ember.float16
    np.testing.assert_allclose(e.float().item(), t.float().item(), rtol=1e-3)


NORMS = {
    "layer_norm": lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (8,), w, b),
    "batch_norm": lambda lib, x, w, b: lib.nn.functional.batch_norm(
        x, None, None, w[:6], b[:6], training=True),
    "group_norm": lambda lib, x, w, b: lib.nn.functional.group_norm(x, 3, w[:6], b[:6]),
    "instance_norm": lambda lib, x, w, b: lib.nn.functional.instance_norm(
        x, weight=w[:6], bias=b[:6]),
}


@pytest.mark.parametrize("name", list(NORMS))
def test_float16_normalisation_accumulates_in_float32_as_pytorch(name):
    # values near 300: float16 squares overflow (var ~ 3e4 * count), float32 sums do not
    rng = np.random.default_rng(0)
    x16 = rng.uniform(-300, 300, (4, 6, 8)).astype(np.float16)
    seed = np.arange(4 * 6 * 8, dtype=np.float32).reshape(4, 6, 8) % 7
    results = []
    for lib in (ember, torch):
        x = lib.tensor(x16, requires_grad=True)
        w = lib.tensor(np.linspace(0.5, 2, 8).astype(np.float16), requires_grad=True)
        b = lib.tensor(np.linspace(-1, 1, 8).astype(np.float16), requires_grad=True)
        y = NORMS[name](lib, x, w, b)
        (y.float() * lib.tensor(seed)).sum().backward()
        assert y.dtype == lib.float16 and x.grad.dtype == lib.float16
        results.append([t.detach().float().numpy() for t in (y, x.grad, w.grad, b.grad)])
    for got, want in zip(*results):
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, rtol=2e-3, atol=2e-3 * np.abs(want).max())
