""".npy and .npz files: loaded without pickle, only in dtypes ember holds, with a clear error
for the rest (strings, datetimes, complex, objects, structured arrays)."""

from __future__ import annotations

import numpy as np
import pytest

import ember


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32",
                                   "int64", "uint8", "bool"])
def test_npy_of_every_ember_dtype_loads(tmp_path, dtype):
    arr = np.arange(-3, 9).reshape(3, 4).astype(dtype)
    np.save(tmp_path / "a.npy", arr)
    t = ember.load(tmp_path / "a.npy")
    assert isinstance(t, ember.Tensor) and t.dtype == getattr(ember, dtype if dtype != "bool"
                                                              else "bool")
    np.testing.assert_array_equal(t.numpy(), arr)


@pytest.mark.parametrize("arr,words", [
    (np.array(["hello", "abc"]), "<U5.*unicode string"),
    (np.array([b"ab"]), "byte string"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime"),
    (np.array([1], dtype="timedelta64[s]"), "timedelta"),
    (np.array([1 + 2j]), "complex128|<c16.*complex"),
    (np.zeros(2, dtype=[("a", "i4"), ("b", "f4")]), "structured"),
    (np.array([1], dtype=np.uint16), "uint16|<u2"),
], ids=["unicode", "bytes", "datetime", "timedelta", "complex128", "structured", "uint16"])
def test_npy_of_dtypes_ember_lacks_is_refused_clearly(tmp_path, arr, words):
    np.save(tmp_path / "bad.npy", arr)
    with pytest.raises(RuntimeError, match=rf"bad\.npy.*({words})"):
        ember.load(tmp_path / "bad.npy")
    np.savez(tmp_path / "bad.npz", x=arr)
    with pytest.raises(RuntimeError, match=r"bad\.npz"):
        ember.load(tmp_path / "bad.npz")


def test_object_arrays_are_refused_without_unpickling(tmp_path):
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(RuntimeError, match=r"o\.npy.*Python object"):
        ember.load(tmp_path / "o.npy")
    np.savez(tmp_path / "o.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(RuntimeError, match=r"o\.npz"):
        ember.load(tmp_path / "o.npz")


def test_npz_loads_as_dict_of_tensors(tmp_path):
    np.savez(tmp_path / "a.npz", w=np.ones((2, 2), np.float32), step=np.array(3))
    back = ember.load(tmp_path / "a.npz")
    assert list(back) == ["w", "step"]
    assert back["w"].dtype == ember.float32 and back["step"].item() == 3
    np.savez_compressed(tmp_path / "c.npz", x=np.arange(4.0))
    assert ember.load(tmp_path / "c.npz")["x"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_fortran_order_and_big_endian_load_as_native_c_arrays(tmp_path):
    a = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.save(tmp_path / "f.npy", a)
    np.save(tmp_path / "b.npy", np.arange(4, dtype=">i4"))
    f, b = ember.load(tmp_path / "f.npy"), ember.load(tmp_path / "b.npy")
    np.testing.assert_array_equal(f.numpy(), a)
    assert f.numpy().flags.c_contiguous
    assert b.dtype == ember.int32 and b.tolist() == [0, 1, 2, 3]
    assert b.numpy().dtype.isnative


def test_truncated_npy_says_so(tmp_path):
    np.save(tmp_path / "t.npy", np.ones(100))
    data = (tmp_path / "t.npy").read_bytes()
    (tmp_path / "t.npy").write_bytes(data[:-8])
    with pytest.raises(RuntimeError, match=r"t\.npy.*truncated"):
        ember.load(tmp_path / "t.npy")


def test_loaded_npy_is_writable(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros(3, np.float32))
    t = ember.load(tmp_path / "w.npy")
    t._data += 1
    assert t.tolist() == [1.0, 1.0, 1.0]
