"""Fused ops (ember/ops/fused.py): BatchNorm's evaluation path is one node, as PyTorch's."""

from __future__ import annotations

import numpy as np
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
