"""utils.checkpoint: the same values and gradients as the plain call (and as torch)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

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


def _mlp(lib, seed=0):
    lib.manual_seed(seed)
    layers = []
    for _ in range(4):
        layers += [lib.nn.Linear(8, 8), lib.nn.ReLU(), lib.nn.Dropout(0.3)]
    return lib.nn.Sequential(*layers)


def _step(model, x, segments, use_reentrant=False):
    model.zero_grad()
    ember.manual_seed(7)
    if segments:
        out = ember.utils.checkpoint.checkpoint_sequential(model, segments, x,
                                                           use_reentrant=use_reentrant)
    else:
        out = model(x)
    out.square().mean().backward()
    return out.detach().numpy(), [p.grad.numpy().copy() for p in model.parameters()]


def test_gradients_equal_plain_call_exactly_with_dropout():
    """Dropout masks drawn in the recomputation equal the forward's: gradients bit-equal."""
    model = _mlp(ember)
    x = ember.randn(5, 8)  # requires no grad: the first segment's weights still get grads
    out_plain, g_plain = _step(model, x, 0)
    for segments in (2, 3, 4):
        out_ck, g_ck = _step(model, x, segments)
        np.testing.assert_array_equal(out_ck, out_plain)
        for a, b in zip(g_ck, g_plain, strict=True):
            np.testing.assert_array_equal(a, b)


def test_rng_after_checkpointed_step_is_as_without():
    model = _mlp(ember)
    x = ember.randn(5, 8)
    _step(model, x, 3)
    after_ck = ember.rand(3).tolist()
    _step(model, x, 0)
    assert ember.rand(3).tolist() == after_ck


def test_forward_keeps_one_node_and_backward_twice_raises():
    x = ember.randn(3, requires_grad=True)
    y = ember.utils.checkpoint.checkpoint(lambda a: (a.exp() * 2).sin(), x, use_reentrant=True)
    assert y.grad_fn.name() == "CheckpointFunctionBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (np.cos(2 * np.exp(x.detach().numpy()))
                                                * 2 * np.exp(x.detach().numpy())), rtol=1e-5)
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()


def test_reentrant_without_grad_inputs_warns_as_torch():
    lin = ember.nn.Linear(2, 2)
    for lib, fn in ((ember, lin), (torch, torch.nn.Linear(2, 2))):
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad"):
            out = lib.utils.checkpoint.checkpoint(fn, lib.ones(1, 2), use_reentrant=True)
        assert out.grad_fn is None
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
        ember.utils.checkpoint.checkpoint(lin, ember.ones(1, 2, requires_grad=True))


def test_multiple_outputs_and_kwargs_match_torch():
    def run(lib):
        a = lib.tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)
        b = lib.tensor(np.linspace(0, 2, 6, dtype=np.float32), requires_grad=True)
        u, v = lib.utils.checkpoint.checkpoint(lambda p, q, k: (p * q * k, (p + q).tanh()),
                                               a, b, k=3.0, use_reentrant=False)
        (u.sum() + (v * v).sum()).backward()
        return a.grad, b.grad

    for g, w in zip(run(ember), run(torch), strict=True):
        assert_close(g, w)


def test_checkpointed_forward_keeps_fewer_activations():
    model = ember.nn.Sequential(*[ember.nn.Linear(128, 128) for _ in range(16)])
    x = ember.randn(64, 128)
    kept = {}
    for segments in (0, 4):
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        if segments:
            out = ember.utils.checkpoint.checkpoint_sequential(model, segments, x,
                                                               use_reentrant=False)
        else:
            out = model(x)
        kept[segments] = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        del out
    assert kept[4] < 0.5 * kept[0], kept
