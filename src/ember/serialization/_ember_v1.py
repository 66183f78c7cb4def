"""Reading ember's earlier checkpoint format (version 1), which ``ember.save`` wrote before it
wrote PyTorch's: a ZIP of ``arrays/<n>.npy`` plus ``manifest.json`` describing the object as a
tree of typed JSON nodes (see docs/FORMAT.md). It never held pickles, so it is read with
``json`` and the ``.npy`` reader only.
"""

from __future__ import annotations

import base64
import json
from collections import OrderedDict
from typing import Any

import numpy as np

from .. import _dtype
from ..nn.parameter import Parameter
from ..tensor import Tensor, _from_array
from ._errors import FormatError
from ._numpy_formats import read_npy_record
from ._zip_reader import ZipReader

FORMAT = "ember.checkpoint"
VERSION = 1
MANIFEST = "manifest.json"
_MAX_MANIFEST = 1 << 28


def read(reader: ZipReader) -> Any:
    record = reader.records[MANIFEST]
    if record.size > _MAX_MANIFEST:
        raise FormatError(f"the manifest declares {record.size} bytes (over-large)")
    try:
        manifest = json.loads(reader.read_bytes(record))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise FormatError(f"corrupted manifest ({type(e).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise FormatError("the manifest is not an ember checkpoint manifest")
    if manifest.get("version") != VERSION:
        raise FormatError(f"unsupported checkpoint version {manifest.get('version')!r} "
                          f"(this ember reads version {VERSION})")
    try:
        return _Decoder(reader).decode(manifest["root"])
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as e:
        raise FormatError(f"corrupted manifest ({type(e).__name__}: {e})") from None


class _Decoder:
    def __init__(self, reader: ZipReader) -> None:
        self.reader = reader
        self.loaded: dict[str, Any] = {}

    def _array(self, node: dict) -> np.ndarray:
        member = node["array"]
        record = self.reader.records.get(member)
        if record is None:
            raise FormatError(f"array {member} is missing")
        arr = read_npy_record(self.reader, record, f"array {member}")
        if arr.dtype.name != node["dtype"] or list(arr.shape) != list(node["shape"]):
            raise FormatError(f"array {member} is {arr.dtype.name} {list(arr.shape)} but the "
                              f"manifest says {node['dtype']} {node['shape']}")
        return arr

    def decode(self, node: dict) -> Any:
        kind = node["type"]
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = node["value"]
            if type(value) is not {"bool": bool, "int": int, "str": str}[kind]:
                raise FormatError(f"a {kind} node holds {value!r}")
            return value
        if kind == "float":
            return float(node["value"])
        if kind == "bytes":
            return base64.b64decode(node["value"], validate=True)
        if kind == "dtype":
            return _dtype._by_name(node["value"])
        if kind in ("list", "tuple"):
            items = [self.decode(n) for n in node["items"]]
            return tuple(items) if kind == "tuple" else items
        if kind in ("dict", "ordered_dict"):
            out = OrderedDict() if kind == "ordered_dict" else {}
            for key, value in node["items"]:
                out[self.decode(key)] = self.decode(value)
            return out
        if kind in ("tensor", "ndarray"):
            member = node["array"]
            if member not in self.loaded:  # the same tensor saved twice: one object again
                arr = self._array(node)
                if kind == "ndarray":
                    self.loaded[member] = arr[()] if node.get("scalar") else arr
                else:
                    self.loaded[member] = self._tensor(arr, node)
            return self.loaded[member]
        raise FormatError(f"unknown node type {kind!r} in the manifest")

    @staticmethod
    def _tensor(arr: np.ndarray, node: dict) -> Tensor:
        requires_grad = bool(node.get("requires_grad", False))
        if node.get("parameter"):
            return Parameter(_from_array(arr), requires_grad=requires_grad)
        t = _from_array(arr)
        if requires_grad:
            t.requires_grad_(True)
        return t
