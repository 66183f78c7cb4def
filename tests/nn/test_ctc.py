"""ctc_loss / CTCLoss against PyTorch: values, gradients (PyTorch's), reductions, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import assert_close, torch

T, N, C, S = 12, 3, 5, 4
IN_LEN, TGT_LEN = [12, 10, 7], [4, 2, 3]


def _targets():
    tg = np.random.default_rng(0).integers(1, C, size=(N, S))
    tg[1, 1] = tg[1, 0]  # a repeated label needs a blank between
    return tg


def _run(lib, logits, targets, through_softmax=True, **kwargs):
    x = lib.tensor(logits, requires_grad=True)
    lp = lib.nn.functional.log_softmax(x, -1) if through_softmax else x
    loss = lib.nn.functional.ctc_loss(lp, lib.tensor(targets), lib.tensor(IN_LEN[:lp.shape[1]]
                                      if lp.ndim == 3 else IN_LEN[:1]),
                                      lib.tensor(TGT_LEN[:lp.shape[1]] if lp.ndim == 3
                                                 else TGT_LEN[:1]), **kwargs)
    weights = np.arange(1.0, loss.numel() + 1).reshape(tuple(loss.shape))
    (loss * lib.tensor(weights)).sum().backward()
    return loss, x.grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("layout", ["padded", "concatenated"])
def test_ctc_loss_and_gradient_match_torch(reduction, layout):
    logits = np.random.default_rng(1).standard_normal((T, N, C))
    tg = _targets()
    if layout == "concatenated":
        tg = np.concatenate([tg[i, :TGT_LEN[i]] for i in range(N)])
    le, ge = _run(ember, logits, tg, reduction=reduction)
    lt, gt = _run(torch, logits, tg, reduction=reduction)
    assert_close(le, lt, atol=1e-10)
    assert_close(ge, gt, atol=1e-10)


def test_ctc_gradient_with_respect_to_log_probs_is_pytorchs():
    lp = np.log(np.random.default_rng(2).dirichlet(np.ones(C), size=(T, N)))
    le, ge = _run(ember, lp, _targets(), through_softmax=False)
    lt, gt = _run(torch, lp, _targets(), through_softmax=False)
    assert_close(le, lt, atol=1e-10)
    assert_close(ge, gt, atol=1e-10)


def test_ctc_unbatched_and_module_match_torch():
    logits = np.random.default_rng(3).standard_normal((T, C)).astype(np.float32)
    tg = _targets()[0, :TGT_LEN[0]]
    le, ge = _run(ember, logits, tg)
    lt, gt = _run(torch, logits, tg)
    assert_close(le, lt, atol=1e-5)
    assert_close(ge, gt, atol=1e-5)
    lp = np.log(np.random.default_rng(4).dirichlet(np.ones(C), size=(T, N))).astype(np.float32)
    args = (_targets(), IN_LEN, TGT_LEN)
    out_e = ember.nn.CTCLoss(blank=0, zero_infinity=True)(ember.tensor(lp),
                                                           *map(ember.tensor, args))
    out_t = torch.nn.CTCLoss(blank=0, zero_infinity=True)(torch.tensor(lp),
                                                           *map(torch.tensor, args))
    assert_close(out_e, out_t, atol=1e-5)


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_impossible_alignment_as_torch(zero_infinity):
    lp = np.log(np.full((2, 1, C), 1.0 / C))
    got = []
    for lib in (torch, ember):
        x = lib.tensor(lp, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(x, lib.tensor([[1, 1, 2]]), [2], [3], reduction="sum",
                                          zero_infinity=zero_infinity)
        got.append(loss.item())
        if zero_infinity:
            loss.backward()
            assert np.all(x.grad.numpy() == 0)
    assert got[0] == got[1]


def test_ctc_errors_match_torch():
    lp = ember.zeros(5, 1, 3)
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        ember.nn.functional.ctc_loss(lp, ember.tensor([[1]]), [5], [1], blank=3)
    with pytest.raises(RuntimeError, match="input_lengths to have value at most 5"):
        ember.nn.functional.ctc_loss(lp, ember.tensor([[1]]), [6], [1])
