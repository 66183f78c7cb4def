"""ember.save / ember.load: round trips, safe format, atomic writes, clear errors, and reading
.safetensors / .npz / .npy files."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import serialization


def _same(a, b):
    """Structural equality with tensors compared by dtype, shape, values and requires_grad."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for k in a:
            assert type(k) is type([x for x in b if x == k][0])
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


DTYPES = [ember.float16, ember.float32, ember.float64, ember.int8, ember.int16, ember.int32,
          ember.int64, ember.uint8, ember.bool]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_tensor_round_trip_keeps_dtype_shape_values(tmp_path, dtype):
    t = ember.tensor(np.arange(-3, 9).reshape(3, 4)).to(dtype)
    ember.save(t, tmp_path / "t.pt")
    _same(ember.load(tmp_path / "t.pt"), t)


def test_scalar_empty_and_non_contiguous_tensors_round_trip(tmp_path):
    objs = [ember.tensor(3.5), ember.zeros(0, 3), ember.arange(12).reshape(3, 4).t()]
    ember.save(objs, tmp_path / "x")
    back = ember.load(tmp_path / "x")
    for a, b in zip(objs, back, strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_nested_python_values_round_trip(tmp_path):
    obj = {
        "ints": [1, -2, 2**70], "floats": (0.1, float("inf"), float("-inf"), float("nan")),
        "s": "héllo", "b": b"\x00\xff", "flags": [True, False, None], "empty": ([], {}, ()),
        3: "int key", 2.5: "float key", (1, "a"): "tuple key", None: "none key", True: "bool",
        "np": np.arange(4, dtype=np.int16), "npscalar": np.float32(1.5),
        "dtype": ember.float64,
    }
    ember.save(obj, tmp_path / "o")
    back = ember.load(tmp_path / "o")
    _same(back, obj)
    assert isinstance(back["npscalar"], np.float32)


def test_ordered_dict_order_and_type_are_kept(tmp_path):
    sd = OrderedDict((k, ember.randn(2)) for k in ["z.weight", "a.bias", "m.weight"])
    ember.save(sd, tmp_path / "sd")
    back = ember.load(tmp_path / "sd")
    assert type(back) is OrderedDict and list(back) == list(sd)
    _same(back, sd)


def test_requires_grad_round_trips(tmp_path):
    obj = [ember.randn(2, requires_grad=True), ember.randn(2)]
    ember.save(obj, tmp_path / "g")
    back = ember.load(tmp_path / "g")
    assert back[0].requires_grad and back[0].is_leaf and not back[1].requires_grad


def test_parameters_round_trip_as_parameters(tmp_path):
    nn = pytest.importorskip("ember.nn")
    p = nn.Parameter(ember.randn(3))
    frozen = nn.Parameter(ember.randn(3), requires_grad=False)
    ember.save({"p": p, "f": frozen, "t": ember.ones(1)}, tmp_path / "p")
    back = ember.load(tmp_path / "p")
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    assert isinstance(back["f"], nn.Parameter) and not back["f"].requires_grad
    assert not isinstance(back["t"], nn.Parameter)
    np.testing.assert_array_equal(back["p"].detach().numpy(), p.detach().numpy())


def test_shared_tensor_is_stored_once_and_loads_shared(tmp_path):
    w = ember.randn(4, 4)
    ember.save({"encoder": w, "decoder": w}, tmp_path / "tied")
    with zipfile.ZipFile(tmp_path / "tied") as zf:
        assert sum(n.endswith(".npy") for n in zf.namelist()) == 1
    back = ember.load(tmp_path / "tied")
    assert back["encoder"] is back["decoder"]


def test_loaded_tensors_are_writable_and_independent(tmp_path):
    t = ember.ones(3)
    ember.save(t, tmp_path / "t")
    back = ember.load(tmp_path / "t")
    back._data += 1
    assert t.tolist() == [1.0, 1.0, 1.0] and back.tolist() == [2.0, 2.0, 2.0]


def test_file_objects_work(tmp_path):
    buf = io.BytesIO()
    ember.save({"a": ember.arange(3)}, buf)
    buf.seek(0)
    assert ember.load(buf)["a"].tolist() == [0, 1, 2]
    with open(tmp_path / "f", "wb") as fh:
        ember.save([1, 2], fh)
    with open(tmp_path / "f", "rb") as fh:
        assert ember.load(fh) == [1, 2]


def test_torch_style_load_arguments_are_accepted(tmp_path):
    ember.save([1], tmp_path / "a")
    assert ember.load(tmp_path / "a", map_location="cpu", weights_only=True) == [1]
    with pytest.raises(RuntimeError, match="CPU only"):
        ember.load(tmp_path / "a", map_location="cuda:0")


def test_format_is_a_zip_of_npy_plus_json_manifest(tmp_path):
    opt_state = {"state": {0: {"step": ember.tensor(3.0)}}, "param_groups": [{"params": [0]}]}
    ember.save(opt_state, tmp_path / "c")
    with zipfile.ZipFile(tmp_path / "c") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "ember.checkpoint" and manifest["version"] == 1
        (key, value), _ = manifest["root"]["items"]
        assert key == {"type": "str", "value": "state"}
        int_key = value["items"][0][0]
        assert int_key == {"type": "int", "value": 0}
        step = value["items"][0][1]["items"][0][1]
        assert step["type"] == "tensor" and step["dtype"] == "float32" and step["shape"] == []
        arr = np.load(io.BytesIO(zf.read(step["array"])), allow_pickle=False)
        assert arr.dtype == np.float32 and arr == 3.0


def test_unsupported_objects_raise_type_error_naming_the_place(tmp_path):
    with pytest.raises(TypeError, match=r"cannot store an object of type .*set.*obj\['x'\]"):
        ember.save({"x": {1, 2}}, tmp_path / "bad")
    with pytest.raises(TypeError, match="cannot store a NumPy array of dtype object"):
        ember.save(np.array([object()]), tmp_path / "bad")
    assert not os.path.exists(tmp_path / "bad")
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="contains itself"):
        ember.save(cyclic, tmp_path / "bad")


# ---------------------------------------------------------------------- optimizer checkpoints
def test_optimizer_checkpoint_resumes_the_same_trajectory(tmp_path):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(5, 3)).astype(np.float32)
    xs = [rng.normal(size=(8, 5)).astype(np.float32) for _ in range(4)]

    def step(w, opt, x):
        opt.zero_grad()
        loss = ((ember.tensor(x) @ w).tanh() ** 2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    w = ember.tensor(w0, requires_grad=True)
    opt = ember.optim.Adam([w], lr=0.05, amsgrad=True)
    straight = [step(w, opt, xs[i % 4]) for i in range(12)]

    w = ember.tensor(w0, requires_grad=True)
    opt = ember.optim.Adam([w], lr=0.05, amsgrad=True)
    first = [step(w, opt, xs[i % 4]) for i in range(6)]
    ember.save({"w": w, "opt": opt.state_dict(), "epoch": 6}, tmp_path / "ckpt")
    ckpt = ember.load(tmp_path / "ckpt")
    w2 = ckpt["w"]
    opt2 = ember.optim.Adam([w2], lr=0.05, amsgrad=True)
    opt2.load_state_dict(ckpt["opt"])
    assert set(ckpt["opt"]["state"]) == {0}
    second = [step(w2, opt2, xs[i % 4]) for i in range(6, 12)]
    np.testing.assert_allclose(first + second, straight, rtol=1e-6)


# ---------------------------------------------------------------------- atomic writes
def test_crash_mid_save_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    ember.save({"w": ember.ones(3)}, path)
    before = path.read_bytes()

    class Crash(Exception):
        pass

    real = serialization._write_array
    calls = []

    def crashing(zf, name, arr):
        calls.append(name)
        if len(calls) == 2:  # the first array is written, the second one half-way
            with zf.open(name, "w") as out:
                out.write(b"\x93NUMPY partial")
            raise Crash("disk full")
        real(zf, name, arr)

    monkeypatch.setattr(serialization, "_write_array", crashing)
    with pytest.raises(Crash):
        ember.save({"w": ember.zeros(3), "v": ember.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert ember.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert os.listdir(tmp_path) == ["model.ckpt"]


def test_keyboard_interrupt_mid_save_cleans_up(tmp_path, monkeypatch):
    def interrupted(zf, name, arr):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "_write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ember.save(ember.ones(2), tmp_path / "new.ckpt")
    assert os.listdir(tmp_path) == []


def test_save_overwrites_atomically_with_os_replace(tmp_path, monkeypatch):
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(os.fspath(src)), os.fspath(dst)))
        return real(src, dst)

    monkeypatch.setattr(serialization.os, "replace", spy)
    ember.save([1], tmp_path / "a.ckpt")
    assert seen == [(str(tmp_path), str(tmp_path / "a.ckpt"))]


# ---------------------------------------------------------------------- bad files
def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "nope.ckpt")


def _good_checkpoint(tmp_path):
    path = tmp_path / "good.ckpt"
    ember.save({"w": ember.randn(64, 64), "b": ember.zeros(64)}, path)
    return path


@pytest.mark.parametrize("cut", [0.5, 0.9, 10, 3])
def test_truncated_checkpoint_raises_clear_error(tmp_path, cut):
    data = _good_checkpoint(tmp_path).read_bytes()
    n = int(len(data) * cut) if isinstance(cut, float) else cut
    bad = tmp_path / "trunc.ckpt"
    bad.write_bytes(data[:n])
    with pytest.raises(RuntimeError, match="trunc.ckpt"):
        ember.load(bad)


def test_corrupted_array_bytes_are_detected(tmp_path):
    data = bytearray(_good_checkpoint(tmp_path).read_bytes())
    data[2000] ^= 0xFF  # inside the first array's data: the zip CRC no longer matches
    bad = tmp_path / "flip.ckpt"
    bad.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="flip.ckpt"):
        ember.load(bad)


@pytest.mark.parametrize("content", [b"", b"hello world, not a checkpoint", os.urandom(300)],
                         ids=["empty", "text", "random"])
def test_foreign_files_raise_clear_error(tmp_path, content):
    bad = tmp_path / "foreign.bin"
    bad.write_bytes(content)
    with pytest.raises((RuntimeError, ValueError), match="foreign.bin"):
        ember.load(bad)


def test_foreign_zip_and_bad_manifests_raise_clear_errors(tmp_path):
    def write(name, members):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for member, data in members.items():
                zf.writestr(member, data)
        return path

    cases = {
        "other.zip": {"readme.txt": "hi"},
        "notjson.ckpt": {"manifest.json": "{not json"},
        "otherformat.ckpt": {"manifest.json": json.dumps({"format": "x", "version": 1})},
        "future.ckpt": {"manifest.json": json.dumps({"format": "ember.checkpoint",
                                                     "version": 99, "root": {}})},
        "badnode.ckpt": {"manifest.json": json.dumps({"format": "ember.checkpoint",
                                                      "version": 1,
                                                      "root": {"type": "pickle"}})},
        "missingarray.ckpt": {"manifest.json": json.dumps({
            "format": "ember.checkpoint", "version": 1,
            "root": {"type": "tensor", "array": "arrays/0.npy", "dtype": "float32",
                     "shape": [2], "requires_grad": False, "parameter": False}})},
    }
    for name, members in cases.items():
        with pytest.raises(RuntimeError, match=name.replace(".", r"\.")):
            ember.load(write(name, members))


def _write_one_array_checkpoint(path, array: np.ndarray, root: dict) -> None:
    """A hand-made checkpoint: ``array`` as arrays/0.npy and a manifest whose root is ``root``."""
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=array.dtype == object)
    manifest = {"format": "ember.checkpoint", "version": 1, "root": root}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("arrays/0.npy", buf.getvalue())
        zf.writestr("manifest.json", json.dumps(manifest))


def test_manifest_dtype_mismatch_is_detected(tmp_path):
    path = tmp_path / "m.ckpt"
    _write_one_array_checkpoint(
        path, np.zeros(2, np.float64),
        {"type": "tensor", "array": "arrays/0.npy", "dtype": "float32", "shape": [2],
         "requires_grad": False, "parameter": False})
    with pytest.raises(RuntimeError, match="manifest says float32"):
        ember.load(path)


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "p.ckpt"
    _write_one_array_checkpoint(
        path, np.array([{"evil": 1}], dtype=object),
        {"type": "ndarray", "array": "arrays/0.npy", "dtype": "object", "shape": [1]})
    with pytest.raises(RuntimeError, match="p.ckpt"):
        ember.load(path)


def test_torch_pickle_checkpoints_are_refused_not_unpickled(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(RuntimeError, match="torch.pt"):
        ember.load(path)


# ---------------------------------------------------------------------- interop formats
def _safetensors_bytes(tensors: dict, metadata=None) -> bytes:
    """Write a .safetensors file by hand: u64 header length, JSON header, raw buffers."""
    codes = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64",
             np.dtype("int32"): "I32", np.dtype("uint8"): "U8", np.dtype("bool"): "BOOL",
             np.dtype("float16"): "F16", np.dtype("int8"): "I8", np.dtype("int16"): "I16"}
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        code = arr.attrs if hasattr(arr, "attrs") else codes[arr.dtype]
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def test_load_handwritten_safetensors(tmp_path):
    arrays = {
        "w": np.arange(6, dtype=np.float32).reshape(2, 3), "ids": np.array([1, -2], np.int64),
        "mask": np.array([True, False]), "h": np.array([0.5], np.float16),
        "scalar": np.array(2.0, np.float64), "empty": np.zeros((0, 4), np.float32),
        "i8": np.array([-1, 2], np.int8), "i16": np.array([300], np.int16),
        "i32": np.array([7], np.int32), "u8": np.array([255], np.uint8),
    }
    path = tmp_path / "model.safetensors"
    path.write_bytes(_safetensors_bytes(arrays, metadata={"format": "pt"}))
    back = ember.load(path)
    assert list(back) == list(arrays)
    for name, arr in arrays.items():
        assert isinstance(back[name], ember.Tensor)
        assert back[name].numpy().dtype == arr.dtype
        np.testing.assert_array_equal(back[name].numpy(), arr)
    back["w"]._data += 1  # writable, not a view of a read-only buffer


def test_load_safetensors_bfloat16_upcasts_exactly(tmp_path):
    values = np.array([1.0, -2.5, 3.140625], np.float32)
    bf16 = (values.view(np.uint32) >> 16).astype(np.uint16)
    raw = bf16.astype("<u2").tobytes()
    head = json.dumps({"x": {"dtype": "BF16", "shape": [3], "data_offsets": [0, len(raw)]}})
    path = tmp_path / "bf.safetensors"
    path.write_bytes(struct.pack("<Q", len(head)) + head.encode() + raw)
    x = ember.load(path)["x"]
    assert x.dtype == ember.float32
    np.testing.assert_array_equal(x.numpy(), values)


@pytest.mark.parametrize("damage", ["truncate-buffer", "truncate-header", "bad-json",
                                    "bad-offsets", "bad-dtype"])
def test_damaged_safetensors_raise_clear_errors(tmp_path, damage):
    data = _safetensors_bytes({"w": np.ones((4, 4), np.float32)})
    (n,) = struct.unpack("<Q", data[:8])
    if damage == "truncate-buffer":
        data = data[:-10]
    elif damage == "truncate-header":
        data = data[:8 + n // 2]
    elif damage == "bad-json":
        data = data[:9] + b"!" + data[10:]
    elif damage == "bad-offsets":
        data = data.replace(b"[0, 64]", b"[8, 64]")
    else:
        data = data.replace(b'"F32"', b'"F8X"')
    path = tmp_path / "d.safetensors"
    path.write_bytes(data)
    with pytest.raises(RuntimeError, match="d.safetensors"):
        ember.load(path)


def test_load_safetensors_written_by_the_safetensors_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    arrays = {"a": np.arange(5, dtype=np.float32), "b": np.eye(3, dtype=np.float64)}
    st.save_file(arrays, str(tmp_path / "x.safetensors"))
    back = ember.load(tmp_path / "x.safetensors")
    for k, v in arrays.items():
        np.testing.assert_array_equal(back[k].numpy(), v)


def test_load_npz_and_npy(tmp_path):
    np.savez(tmp_path / "a.npz", w=np.ones((2, 2), np.float32), step=np.array(3))
    back = ember.load(tmp_path / "a.npz")
    assert set(back) == {"w", "step"}
    assert back["w"].dtype == ember.float32 and back["step"].item() == 3
    np.savez_compressed(tmp_path / "c.npz", x=np.arange(4.0))
    assert ember.load(tmp_path / "c.npz")["x"].tolist() == [0.0, 1.0, 2.0, 3.0]
    np.save(tmp_path / "v.npy", np.arange(3, dtype=np.int32))
    v = ember.load(tmp_path / "v.npy")
    assert isinstance(v, ember.Tensor) and v.dtype == ember.int32


def test_npz_with_pickled_object_arrays_is_refused(tmp_path):
    np.savez(tmp_path / "o.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(RuntimeError, match="o.npz"):
        ember.load(tmp_path / "o.npz")


def test_npy_fortran_order_and_big_endian_load_as_native_c_arrays(tmp_path):
    a = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.save(tmp_path / "f.npy", a)
    np.save(tmp_path / "b.npy", np.arange(4, dtype=">i4"))
    f, b = ember.load(tmp_path / "f.npy"), ember.load(tmp_path / "b.npy")
    np.testing.assert_array_equal(f.numpy(), a)
    assert f.numpy().flags.c_contiguous
    assert b.dtype == ember.int32 and b.tolist() == [0, 1, 2, 3]


def test_truncated_npy_raises_clear_error(tmp_path):
    np.save(tmp_path / "t.npy", np.ones(100))
    data = (tmp_path / "t.npy").read_bytes()
    (tmp_path / "t.npy").write_bytes(data[:-8])
    with pytest.raises(RuntimeError, match=r"t\.npy.*truncated"):
        ember.load(tmp_path / "t.npy")


def test_non_seekable_streams_load(tmp_path):
    ember.save({"a": ember.ones(2)}, tmp_path / "s")

    class Stream(io.RawIOBase):
        def __init__(self, data):
            self._inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self._inner.readinto(b)

    assert ember.load(Stream((tmp_path / "s").read_bytes()))["a"].tolist() == [1.0, 1.0]
