"""utils.checkpoint: the same values and gradients as the plain call (and as torch)."""

from __future__ import annotations

import numpy as np

import ember
from helpers import assert_close, torch


def _grads(lib, use_checkpoint):
    lib.manual_seed(0)
    block = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    with lib.no_grad():
        for p in block.parameters():
            p.copy_(lib.tensor(np.linspace(-1, 1, p.numel(), dtype=np.float32).reshape(p.shape)))
    x = lib.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    ckpt = lib.utils.checkpoint
    if use_checkpoint == "fn":
        out = ckpt.checkpoint(block, x, use_reentrant=False)
    elif use_checkpoint == "seq":
        out = ckpt.checkpoint_sequential(block, 2, x, use_reentrant=False)
    else:
        out = block(x)
    out.pow(2).sum().backward()
    return out, x.grad, block[0].weight.grad


def test_checkpoint_matches_plain_call_and_torch():
    for mode in ("fn", "seq"):
        got, plain = _grads(ember, mode), _grads(ember, None)
        want = _grads(torch, mode)
        for g, p, w in zip(got, plain, want, strict=True):
            assert_close(g, p)
            assert_close(g, w)
