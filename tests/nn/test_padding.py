"""Padding: ``F.pad`` in every mode and the padding layers, against PyTorch."""

from __future__ import annotations

import pytest

import ember
import ember.nn.functional as F
from helpers import check_op, gradcheck64, torch

from ._parity import module_parity


@pytest.mark.parametrize("pad", [(1, 2), (0, 1, 2, 0), (1, 1, 1, 1, 1, 1), (-1, 2), (2, -1, 1, 0)])
def test_constant_pad_matches_pytorch(pad):
    check_op([(2, 3, 4)], lambda lib, x: lib.nn.functional.pad(x, pad, value=0.5))
    gradcheck64(lambda x: F.pad(x, pad), [(2, 3, 4)])


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_other_pad_modes_match_pytorch(mode):
    check_op([(2, 3, 4)], lambda lib, x: lib.nn.functional.pad(x, (2, 1), mode=mode))
    check_op([(1, 2, 3, 4)], lambda lib, x: lib.nn.functional.pad(x, (1, 2, 2, 1), mode=mode))
    gradcheck64(lambda x: F.pad(x, (1, 2), mode=mode), [(1, 2, 4)])


PAD_MODULES = [
    (lambda nn: nn.ZeroPad2d(1), (2, 3, 4, 5)),
    (lambda nn: nn.ZeroPad2d((1, 2, 0, 3)), (3, 4, 5)),
    (lambda nn: nn.ZeroPad1d(2), (2, 3, 4)),
    (lambda nn: nn.ConstantPad1d(2, 3.5), (2, 3, 4)),
    (lambda nn: nn.ConstantPad2d((1, 0, 2, 0), 1.0), (1, 2, 3, 3)),
    (lambda nn: nn.ConstantPad3d(1, -1.0), (1, 2, 2, 2, 2)),
    (lambda nn: nn.ReflectionPad1d(2), (2, 3, 4)),
    (lambda nn: nn.ReflectionPad2d((1, 2, 2, 1)), (1, 2, 4, 5)),
    (lambda nn: nn.ReplicationPad2d((1, 2, 3, 4)), (1, 2, 3, 3)),
    (lambda nn: nn.ReplicationPad3d(1), (1, 1, 2, 3, 2)),
    (lambda nn: nn.CircularPad2d(1), (1, 2, 3, 4)),
    (lambda nn: nn.CircularPad1d(2), (2, 3, 4)),
]


@pytest.mark.parametrize("make,shape", PAD_MODULES)
def test_padding_modules_match_pytorch(make, shape):
    module_parity(make, [shape])
    assert repr(make(ember.nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", [(2, -1, -1, 1), (-2, -1, 1, -3), (-1, -1, 3, -2), (1, -2)])
def test_non_constant_pad_with_negative_amounts_matches_torch(mode, pads):
    shape = (2, 5, 6) if len(pads) == 2 else (1, 2, 5, 6)
    check_op([shape], lambda lib, x: lib.nn.functional.pad(x, pads, mode=mode))


@pytest.mark.parametrize("shape, pads", [((1, 2, 5, 6), (1, 1)), ((6,), (1, 1)),
                                         ((1, 1, 2, 2, 2, 2), (1, 1))])
def test_non_constant_pad_rank_errors_match_torch(shape, pads):
    with pytest.raises(NotImplementedError) as expected:
        torch.nn.functional.pad(torch.zeros(shape), pads, mode="reflect")
    with pytest.raises(NotImplementedError) as got:
        ember.nn.functional.pad(ember.zeros(*shape), pads, mode="reflect")
    assert str(got.value) == str(expected.value)
