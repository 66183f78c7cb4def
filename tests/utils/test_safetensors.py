"""ember.utils.safetensors: the safetensors.torch API, written and parsed by ember, checked
against the real safetensors package both ways."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

import ember
from ember.utils import safetensors as est

st_numpy = pytest.importorskip("safetensors.numpy")

_ARRAYS = {
    "w": np.arange(6, dtype=np.float32).reshape(2, 3), "ids": np.array([1, -2], np.int64),
    "mask": np.array([True, False]), "h": np.array([0.5], np.float16),
    "scalar": np.array(2.0, np.float64), "empty": np.zeros((0, 4), np.float32),
    "i8": np.array([-1, 2], np.int8), "i16": np.array([300], np.int16),
    "i32": np.array([7], np.int32), "u8": np.array([255], np.uint8),
}


def _tensors():
    return {k: ember.tensor(v) for k, v in _ARRAYS.items()}


def test_files_written_by_ember_are_read_by_the_safetensors_package(tmp_path):
    est.save_file(_tensors(), tmp_path / "e.safetensors", metadata={"format": "pt"})
    back = st_numpy.load_file(str(tmp_path / "e.safetensors"))
    assert set(back) == set(_ARRAYS)
    for k, v in _ARRAYS.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        np.testing.assert_array_equal(back[k], v)
    from safetensors import safe_open

    with safe_open(str(tmp_path / "e.safetensors"), "np") as f:
        assert f.metadata() == {"format": "pt"}


def test_files_written_by_the_safetensors_package_are_read_by_ember(tmp_path):
    st_numpy.save_file(_ARRAYS, str(tmp_path / "p.safetensors"), metadata={"k": "v"})
    for back in (est.load_file(tmp_path / "p.safetensors"),
                 ember.load(tmp_path / "p.safetensors"),
                 est.load((tmp_path / "p.safetensors").read_bytes())):
        assert set(back) == set(_ARRAYS)
        for k, v in _ARRAYS.items():
            assert isinstance(back[k], ember.Tensor)
            assert back[k].numpy().dtype == v.dtype
            np.testing.assert_array_equal(back[k].numpy(), v)


def test_bytes_api_matches_the_package():
    data = est.save(_tensors())
    back = st_numpy.load(data)
    for k, v in _ARRAYS.items():
        np.testing.assert_array_equal(back[k], v)
    assert set(est.load(st_numpy.save(_ARRAYS))) == set(_ARRAYS)


def test_torch_reads_ember_safetensors(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    est.save_file({"w": ember.randn(3, 4)}, tmp_path / "t.safetensors")
    assert tuple(st_torch.load_file(str(tmp_path / "t.safetensors"))["w"].shape) == (3, 4)
    assert torch.load(tmp_path / "t.safetensors")["w"].dtype == torch.float32


def test_bfloat16_from_the_package_loads_or_fails_clearly(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    st_torch.save_file({"x": torch.tensor([1.0, -2.5], dtype=torch.bfloat16)},
                       str(tmp_path / "bf.safetensors"))
    if not hasattr(ember, "bfloat16"):
        with pytest.raises(RuntimeError, match=r"bf\.safetensors.*bfloat16.*does not support"):
            est.load_file(tmp_path / "bf.safetensors")
    else:
        x = est.load_file(tmp_path / "bf.safetensors")["x"]
        assert x.dtype == ember.bfloat16 and x.float().tolist() == [1.0, -2.5]


def test_non_contiguous_and_shared_tensors_are_refused_as_by_the_package(tmp_path):
    base = ember.randn(4, 4)
    with pytest.raises(ValueError, match="non contiguous"):
        est.save_file({"t": base.t()}, tmp_path / "n.safetensors")
    with pytest.raises(RuntimeError, match="share memory"):
        est.save_file({"a": base, "b": base[1]}, tmp_path / "s.safetensors")
    assert not list(tmp_path.iterdir())


def test_argument_types_are_checked(tmp_path):
    with pytest.raises(TypeError, match="str to Tensor"):
        est.save({"a": np.ones(2)})
    with pytest.raises(TypeError, match="metadata"):
        est.save({"a": ember.ones(2)}, metadata={"k": 1})
    with pytest.raises(RuntimeError, match="CPU only"):
        est.load_file(tmp_path / "x", device="cuda")


def test_header_is_padded_json_in_file_order(tmp_path):
    data = est.save({"b": ember.ones(2, dtype=ember.int8), "a": ember.ones(2)})
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0
    header = json.loads(data[8:8 + n])
    assert header["a"]["data_offsets"] == [0, 8] and header["b"]["data_offsets"] == [8, 10]


@pytest.mark.parametrize("damage", ["truncate-buffer", "truncate-header", "bad-json",
                                    "bad-offsets", "bad-dtype", "gap"])
def test_damaged_files_raise_clear_errors(tmp_path, damage):
    data = est.save({"w": ember.ones(4, 4)})
    (n,) = struct.unpack("<Q", data[:8])
    if damage == "truncate-buffer":
        data = data[:-10]
    elif damage == "truncate-header":
        data = data[:8 + n // 2]
    elif damage == "bad-json":
        data = data[:9] + b"!" + data[10:]
    elif damage == "bad-offsets":
        data = data.replace(b"[0,64]", b"[8,64]")
    elif damage == "bad-dtype":
        data = data.replace(b'"F32"', b'"F8X"')
    else:
        data = data + b"\x00" * 8
    path = tmp_path / "d.safetensors"
    path.write_bytes(data)
    with pytest.raises(RuntimeError, match=r"d\.safetensors"):
        est.load_file(path)
    with pytest.raises(RuntimeError, match=r"d\.safetensors"):
        ember.load(path)
