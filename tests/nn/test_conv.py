"""Conv layers: shapes, init, state_dict keys, repr, parity (padding modes), errors, and a
small CNN whose SGD trajectory matches PyTorch's step for step."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from helpers import assert_close, make_inputs, torch

from ._conv_ns import nn
from ._parity import copy_torch_weights

# PyTorch warns that it copies the input for an even kernel with padding="same"
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

CONV_LAYERS = [
    lambda m: m.Conv2d(3, 4, 3),
    lambda m: m.Conv2d(3, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=3),
    lambda m: m.Conv2d(4, 4, 3, padding=1, groups=4, bias=False),
    lambda m: m.Conv2d(3, 4, 4, padding="same"),
    lambda m: m.Conv2d(3, 4, 3, padding="valid"),
    lambda m: m.Conv2d(3, 4, 3, padding=2, padding_mode="reflect"),
    lambda m: m.Conv2d(3, 4, (3, 2), padding=(1, 2), padding_mode="replicate"),
    lambda m: m.Conv2d(3, 4, 3, padding=1, padding_mode="circular"),
    lambda m: m.Conv2d(3, 4, 4, padding="same", padding_mode="reflect"),
    lambda m: m.Conv1d(3, 4, 3),
    lambda m: m.Conv1d(4, 6, 5, stride=2, padding=2, dilation=1, groups=2),
    lambda m: m.Conv1d(3, 4, 3, padding=1, padding_mode="circular"),
    lambda m: m.ConvTranspose2d(4, 3, 3),
    lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
    lambda m: m.ConvTranspose2d(4, 3, (3, 2), stride=(2, 1), dilation=(1, 2), bias=False),
    lambda m: m.ConvTranspose1d(4, 3, 3, stride=2, padding=1, output_padding=1),
]


def _input_shape(layer) -> tuple:
    c = layer.in_channels
    return (2, c, 9) if isinstance(layer, (torch.nn.Conv1d, torch.nn.ConvTranspose1d)) \
        else (2, c, 7, 8)


def _parity(make, shape=None, arrays=None, call=None, atol=1e-4):
    tm, em = make(nn(torch)), make(nn(ember))
    copy_torch_weights(tm, em)
    if arrays is None:
        arrays = make_inputs([shape or _input_shape(tm)])
    xt = [torch.tensor(a, requires_grad=True) for a in arrays]
    xe = [ember.tensor(a, requires_grad=True) for a in arrays]
    call = call or (lambda m, *xs: m(*xs))
    ot, oe = call(tm, *xt), call(em, *xe)
    assert_close(oe, ot, atol=atol, msg="forward")
    seed = np.random.default_rng(1).standard_normal(tuple(ot.shape)).astype(np.float32)
    ot.backward(torch.tensor(seed))
    oe.backward(ember.tensor(seed))
    for a, b in zip(xe, xt, strict=True):
        assert_close(a.grad, b.grad, atol=atol * 10, msg="input grad")
    tparams = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert_close(p.grad, tparams[name].grad, atol=atol * 10, msg=f"grad of {name}")


@pytest.mark.parametrize("make", CONV_LAYERS)
def test_conv_layer_matches_torch(make):
    _parity(make)


@pytest.mark.parametrize("make", CONV_LAYERS)
def test_conv_layer_parameters_state_dict_and_repr_match_torch(make):
    tm, em = make(nn(torch)), make(nn(ember))
    assert list(em.state_dict()) == list(tm.state_dict())
    for (ne, pe), (nt, pt) in zip(em.named_parameters(), tm.named_parameters(), strict=True):
        assert ne == nt and tuple(pe.shape) == tuple(pt.shape)
    assert repr(em) == repr(tm)
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "groups", "padding_mode", "output_padding", "transposed"):
        assert getattr(em, attr) == getattr(tm, attr), attr


def test_conv_default_init_follows_kaiming_uniform_bounds():
    ember.manual_seed(0)
    layer = nn(ember).Conv2d(16, 64, 3)
    fan_in = 16 * 9
    w = layer.weight.detach().numpy()
    b = layer.bias.detach().numpy()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) gives the same bound
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert layer.weight.dtype == ember.float32


def test_conv2d_unbatched_input_matches_torch():
    _parity(lambda m: m.Conv2d(3, 4, 3, padding=1), shape=(3, 6, 5))
    _parity(lambda m: m.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"), shape=(3, 6, 5))


def test_conv_transpose2d_output_size_argument():
    arrays = make_inputs([(1, 4, 5, 5)])
    _parity(lambda m: m.ConvTranspose2d(4, 2, 3, stride=2), arrays=arrays,
            call=lambda mod, x: mod(x, output_size=(12, 11)))
    layer = nn(ember).ConvTranspose2d(4, 2, 3, stride=2)
    with pytest.raises(ValueError, match="requested an output size of"):
        layer(ember.randn(1, 4, 5, 5), output_size=(20, 20))


def _error(lib, fn):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.type, str(info.value).split("\n")[0]


@pytest.mark.parametrize("fn", [
    lambda lib: nn(lib).Conv2d(3, 4, 3)(lib.randn(2, 5, 8, 8)),  # wrong channel count
    lambda lib: nn(lib).Conv2d(3, 4, 3)(lib.randn(8, 8)),  # 2-D input
    lambda lib: nn(lib).Conv2d(3, 4, 3)(lib.randn(1, 1, 3, 8, 8)),  # 5-D input
    lambda lib: nn(lib).Conv2d(3, 4, 5)(lib.randn(1, 3, 4, 8)),  # kernel > input
    lambda lib: nn(lib).Conv2d(3, 4, 5, padding=1)(lib.randn(1, 3, 2, 8)),
    lambda lib: nn(lib).Conv1d(3, 4, 3)(lib.randn(2, 3, 4, 4)),
    lambda lib: nn(lib).ConvTranspose2d(3, 4, 3)(lib.randn(1, 4, 5, 5)),
    lambda lib: nn(lib).Conv2d(3, 4, 3, padding="foo"),
    lambda lib: nn(lib).Conv2d(3, 4, 3, groups=2),
    lambda lib: nn(lib).Conv2d(4, 3, 3, groups=2),
    lambda lib: nn(lib).Conv2d(3, 4, 3, padding="same", stride=2),
    lambda lib: nn(lib).Conv2d(3, 4, 3, groups=0),
])
def test_conv_layer_errors_match_torch(fn):
    assert _error(ember, fn) == _error(torch, fn)


def test_conv_rejects_unknown_padding_mode():
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn(ember).Conv2d(3, 4, 3, padding_mode="foo")


def _small_cnn(m):
    return m.Sequential(
        m.Conv2d(1, 4, 3, padding=1), m.BatchNorm2d(4), m.ReLU(), m.MaxPool2d(2),
        m.Conv2d(4, 8, 3, padding=1, stride=1), m.ReLU(), m.AvgPool2d(2),
        m.Flatten(), m.Linear(8 * 3 * 3, 5),
    )


def test_small_cnn_training_trajectory_matches_torch():
    torch.manual_seed(0)
    tm, em = _small_cnn(nn(torch)), _small_cnn(nn(ember))
    copy_torch_weights(tm, em)
    topt = torch.optim.SGD(tm.parameters(), lr=0.05, momentum=0.9)
    eopt = ember.optim.SGD(em.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(0)
    for step in range(12):
        x = rng.standard_normal((8, 1, 12, 12)).astype(np.float32)
        y = rng.integers(0, 5, 8)
        losses = []
        for lib, model, opt in ((torch, tm, topt), (ember, em, eopt)):
            opt.zero_grad()
            loss = nn(lib).functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert abs(losses[0] - losses[1]) < 1e-4 * max(1.0, abs(losses[0])), (step, losses)
    for name, p in em.state_dict().items():
        assert_close(p, tm.state_dict()[name], atol=2e-4, rtol=1e-3, msg=name)
