"""Checkpoints in ember's earlier format (a ZIP of .npy arrays plus a JSON manifest) still load."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import numpy as np
import pytest

import ember
from ember import nn


def _v1(path, root: dict, arrays: list[np.ndarray]) -> None:
    """Write a version-1 checkpoint as ember used to."""
    with zipfile.ZipFile(path, "w") as zf:
        for i, arr in enumerate(arrays):
            buf = io.BytesIO()
            np.save(buf, arr, allow_pickle=arr.dtype == object)
            zf.writestr(f"arrays/{i}.npy", buf.getvalue())
        zf.writestr("manifest.json", json.dumps({"format": "ember.checkpoint", "version": 1,
                                                 "root": root}))


def _tensor(i, arr, requires_grad=False, parameter=False):
    return {"type": "tensor", "array": f"arrays/{i}.npy", "dtype": arr.dtype.name,
            "shape": list(arr.shape), "requires_grad": requires_grad, "parameter": parameter}


def test_version_1_checkpoint_loads_with_types_kept(tmp_path):
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    step = np.array(3.0, np.float32)
    root = {"type": "ordered_dict", "items": [
        [{"type": "str", "value": "w"}, _tensor(0, w, True, True)],
        [{"type": "str", "value": "tied"}, _tensor(0, w, True, True)],
        [{"type": "int", "value": 0}, {"type": "dict", "items": [
            [{"type": "str", "value": "step"}, _tensor(1, step)]]}],
        [{"type": "str", "value": "misc"}, {"type": "tuple", "items": [
            {"type": "float", "value": "nan"}, {"type": "bool", "value": True},
            {"type": "none"}, {"type": "bytes", "value": base64.b64encode(b"\x00").decode()},
            {"type": "dtype", "value": "float64"}, {"type": "list", "items": []}]}],
    ]}
    _v1(tmp_path / "old.ckpt", root, [w, step])
    back = ember.load(tmp_path / "old.ckpt")
    assert list(back) == ["w", "tied", 0, "misc"]
    assert isinstance(back["w"], nn.Parameter) and back["w"].requires_grad
    assert back["w"] is back["tied"]
    assert back[0]["step"].item() == 3.0
    misc = back["misc"]
    assert misc[0] != misc[0] and misc[1:] == (True, None, b"\x00", ember.float64, [])


@pytest.mark.parametrize("manifest", [
    "{not json",
    json.dumps({"format": "x", "version": 1}),
    json.dumps({"format": "ember.checkpoint", "version": 99, "root": {}}),
    json.dumps({"format": "ember.checkpoint", "version": 1, "root": {"type": "pickle"}}),
    json.dumps({"format": "ember.checkpoint", "version": 1, "root": {"type": "int",
                                                                     "value": "1"}}),
    json.dumps({"format": "ember.checkpoint", "version": 1,
                "root": _tensor(0, np.zeros(2, np.float32))}),
], ids=["bad-json", "other-format", "future-version", "bad-node", "bad-int", "missing-array"])
def test_bad_manifests_raise_clear_errors(tmp_path, manifest):
    with zipfile.ZipFile(tmp_path / "m.ckpt", "w") as zf:
        zf.writestr("manifest.json", manifest)
    with pytest.raises(RuntimeError, match=r"m\.ckpt"):
        ember.load(tmp_path / "m.ckpt")


def test_manifest_and_array_disagreeing_is_detected(tmp_path):
    arr = np.zeros(2, np.float64)
    root = _tensor(0, arr) | {"dtype": "float32"}
    _v1(tmp_path / "m.ckpt", root, [arr])
    with pytest.raises(RuntimeError, match="manifest says float32"):
        ember.load(tmp_path / "m.ckpt")


def test_pickled_arrays_are_refused(tmp_path):
    arr = np.array([{"evil": 1}], dtype=object)
    _v1(tmp_path / "p.ckpt", {"type": "ndarray", "array": "arrays/0.npy", "dtype": "object",
                              "shape": [1]}, [arr])
    with pytest.raises(RuntimeError, match=r"p\.ckpt.*Python object"):
        ember.load(tmp_path / "p.ckpt")
