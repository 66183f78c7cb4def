"""ember.nn.utils.rnn: padding and packing variable-length sequences, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as enn
from helpers import assert_close, torch


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_pytorch(batch_first, side):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 3)).astype(np.float32) for n in (4, 2, 5)]
    te = [ember.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    oe = enn.utils.rnn.pad_sequence(te, batch_first=batch_first, padding_value=-1.0,
                                    padding_side=side)
    ot = torch.nn.utils.rnn.pad_sequence(tt, batch_first=batch_first, padding_value=-1.0,
                                         padding_side=side)
    assert_close(oe, ot)
    seed = rng.standard_normal(tuple(ot.shape)).astype(np.float32)
    oe.backward(ember.tensor(seed))
    ot.backward(torch.tensor(seed))
    for a, b in zip(te, tt, strict=True):
        assert_close(a.grad, b.grad)


def test_pack_and_pad_round_trip_matches_torch():
    x = np.arange(24, dtype=np.float32).reshape(3, 4, 2)
    for enforce_sorted, lengths in ((True, [4, 2, 1]), (False, [2, 4, 1])):
        got = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), lengths, batch_first=True,
                                                      enforce_sorted=enforce_sorted)
        want = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths,
                                                       batch_first=True,
                                                       enforce_sorted=enforce_sorted)
        for g, w in zip(got, want, strict=True):
            assert (g is None) == (w is None)
            if w is not None:
                assert_close(g, w)
        for batch_first, total in ((True, None), (False, 6)):
            pg = ember.nn.utils.rnn.pad_packed_sequence(got, batch_first, 9.0, total)
            pw = torch.nn.utils.rnn.pad_packed_sequence(want, batch_first, 9.0, total)
            assert_close(pg[0], pw[0])
            assert pg[1].tolist() == pw[1].tolist()
    seqs = [np.ones((n, 2), np.float32) * n for n in (3, 1, 2)]
    got = ember.nn.utils.rnn.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    want = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs],
                                            enforce_sorted=False)
    assert_close(got.data, want.data)
    back = ember.nn.utils.rnn.unpack_sequence(got)
    assert [tuple(t.shape) for t in back] == [(3, 2), (1, 2), (2, 2)]


@pytest.mark.parametrize("call", [
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2), [1, 3, 2]),
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 3), [1, 3, 2]),
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2), [2, 0],
                                                  enforce_sorted=False),
    lambda L: L.nn.utils.rnn.pad_packed_sequence(
        L.nn.utils.rnn.pack_padded_sequence(L.zeros(3, 2), [3, 1]), total_length=2),
])
def test_packing_errors_match_torch(call):
    with pytest.raises((RuntimeError, ValueError)) as want:
        call(torch)
    with pytest.raises(want.type) as got:
        call(ember)
    assert str(got.value) == str(want.value)
