"""PyTorch's legacy (pre-1.6) format: written by torch.save(_use_new_zipfile_serialization=False)
and read by ember, and the reverse."""

from __future__ import annotations

import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn

torch = pytest.importorskip("torch")


def _legacy_save(obj, path):
    torch.save(obj, path, _use_new_zipfile_serialization=False)


def test_state_dict_in_legacy_format_loads(tmp_path):
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    _legacy_save(tmodel.state_dict(), tmp_path / "old.pt")
    sd = ember.load(tmp_path / "old.pt")
    assert type(sd) is OrderedDict and list(sd) == list(tmodel.state_dict())
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    model.load_state_dict(sd)
    for (k, a), b in zip(model.state_dict().items(), tmodel.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_legacy_views_share_storage_and_dtypes_survive(tmp_path):
    base = torch.arange(12, dtype=torch.int32).reshape(3, 4)
    obj = {"base": base, "row": base[2], "t": base.t(), "h": torch.ones(2, dtype=torch.float16),
           "b": torch.tensor([True, False]), "n": [1, "x", 2.5, None],
           "p": torch.nn.Parameter(torch.ones(2))}
    _legacy_save(obj, tmp_path / "old.pt")
    back = ember.load(tmp_path / "old.pt")
    assert back["row"].tolist() == [8, 9, 10, 11] and back["row"].dtype == ember.int32
    np.testing.assert_array_equal(back["t"].numpy(), base.t().numpy())
    assert back["h"].dtype == ember.float16 and back["b"].tolist() == [True, False]
    assert back["n"] == [1, "x", 2.5, None]
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    back["base"]._data[2, 0] = -1
    assert back["row"].tolist()[0] == -1 and back["t"].numpy()[0, 2] == -1


def test_legacy_whole_module_needs_weights_only_false(tmp_path):
    _legacy_save(torch.nn.Linear(2, 2), tmp_path / "m.pt")
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        ember.load(tmp_path / "m.pt")
    assert isinstance(ember.load(tmp_path / "m.pt", weights_only=False), nn.Linear)


def test_ember_legacy_writer_round_trips_through_torch(tmp_path):
    obj = {"w": ember.randn(3, 2), "step": 7, "o": OrderedDict(a=ember.arange(3))}
    ember.save(obj, tmp_path / "e.pt", _use_new_zipfile_serialization=False)
    t = torch.load(tmp_path / "e.pt")
    np.testing.assert_array_equal(t["w"].numpy(), obj["w"].numpy())
    _legacy_save(t, tmp_path / "t.pt")
    back = ember.load(tmp_path / "t.pt")
    np.testing.assert_array_equal(back["w"].numpy(), obj["w"].numpy())
    assert back["step"] == 7 and type(back["o"]) is OrderedDict


def test_legacy_storage_data_for_an_unknown_key_is_refused(tmp_path):
    _legacy_save({"w": torch.ones(2)}, tmp_path / "l.pt")
    data = (tmp_path / "l.pt").read_bytes()
    (tmp_path / "bad.pt").write_bytes(data[:-16] + data[-16:].replace(b"\x02\x00", b"\x05\x00"))
    with pytest.raises(RuntimeError, match=r"bad\.pt"):
        ember.load(tmp_path / "bad.pt")
