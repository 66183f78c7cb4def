"""LayerNorm, GroupNorm, RMSNorm and ``F.normalize``: parity with PyTorch, gradcheck, errors."""

from __future__ import annotations

import pytest

import ember
import ember.nn as enn
import ember.nn.functional as F
from helpers import check_op, gradcheck64, torch

from ._parity import module_parity, raises_like_torch


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.LayerNorm(5), (3, 5)),
    (lambda nn: nn.LayerNorm((4, 5)), (2, 3, 4, 5)),
    (lambda nn: nn.LayerNorm(5, elementwise_affine=False), (3, 5)),
    (lambda nn: nn.LayerNorm(5, bias=False, eps=1e-3), (2, 3, 5)),
    (lambda nn: nn.GroupNorm(2, 4), (3, 4, 5)),
    (lambda nn: nn.GroupNorm(1, 4), (3, 4, 2, 2)),
    (lambda nn: nn.GroupNorm(4, 4, affine=False), (3, 4, 6)),
])
def test_norm_layers_match_pytorch(make, shape):
    module_parity(make, [shape])
    assert repr(make(enn)) == repr(make(torch.nn))
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())


def test_layer_norm_gradcheck():
    gradcheck64(lambda x, w, b: F.layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)])
    gradcheck64(lambda x: F.layer_norm(x, (2, 3)), [(2, 2, 3)])


def test_group_norm_gradcheck():
    gradcheck64(lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)])


def test_layer_norm_shape_error():
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(ember.randn(3, 4), (5,))


def test_group_norm_divisibility_error():
    with pytest.raises(ValueError):
        enn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(ember.randn(2, 4, 3), 3)


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.RMSNorm(5), (3, 5)),
    (lambda nn: nn.RMSNorm((2, 5), eps=1e-5), (4, 2, 5)),
    (lambda nn: nn.RMSNorm(5, elementwise_affine=False), (3, 5)),
])
def test_rms_norm_matches_pytorch(make, shape):
    module_parity(make, [shape])
    assert repr(make(enn)) == repr(make(torch.nn))
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())
    gradcheck64(lambda x, w: F.rms_norm(x, (4,), w), [(3, 4), (4,)])


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize_matches_pytorch(p, dim):
    check_op([(3, 4)], lambda lib, x: lib.nn.functional.normalize(x, p=p, dim=dim))
    gradcheck64(lambda x: F.normalize(x, p=p, dim=dim), [(3, 4)], second_order=False)


def test_normalize_zero_vector_is_zero():
    assert not F.normalize(ember.zeros(2, 3)).numpy().any()


def test_functional_layer_and_group_norm_match_pytorch():
    check_op([(4, 3, 5), (5,), (5,)], lambda lib, x, w, b: lib.nn.functional.layer_norm(
        x, (5,), w, b))
    check_op([(4, 6, 5), (6,), (6,)], lambda lib, x, w, b: lib.nn.functional.group_norm(
        x, 3, w, b))


BAD_CALLS = {
    "layer_norm_shape": lambda lib: lib.nn.functional.layer_norm(lib.ones(3, 4), (5,)),
}

@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_error_types_match_pytorch(name):
    raises_like_torch(BAD_CALLS[name])


@pytest.mark.parametrize("shape, size", [((2, 5, 4), 3), ((2, 6, 3, 3), 2), ((1, 4, 2, 2, 2), 5)])
def test_local_response_norm_matches_torch(shape, size):
    check_op([shape], lambda lib, x: lib.nn.functional.local_response_norm(x, size, alpha=0.1,
                                                                           beta=0.6, k=2.0))
    check_op([shape], lambda lib, x: lib.nn.LocalResponseNorm(size)(x))
    assert repr(ember.nn.LocalResponseNorm(size)) == repr(torch.nn.LocalResponseNorm(size))
    with pytest.raises(ValueError, match="Expected 3D or higher"):
        ember.nn.functional.local_response_norm(ember.zeros(2, 3), 2)
