"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as enn
from helpers import assert_close, torch

from ._parity import module_parity


def test_sequential_forward_indexing_slicing_len_iteration():
    layers = [enn.Linear(3, 4), enn.ReLU(), enn.Linear(4, 2)]
    s = enn.Sequential(*layers)
    assert len(s) == 3 and list(s) == layers
    assert s[0] is layers[0] and s[-1] is layers[2]
    sub = s[1:]
    assert isinstance(sub, enn.Sequential) and list(sub) == layers[1:]
    assert list(sub._modules) == ["1", "2"]  # slicing keeps the keys, as PyTorch
    x = ember.randn(5, 3)
    assert_close(s(x), layers[2](layers[1](layers[0](x))))
    with pytest.raises(IndexError):
        s[3]


def test_sequential_append_insert_delete_setitem():
    s = enn.Sequential(enn.ReLU())
    assert s.append(enn.Tanh()) is s
    s.insert(0, enn.Sigmoid())
    assert [type(m).__name__ for m in s] == ["Sigmoid", "ReLU", "Tanh"]
    del s[1]
    assert list(s._modules) == ["0", "1"] and type(s[1]).__name__ == "Tanh"
    s[0] = enn.Identity()
    assert isinstance(s[0], enn.Identity)
    s.extend([enn.ReLU()])
    assert len(s) == 3
    assert len(s + enn.Sequential(enn.ReLU())) == 4


def test_sequential_from_ordered_dict_matches_pytorch():
    def make(nn):
        return nn.Sequential(OrderedDict(fc=nn.Linear(3, 4), act=nn.GELU(), out=nn.Linear(4, 1)))

    module_parity(make, [(5, 3)])
    assert repr(make(enn)) == repr(make(torch.nn))
    assert list(make(enn).state_dict()) == list(make(torch.nn).state_dict())


def test_module_list():
    ml = enn.ModuleList([enn.Linear(2, 2) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(enn.ReLU())
    ml.insert(1, enn.Tanh())
    assert [type(m).__name__ for m in ml] == ["Linear", "Tanh", "Linear", "Linear", "ReLU"]
    assert isinstance(ml[1:3], enn.ModuleList) and len(ml[1:3]) == 2
    del ml[1]
    assert list(ml._modules) == ["0", "1", "2", "3"]
    ml += [enn.Sigmoid()]
    assert type(ml[-1]).__name__ == "Sigmoid"
    with pytest.raises(TypeError):
        ml.extend(enn.ReLU())


def test_module_list_repr_collapses_repeats_like_pytorch():
    def make(nn):
        return nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Tanh(),
                                                                   nn.Tanh()])

    assert repr(make(enn)) == repr(make(torch.nn))
    assert repr(enn.ModuleList()) == repr(torch.nn.ModuleList())


def test_module_dict():
    md = enn.ModuleDict({"a": enn.Linear(2, 3), "b": enn.ReLU()})
    assert list(md) == ["a", "b"] and "a" in md and len(md) == 2
    md["c"] = enn.Tanh()
    assert list(md.keys()) == ["a", "b", "c"]
    assert md.pop("b").__class__.__name__ == "ReLU"
    assert [k for k, _ in md.items()] == ["a", "c"]
    assert list(md.state_dict()) == ["a.weight", "a.bias"]
    t = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 3), "c": torch.nn.Tanh()})
    assert repr(md) == repr(t)


def test_parameter_list_and_dict():
    pl = enn.ParameterList([enn.Parameter(ember.ones(2)), ember.zeros(3)])
    assert len(pl) == 2 and all(isinstance(p, enn.Parameter) for p in pl)
    pl.append(enn.Parameter(ember.ones(1)))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert pl[-1].shape == (1,)
    pd = enn.ParameterDict({"w": enn.Parameter(ember.ones(2, 2))})
    pd["b"] = ember.zeros(2)
    assert list(pd) == ["w", "b"] and isinstance(pd["b"], enn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]

    class Holder(enn.Module):
        def __init__(self):
            super().__init__()
            self.pl = pl
            self.pd = pd

    assert list(Holder().state_dict()) == ["pl.0", "pl.1", "pl.2", "pd.w", "pd.b"]
    assert repr(pl).startswith("ParameterList(\n    (0): Parameter containing: [ember.float32 "
                               "of size 2]")


def test_small_training_loop_matches_pytorch():
    """A few SGD steps on a Linear/BatchNorm/ReLU/Dropout(eval)/CE model track PyTorch."""
    def make(nn):
        return nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))

    t, e = make(torch.nn), make(enn)
    e.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    for _ in range(5):
        lt = torch.nn.functional.cross_entropy(t(torch.tensor(x)), torch.tensor(y))
        le = enn.functional.cross_entropy(e(ember.tensor(x)), ember.tensor(y))
        assert_close(le, lt, rtol=1e-4)
        t.zero_grad()
        e.zero_grad()
        lt.backward()
        le.backward()
        with torch.no_grad():
            for p in t.parameters():
                p -= 0.1 * p.grad
        with ember.no_grad():
            for p in e.parameters():
                p -= 0.1 * p.grad
    for (n, pe), pt in zip(e.state_dict().items(), t.state_dict().values(), strict=True):
        assert_close(pe, pt, atol=1e-4, rtol=1e-3, msg=n)

