"""Transformer layers and stacks: parity with PyTorch (eval mode, same weights), masks, keys,
repr."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
from helpers import assert_close, torch

from ._parity import copy_torch_weights, module_parity

RNG = np.random.default_rng(0)


def _arr(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("kwargs", [{}, {"norm_first": True, "activation": "gelu"},
                                    {"batch_first": True}])
def test_encoder_layer_matches_pytorch(kwargs):
    def make(nn):
        return nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, **kwargs)

    module_parity(make, [(5, 3, 8)], train=False, atol=1e-5)
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())
    assert repr(make(enn)) == repr(make(torch.nn))


def test_encoder_stack_with_mask_matches_pytorch():
    def make(nn):
        return nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2,
                                     norm=nn.LayerNorm(8), enable_nested_tensor=False)

    t, e = make(torch.nn).eval(), make(enn).eval()
    copy_torch_weights(t, e)
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == repr(t)
    x = _arr(5, 2, 8)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    emask = enn.Transformer.generate_square_subsequent_mask(5)
    assert_close(emask, mask)
    assert_close(e(ember.tensor(x), mask=emask), t(torch.tensor(x), mask=mask), atol=1e-5)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_full_transformer_matches_pytorch():
    def make(nn):
        return nn.Transformer(8, 2, 1, 1, 16)

    t, e = make(torch.nn).eval(), make(enn).eval()
    assert list(e.state_dict()) == list(t.state_dict())
    copy_torch_weights(t, e)
    src, tgt = _arr(5, 2, 8), _arr(4, 2, 8)
    tm = torch.nn.Transformer.generate_square_subsequent_mask(4)
    out_t = t(torch.tensor(src), torch.tensor(tgt), tgt_mask=tm)
    out_e = e(ember.tensor(src), ember.tensor(tgt),
              tgt_mask=enn.Transformer.generate_square_subsequent_mask(4))
    assert_close(out_e, out_t, atol=1e-5)


def test_encoder_layer_trains_gradients_match_pytorch_without_dropout():
    module_parity(lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), [(4, 2, 8)],
                  train=True, atol=1e-5)

