"""fuse_conv_bn_eval / fuse_linear_bn_eval: same output as the two layers, as PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch

from .._parity import copy_torch_weights


def _trained_bn(lib, bn, shape):
    bn.train()
    for seed in range(3):
        bn(lib.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32)))
    return bn.eval()


@pytest.mark.parametrize("make, shape, transpose", [
    (lambda nn: (nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)), (2, 3, 6, 6), False),
    (lambda nn: (nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4, affine=False)),
     (2, 3, 6, 6), False),
    (lambda nn: (nn.ConvTranspose2d(3, 4, 3), nn.BatchNorm2d(4)), (2, 3, 5, 5), True),
    (lambda nn: (nn.Conv1d(3, 4, 3), nn.BatchNorm1d(4)), (2, 3, 8), False),
])
def test_fuse_conv_bn_eval_matches_torch(make, shape, transpose):
    x = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    outs = []
    layers = {torch: make(torch.nn), ember: make(ember.nn)}
    copy_torch_weights(layers[torch][0], layers[ember][0])
    for lib in (torch, ember):
        conv, bn = layers[lib]
        with lib.no_grad():
            y = conv(lib.tensor(x))
        bn = _trained_bn(lib, bn, tuple(y.shape))
        conv.eval()
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        assert fused is not conv
        with lib.no_grad():
            outs.append((fused(lib.tensor(x)), bn(conv(lib.tensor(x)))))
        assert fused.weight.requires_grad and isinstance(fused.bias, lib.nn.Parameter)
    (t_fused, t_ref), (e_fused, e_ref) = outs
    assert_close(e_fused, t_fused, atol=1e-5)
    assert_close(e_fused, e_ref, atol=1e-5)


def test_fuse_linear_bn_eval_matches_torch():
    x = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    tl, tb = torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)
    el, eb = ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4)
    copy_torch_weights(tl, el)
    for lib, lin, bn in ((torch, tl, tb), (ember, el, eb)):
        with lib.no_grad():
            _trained_bn(lib, bn, (6, 4))
        lin.eval()
    ft = torch.nn.utils.fuse_linear_bn_eval(tl, tb)
    fe = ember.nn.utils.fuse_linear_bn_eval(el, eb)
    assert_close(fe(ember.tensor(x)), ft(torch.tensor(x)), atol=1e-5)


def test_fusion_requires_eval_mode_and_matching_sizes():
    for lib in (torch, ember):
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv2d(1, 2, 1), lib.nn.BatchNorm2d(2))
        lin, bn = lib.nn.Linear(2, 3).eval(), lib.nn.BatchNorm1d(2).eval()
        with pytest.raises(AssertionError, match="num_features"):
            lib.nn.utils.fuse_linear_bn_eval(lin, bn)
