"""PyTorch's zip checkpoints both ways: what ember.save writes, real torch.load reads (with its
default weights_only=True), and what torch.save writes, ember.load reads."""

from __future__ import annotations

import io
import math
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn

torch = pytest.importorskip("torch")


def _to_torch(t: ember.Tensor):
    return torch.from_numpy(np.array(t.detach().numpy()))


def _assert_same_values(e, t) -> None:
    """An ember object and a torch object hold the same structure and values."""
    if isinstance(e, ember.Tensor):
        assert isinstance(t, torch.Tensor)
        assert str(t.dtype).split(".")[1] == e.dtype.name
        assert tuple(t.shape) == tuple(e.shape)
        assert t.requires_grad == e.requires_grad
        assert isinstance(t, torch.nn.Parameter) == isinstance(e, nn.Parameter)
        np.testing.assert_array_equal(t.detach().numpy(), e.detach().numpy())
    elif isinstance(e, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for k in e:
            _assert_same_values(e[k], t[k])
    elif isinstance(e, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            _assert_same_values(a, b)
    elif isinstance(e, float) and math.isnan(e):
        assert math.isnan(t)
    else:
        assert type(e) is type(t) and e == t


def _nested_ember():
    return {
        "ints": [0, -7, 2**40, 2**70], "floats": (0.1, -2.5, float("inf"), float("nan")),
        "text": "héllo wörld", "raw": b"\x00\xff", "flags": [True, False, None],
        "nested": {"a": [{"b": (1, "c")}], 3: "int key", (1, 2): "tuple key"},
        "ordered": OrderedDict([("z", 1), ("a", ember.arange(3))]),
        "scalar": ember.tensor(2.5), "empty": ember.zeros(0, 3), "lists": [[], {}, ()],
    }


# ---------------------------------------------------------------------- ember -> torch
def test_torch_loads_nested_containers_written_by_ember(tmp_path):
    obj = _nested_ember()
    ember.save(obj, tmp_path / "nested.pt")
    _assert_same_values(obj, torch.load(tmp_path / "nested.pt"))  # weights_only=True


def test_nested_containers_round_trip_through_torch(tmp_path):
    ember.save(_nested_ember(), tmp_path / "a.pt")
    torch.save(torch.load(tmp_path / "a.pt"), tmp_path / "b.pt")
    back = ember.load(tmp_path / "b.pt")
    _assert_same_values(back, torch.load(tmp_path / "b.pt"))


def _ember_model():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 5))


def _torch_model():
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                               torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(64, 5))


def test_model_state_dict_from_ember_serves_in_torch(tmp_path):
    model = _ember_model()
    model.train()
    model(ember.randn(8, 3, 6, 6))  # move the BatchNorm running statistics
    model.eval()
    ember.save(model.state_dict(), tmp_path / "model.pt")
    sd = torch.load(tmp_path / "model.pt")
    assert sd["1.num_batches_tracked"].dtype == torch.int64
    tmodel = _torch_model()
    tmodel.load_state_dict(sd)
    tmodel.eval()
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(tmodel(torch.from_numpy(x)).detach().numpy(),
                               model(ember.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_model_state_dict_from_torch_serves_in_ember(tmp_path):
    tmodel = _torch_model()
    tmodel(torch.randn(8, 3, 6, 6))
    tmodel.eval()
    torch.save(tmodel.state_dict(), tmp_path / "model.pt")
    model = _ember_model()
    model.load_state_dict(ember.load(tmp_path / "model.pt"))
    model.eval()
    x = np.random.default_rng(1).normal(size=(2, 3, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(model(ember.tensor(x)).detach().numpy(),
                               tmodel(torch.from_numpy(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


# ---------------------------------------------------------------------- optimizer resume
_X = np.random.default_rng(2).normal(size=(6, 16, 4)).astype(np.float32)


def _train_ember(model, opt, steps):
    for i in steps:
        opt.zero_grad()
        loss = (model(ember.tensor(_X[i])).tanh() ** 2).mean()
        loss.backward()
        opt.step()


def _train_torch(model, opt, steps):
    for i in steps:
        opt.zero_grad()
        loss = (model(torch.from_numpy(_X[i])).tanh() ** 2).mean()
        loss.backward()
        opt.step()


def _params(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_adam_checkpoint_from_ember_resumes_identically_in_torch(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    opt = ember.optim.Adam(model.parameters(), lr=0.05, weight_decay=0.01)
    _train_ember(model, opt, range(3))
    ember.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3},
               tmp_path / "ckpt.pt")
    _train_ember(model, opt, range(3, 6))  # ember's own continuation

    ckpt = torch.load(tmp_path / "ckpt.pt")
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    tmodel.load_state_dict(ckpt["model"])
    topt = torch.optim.Adam(tmodel.parameters(), lr=0.05, weight_decay=0.01)
    topt.load_state_dict(ckpt["opt"])
    assert ckpt["epoch"] == 3 and float(ckpt["opt"]["state"][0]["step"]) == 3.0
    _train_torch(tmodel, topt, range(3, 6))
    for a, b in zip(_params(model), _params(tmodel)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_adam_checkpoint_from_torch_resumes_identically_in_ember(tmp_path):
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    topt = torch.optim.Adam(tmodel.parameters(), lr=0.05, amsgrad=True)
    _train_torch(tmodel, topt, range(3))
    torch.save({"model": tmodel.state_dict(), "opt": topt.state_dict()}, tmp_path / "ckpt.pt")
    _train_torch(tmodel, topt, range(3, 6))

    ckpt = ember.load(tmp_path / "ckpt.pt")
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    model.load_state_dict(ckpt["model"])
    opt = ember.optim.Adam(model.parameters(), lr=0.05, amsgrad=True)
    opt.load_state_dict(ckpt["opt"])
    _train_ember(model, opt, range(3, 6))
    for a, b in zip(_params(model), _params(tmodel)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- storage sharing
def test_views_written_by_ember_stay_views_in_torch(tmp_path):
    base = ember.arange(12.0).reshape(3, 4)
    views = {"base": base, "row": base[1], "col": base[:, 2], "t": base.t(),
             "flat": base.reshape(12)[3:9]}
    ember.save(views, tmp_path / "views.pt")
    with zipfile.ZipFile(tmp_path / "views.pt") as zf:
        assert sum("/data/" in n and "/.data/" not in n for n in zf.namelist()) == 1
    loaded = torch.load(tmp_path / "views.pt")
    for name, view in views.items():
        np.testing.assert_array_equal(loaded[name].numpy(), view.numpy())
    ptrs = {t.untyped_storage().data_ptr() for t in loaded.values()}
    assert len(ptrs) == 1
    loaded["base"][1, 2] = -1.0
    assert loaded["row"][2] == -1.0 and loaded["col"][1] == -1.0 and loaded["t"][2, 1] == -1.0
    assert loaded["flat"][3] == -1.0


def test_views_written_by_torch_stay_views_in_ember(tmp_path):
    base = torch.arange(24.0).reshape(2, 3, 4)
    views = [base, base[1], base[:, 1:, ::2], base.transpose(0, 2), base.expand(2, 2, 3, 4)]
    torch.save(views, tmp_path / "views.pt")
    loaded = ember.load(tmp_path / "views.pt")
    for e, t in zip(loaded, views):
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    loaded[0]._data[1, 0, 0] = -5.0
    assert loaded[1].numpy()[0, 0] == -5.0
    assert loaded[3].numpy()[0, 0, 1] == -5.0
    assert loaded[4].numpy()[1, 1, 0, 0] == -5.0


def test_tied_weights_load_as_one_tensor(tmp_path):
    w = nn.Parameter(ember.randn(4, 4))
    ember.save({"enc": w, "dec": w}, tmp_path / "tied.pt")
    back = ember.load(tmp_path / "tied.pt")
    assert back["enc"] is back["dec"]
    t = torch.load(tmp_path / "tied.pt")
    assert t["enc"] is t["dec"]


def test_views_that_torch_cannot_express_are_saved_as_copies(tmp_path):
    base = ember.arange(10.0)
    flipped = ember.Tensor._from_array(base.numpy()[::-1])  # NumPy's negative stride
    ember.save({"base": base, "flipped": flipped}, tmp_path / "f.pt")
    loaded = torch.load(tmp_path / "f.pt")
    np.testing.assert_array_equal(loaded["flipped"].numpy(), np.arange(10.0)[::-1])
    np.testing.assert_array_equal(ember.load(tmp_path / "f.pt")["flipped"].numpy(),
                                  np.arange(10.0)[::-1])


# ---------------------------------------------------------------------- dtypes and flags
_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("name", _DTYPES)
def test_dtypes_round_trip_both_ways(tmp_path, name):
    values = np.array([[0, 1, -2], [3, 100, 7]])
    e = ember.tensor(values.astype(name))
    ember.save({"x": e, "dtype": getattr(ember, name)}, tmp_path / "e.pt")
    t = torch.load(tmp_path / "e.pt")
    assert t["dtype"] is getattr(torch, name)
    _assert_same_values(e, t["x"])
    torch.save(t, tmp_path / "t.pt")
    back = ember.load(tmp_path / "t.pt")
    assert back["dtype"] is getattr(ember, name)
    _assert_same_values(back["x"], t["x"])


def test_bfloat16_from_torch_loads_or_fails_clearly(tmp_path):
    values = torch.tensor([1.0, -2.5, 3.140625], dtype=torch.bfloat16)
    torch.save({"x": values}, tmp_path / "bf.pt")
    if not hasattr(ember, "bfloat16"):
        with pytest.raises(RuntimeError, match=r"bf\.pt.*torch\.bfloat16.*does not support"):
            ember.load(tmp_path / "bf.pt")
        return
    x = ember.load(tmp_path / "bf.pt")["x"]
    assert x.dtype == ember.bfloat16
    np.testing.assert_array_equal(x.float().numpy(), values.float().numpy())
    ember.save({"x": x}, tmp_path / "back.pt")
    assert torch.equal(torch.load(tmp_path / "back.pt")["x"], values)


def test_parameters_and_requires_grad_cross_over(tmp_path):
    obj = {"p": nn.Parameter(ember.randn(3)), "frozen": nn.Parameter(ember.randn(2), False),
           "leaf": ember.randn(2, requires_grad=True), "plain": ember.ones(2)}
    ember.save(obj, tmp_path / "p.pt")
    t = torch.load(tmp_path / "p.pt")
    _assert_same_values(obj, t)
    torch.save(t, tmp_path / "q.pt")
    back = ember.load(tmp_path / "q.pt")
    _assert_same_values(back, t)
    assert back["leaf"].is_leaf


def test_size_and_device_objects_cross_over(tmp_path):
    ember.save({"shape": ember.Size([2, 3]), "dev": ember.device("cpu")}, tmp_path / "s.pt")
    t = torch.load(tmp_path / "s.pt")
    assert t["shape"] == torch.Size([2, 3]) and isinstance(t["shape"], torch.Size)
    assert t["dev"] == torch.device("cpu")
    torch.save(t, tmp_path / "t.pt")
    back = ember.load(tmp_path / "t.pt")
    assert isinstance(back["shape"], ember.Size) and back["shape"] == (2, 3)
    assert back["dev"] == ember.device("cpu")


# ---------------------------------------------------------------------- streams, mmap
def test_file_objects_both_ways():
    buf = io.BytesIO()
    ember.save({"a": ember.arange(3)}, buf)
    buf.seek(0)
    assert torch.load(buf)["a"].tolist() == [0, 1, 2]
    buf = io.BytesIO()
    torch.save({"a": torch.arange(3)}, buf)
    buf.seek(0)
    assert ember.load(buf)["a"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("writer", ["ember", "torch"])
def test_mmap_maps_storages_privately(tmp_path, writer):
    path = tmp_path / "m.pt"
    if writer == "ember":
        ember.save({"w": ember.arange(1000.0)}, path)
    else:
        torch.save({"w": torch.arange(1000.0)}, path)
    before = path.read_bytes()
    w = ember.load(path, mmap=True)["w"]
    assert w.tolist() == list(np.arange(1000.0))
    w._data[0] = 42.0  # copy-on-write: the file is untouched
    assert w.numpy()[0] == 42.0 and path.read_bytes() == before


def test_mmap_needs_a_zip_checkpoint(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap"):
        ember.load(tmp_path / "l.pt", mmap=True)
    buf = io.BytesIO()
    ember.save([1], buf)
    buf.seek(0)
    with pytest.raises(ValueError, match="mmap"):
        ember.load(buf, mmap=True)


def test_extension_never_changes_the_format(tmp_path):
    for name in ["x.safetensors", "x.npz", "x.npy", "x.json", "x"]:
        ember.save({"w": ember.ones(2)}, tmp_path / name)
        assert zipfile.is_zipfile(tmp_path / name)
        assert ember.load(tmp_path / name)["w"].tolist() == [1.0, 1.0]
        with open(tmp_path / name, "rb") as fh:  # torch.load picks .safetensors paths by name
            assert torch.load(fh)["w"].tolist() == [1.0, 1.0]


def test_archive_layout_matches_torch(tmp_path):
    ember.save({"w": ember.ones(3)}, tmp_path / "model.pt")
    torch.save({"w": torch.ones(3)}, tmp_path / "ref.pt")
    ours = zipfile.ZipFile(tmp_path / "model.pt")
    ref = zipfile.ZipFile(tmp_path / "ref.pt")
    with ours, ref:
        assert sorted(n.split("/", 1)[1] for n in ours.namelist()) == \
            sorted(n.split("/", 1)[1] for n in ref.namelist())
        assert ours.namelist()[0] == "model/data.pkl"
        assert ours.read("model/version") == ref.read("ref/version")
        assert all(i.compress_type == zipfile.ZIP_STORED for i in ours.infolist())
    # storage data starts on a 64-byte boundary, as PyTorch's reader maps it
    data = (tmp_path / "model.pt").read_bytes()
    with zipfile.ZipFile(tmp_path / "model.pt") as zf:
        info = zf.getinfo("model/data/0")
    name_len, extra_len = np.frombuffer(data[info.header_offset + 26:info.header_offset + 30],
                                        "<u2")
    assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0


def test_legacy_writer_is_read_by_torch(tmp_path):
    base = ember.arange(6.0)
    ember.save({"a": base, "b": base[2:], "n": 1}, tmp_path / "old.pt",
               _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(tmp_path / "old.pt")
    t = torch.load(tmp_path / "old.pt")
    assert t["b"].tolist() == [2.0, 3.0, 4.0, 5.0] and t["n"] == 1
    assert t["a"].untyped_storage().data_ptr() == t["b"].untyped_storage().data_ptr()
    back = ember.load(tmp_path / "old.pt")
    assert back["b"].tolist() == [2.0, 3.0, 4.0, 5.0]
