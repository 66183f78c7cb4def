"""weights_only=True (the default): only data is built, nothing from the file runs; globals the
user trusts can be allowed with add_safe_globals / safe_globals; weights_only=False loads
arbitrary objects such as a whole module."""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import ember
from ember import nn
from ember.serialization import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    safe_globals,
)


@pytest.fixture(autouse=True)
def _clean_allow_list():
    clear_safe_globals()
    yield
    clear_safe_globals()


def _torch_archive(path, pickled: bytes, records: dict | None = None) -> None:
    """A PyTorch-layout archive holding ``pickled`` as data.pkl."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickled)
        zf.writestr("archive/version", "3\n")
        for name, data in (records or {}).items():
            zf.writestr(f"archive/data/{name}", data)


class _Payload:
    """Unpickling this runs ``fn(*args)``: what a hostile checkpoint does."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _payloads(marker: str):
    cmd = f"touch {marker}"
    return {
        "os.system": _Payload(os.system, cmd),
        "eval": _Payload(eval, f"open({marker!r}, 'w').close()"),
        "exec": _Payload(exec, f"open({marker!r}, 'w').close()"),
        "import": _Payload(__import__, "os"),
        "open": _Payload(open, marker, "w"),
        "nested": {"state": [1, 2, {"x": _Payload(os.system, cmd)}]},
    }


@pytest.mark.parametrize("kind", list(_payloads("m")))
@pytest.mark.parametrize("layout", ["zip", "legacy", "raw", "protocol5"])
def test_pickle_payloads_never_run(tmp_path, kind, layout):
    marker = tmp_path / "pwned"
    obj = _payloads(str(marker))[kind]
    path = tmp_path / "evil.pt"
    if layout == "zip":
        _torch_archive(path, pickle.dumps(obj, protocol=2))
    elif layout == "protocol5":
        _torch_archive(path, pickle.dumps(obj, protocol=5))
    elif layout == "legacy":
        header = b"".join(pickle.dumps(x, protocol=2) for x in
                          (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
        path.write_bytes(header + pickle.dumps(obj, protocol=2) + pickle.dumps([], protocol=2))
    else:
        path.write_bytes(pickle.dumps(obj, protocol=2))
    before = sorted(os.listdir(tmp_path))
    with pytest.raises((pickle.UnpicklingError, RuntimeError), match="evil.pt"):
        ember.load(path)
    assert not marker.exists()
    assert sorted(os.listdir(tmp_path)) == before


def test_refusal_explains_how_to_allow(tmp_path):
    _torch_archive(tmp_path / "evil.pt", pickle.dumps(_Payload(os.system, "true"), protocol=2))
    with pytest.raises(pickle.UnpicklingError) as info:
        ember.load(tmp_path / "evil.pt")
    message = str(info.value)
    assert "posix.system" in message and "weights_only=False" in message
    assert "add_safe_globals" in message and "safe_globals" in message


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


def test_safe_globals_allow_user_classes(tmp_path):
    obj = {"p": Point(1, ember.ones(2)), "w": ember.zeros(1)}
    ember.save(obj, tmp_path / "p.pt")
    with pytest.raises(pickle.UnpicklingError, match="Point"):
        ember.load(tmp_path / "p.pt")
    with safe_globals([Point]):
        assert get_safe_globals() == [Point]
        back = ember.load(tmp_path / "p.pt")
    assert get_safe_globals() == []
    assert back["p"].x == 1 and back["p"].y.tolist() == [1.0, 1.0]
    add_safe_globals([Point])
    assert ember.load(tmp_path / "p.pt")["p"].x == 1
    clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "p.pt")


def test_safe_globals_accept_explicit_names(tmp_path):
    ember.save(Point(3, 4), tmp_path / "p.pt")
    add_safe_globals([(Point, f"{Point.__module__}.Point")])
    assert ember.load(tmp_path / "p.pt") == Point(3, 4)


def test_numpy_needs_to_be_allowed_as_in_torch(tmp_path):
    ember.save({"a": np.arange(3)}, tmp_path / "n.pt")
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        ember.load(tmp_path / "n.pt")
    np.testing.assert_array_equal(ember.load(tmp_path / "n.pt", weights_only=False)["a"],
                                  np.arange(3))


def test_whole_module_needs_weights_only_false(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU())
    model(ember.randn(5, 4))
    model.eval()
    ember.save(model, tmp_path / "model.pt")
    with pytest.raises(pickle.UnpicklingError, match="Sequential.*weights_only=False"):
        ember.load(tmp_path / "model.pt")
    back = ember.load(tmp_path / "model.pt", weights_only=False)
    assert type(back) is nn.Sequential and isinstance(back[0].weight, nn.Parameter)
    x = ember.randn(2, 4)
    np.testing.assert_array_equal(back(x).detach().numpy(), model(x).detach().numpy())
    assert back[0].weight.requires_grad


def test_whole_torch_module_loads_as_ember_module(tmp_path):
    torch = pytest.importorskip("torch")
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
    torch.save(tmodel, tmp_path / "t.pt")
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.container.Sequential"):
        ember.load(tmp_path / "t.pt")
    back = ember.load(tmp_path / "t.pt", weights_only=False)
    assert isinstance(back, nn.Sequential)
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(back(ember.tensor(x)).detach().numpy(),
                               tmodel(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)


def test_weights_only_with_pickle_module_is_refused(tmp_path):
    ember.save([1], tmp_path / "a.pt")
    with pytest.raises(RuntimeError, match="pickle_module"):
        ember.load(tmp_path / "a.pt", pickle_module=pickle, weights_only=True)
    assert ember.load(tmp_path / "a.pt", pickle_module=pickle) == [1]


# ---------------------------------------------------------------------- hand-made hostile pickles
def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _int(n: int) -> bytes:
    if -2**31 <= n < 2**31:
        return b"J" + n.to_bytes(4, "little", signed=True)
    raw = n.to_bytes(16, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


_STORAGE = (b"(" + b"X\x07\x00\x00\x00storage" + _global("torch", "FloatStorage") +
            b"X\x01\x00\x00\x000" + b"X\x03\x00\x00\x00cpu")


def _rebuild(offset: int, size: int, stride: int, numel: int) -> bytes:
    """``_rebuild_tensor_v2`` of a 1-D view (offset, size, stride) on a storage of numel."""
    return (b"\x80\x02" + _global("torch._utils", "_rebuild_tensor_v2") + b"(" + _STORAGE
            + _int(numel) + b"tQ" + _int(offset) + b"(" + _int(size) + b"t(" + _int(stride)
            + b"t\x89" + _global("collections", "OrderedDict") + b")Rt" + b"R.")


@pytest.mark.parametrize("offset,size,stride,numel,record", [
    (0, 5, 1, 4, 16),            # reads past the storage
    (3, 2, 1, 4, 16),            # offset + size past the end
    (0, 2, 1000000, 4, 16),      # a stride out of the storage
    (0, 4, 1, 10**15, 16),       # declared numel does not match the record
    (0, 2**40, 1, 4, 16),        # an over-large view
    (-1, 2, 1, 4, 16),           # negative offset
])
def test_tensor_views_outside_their_storage_are_refused(tmp_path, offset, size, stride, numel,
                                                        record):
    _torch_archive(tmp_path / "bad.pt", _rebuild(offset, size, stride, numel),
                   {"0": b"\x00" * record})
    with pytest.raises(RuntimeError, match="bad.pt"):
        ember.load(tmp_path / "bad.pt")


def test_handmade_rebuild_in_bounds_loads(tmp_path):
    _torch_archive(tmp_path / "ok.pt", _rebuild(1, 2, 1, 4),
                   {"0": np.arange(4, dtype="<f4").tobytes()})
    assert ember.load(tmp_path / "ok.pt").tolist() == [1.0, 2.0]


@pytest.mark.parametrize("pickled", [
    b"\x80\x02" + _global("builtins", "bytearray") + b"(" + _int(2**31 - 1) + b"tR.",
    b"\x80\x02" + _global("torch", "Tensor") + b"(" + _int(2**31 - 1) + b"tR.",
    b"\x80\x02" + _global("torch.nn.parameter", "Parameter") + b"(" + _int(2**31 - 1) + b"t\x81.",
    b"\x80\x02" + _global("_codecs", "encode") + b"(X\x01\x00\x00\x00xX\x04\x00\x00\x00zlibtR.",
    b"\x80\x02" + _global("collections", "OrderedDict") + b")R}X\x09\x00\x00\x00__class__"
    + _global("torch", "Tensor") + b"sb.",
    b"\x80\x02X\xff\xff\xff\x7fabc.",                    # a string longer than the file
    b"\x80\x02\x8e" + (2**62).to_bytes(8, "little") + b".",  # BINBYTES8 of 4 EiB
    b"\x80\x02\x8b" + (2**31 - 1).to_bytes(4, "little") + b".",  # LONG4 longer than the file
    b"\x80\x02h\x05.",                                   # memo key never defined
    b"\x80\x02a.",                                       # stack underflow
    b"\x80\x02]K\x01a" + b"\x00" * 3,                    # garbage opcode
    b"\x80\x02(]].",                                     # malformed stack at STOP
    b"\x80\x02N",                                        # no STOP
    b"\x80\x02\x82\x01.",                                # EXT1 (copyreg registry)
    b"\x80\x02cos\nsystem\n.",                           # naming a callable is enough
], ids=lambda b: b[:40].hex())
def test_hostile_pickles_fail_with_unpickling_or_runtime_error(tmp_path, pickled):
    _torch_archive(tmp_path / "h.pt", pickled)
    with pytest.raises((pickle.UnpicklingError, RuntimeError), match=r"h\.pt"):
        ember.load(tmp_path / "h.pt")


@pytest.mark.parametrize("attribute", ["data", "grad", "_data", "__class__", "requires_grad"])
def test_build_cannot_overwrite_tensor_internals(tmp_path, attribute):
    name = attribute.encode()
    pickled = (_rebuild(0, 1, 1, 1)[:-1] + b"}X" + len(name).to_bytes(4, "little") + name
               + b"]sb.")
    _torch_archive(tmp_path / "b.pt", pickled, {"0": b"\x00" * 4})
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        ember.load(tmp_path / "b.pt")
    ok = _rebuild(0, 1, 1, 1)[:-1] + b"}X\x03\x00\x00\x00tagK\x01sb."  # a new public attribute
    _torch_archive(tmp_path / "ok.pt", ok, {"0": b"\x00" * 4})
    assert ember.load(tmp_path / "ok.pt").tag == 1


def test_a_storage_without_a_record_is_refused(tmp_path):
    _torch_archive(tmp_path / "m.pt", _rebuild(0, 1, 1, 4))
    with pytest.raises(RuntimeError, match="data/0 is missing"):
        ember.load(tmp_path / "m.pt")


def test_ordered_dict_metadata_is_kept(tmp_path):
    sd = pickle.loads(pickle.dumps({}))  # plain dict round trip sanity
    assert sd == {}
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2).state_dict(), buf)
    buf.seek(0)
    loaded = ember.load(buf)
    assert loaded._metadata[""]["version"] == 1
