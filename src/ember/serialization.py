"""Checkpoints: ``ember.save(obj, f)`` and ``ember.load(f)``, in a format that is safe to load.

Format (see docs/FORMAT.md)
---------------------------
A checkpoint is a ZIP archive (stored, uncompressed) holding:

* ``manifest.json``: ``{"format": "ember.checkpoint", "version": 1, "root": <node>}``, the
  structure of the saved object as JSON;
* ``arrays/<n>.npy``: one standard ``.npy`` file per distinct tensor or array.

Each node is a JSON object with a ``"type"``:

* ``none``, ``bool``, ``int``, ``str`` with ``"value"``; ``float`` with ``"value"`` (a number,
  or ``"nan"``/``"inf"``/``"-inf"``); ``bytes`` with base64 ``"value"``;
* ``list`` and ``tuple`` with ``"items"`` (a list of nodes);
* ``dict`` and ``ordered_dict`` with ``"items"``: a list of ``[key node, value node]`` pairs, in
  order (keys keep their type: the int keys of optimizer state stay ints);
* ``tensor``: ``"array"`` (member name), ``"dtype"``, ``"shape"``, ``"requires_grad"`` and
  ``"parameter"`` (True for ``ember.nn.Parameter``);
* ``ndarray`` (a NumPy array; ``"scalar": true`` for a NumPy scalar) with ``"array"``,
  ``"dtype"``, ``"shape"``;
* ``dtype`` with ``"value"`` (an ember dtype name such as ``"float32"``).

A tensor saved twice in one object (tied weights) is stored once and loads as one tensor.
Loading reads the manifest with ``json`` and the arrays with ``np.load(allow_pickle=False)``:
nothing in the file can execute code. Namedtuples load as tuples; views load as copies.

``ember.load`` also reads ``.safetensors`` files (parsed here: an 8-byte little-endian header
length, a JSON header, raw little-endian buffers), ``.npz`` archives and single ``.npy`` files;
each loads as a dict of tensors (a tensor for ``.npy``).

Saving writes a temporary file in the destination directory and moves it into place with
``os.replace``, so a crash mid-save never leaves a truncated checkpoint where a good one was.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import struct
import tempfile
import zipfile
from collections import OrderedDict
from typing import Any, BinaryIO

import numpy as np

from . import _dtype
from .nn.parameter import Parameter
from .tensor import Tensor, _from_array

__all__ = ["save", "load"]

FORMAT = "ember.checkpoint"
VERSION = 1
_MANIFEST = "manifest.json"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_MAGIC = b"\x93NUMPY"


# ====================================================================== saving
def save(obj: Any, f, pickle_module=None, pickle_protocol=None,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` (tensors, state_dicts, nested containers of them) to ``f``.

    Args:
        obj: a Tensor, NumPy array, number, string, bool, None, or dicts (any of those as
            keys), lists and tuples nesting them; e.g. ``model.state_dict()`` or
            ``{"model": ..., "optimizer": opt.state_dict(), "epoch": 3}``.
        f: a path (written atomically) or a writable binary file object.
        pickle_module, pickle_protocol, _use_new_zipfile_serialization: accepted for
            compatibility with ``torch.save``; ignored (nothing is pickled).

    Raises:
        TypeError: ``obj`` contains a value of an unsupported type (the message names it and
            where it is).
        ValueError: ``obj`` contains itself.
    """
    arrays: list[np.ndarray] = []
    root = _Encoder(arrays).encode(obj, "obj")
    manifest = json.dumps({"format": FORMAT, "version": VERSION, "root": root},
                          allow_nan=False, separators=(",", ":")).encode()
    if hasattr(f, "write"):
        _write_zip(f, manifest, arrays)
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_zip(fh, manifest, arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: str) -> None:
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _write_zip(fh: BinaryIO, manifest: bytes, arrays: list[np.ndarray]) -> None:
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for i, arr in enumerate(arrays):
            _write_array(zf, _array_name(i), arr)
        zf.writestr(_MANIFEST, manifest)


def _write_array(zf: zipfile.ZipFile, name: str, arr: np.ndarray) -> None:
    with zf.open(name, "w", force_zip64=arr.nbytes > 2**30) as out:
        np.lib.format.write_array(out, arr if arr.flags.c_contiguous else arr.copy(order="C"),
                                  allow_pickle=False)


def _array_name(i: int) -> str:
    return f"arrays/{i}.npy"


class _Encoder:
    """Turns an object into manifest nodes, collecting its arrays (each distinct one once)."""

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self.arrays = arrays
        self.memo: dict[int, tuple[Any, int]] = {}  # id -> (object kept alive, array index)
        self.active: set[int] = set()
        self.parameter = Parameter

    def _array_index(self, obj, arr: np.ndarray) -> int:
        hit = self.memo.get(id(obj))
        if hit is not None:
            return hit[1]
        self.arrays.append(arr)
        self.memo[id(obj)] = (obj, len(self.arrays) - 1)
        return len(self.arrays) - 1

    def encode(self, obj, where: str) -> dict:
        if obj is None:
            return {"type": "none"}
        if isinstance(obj, bool):
            return {"type": "bool", "value": obj}
        if isinstance(obj, Tensor):
            arr = obj._data
            _check_dtype(arr.dtype, where)
            param = self.parameter is not None and isinstance(obj, self.parameter)
            return {"type": "tensor", "array": _array_name(self._array_index(obj, arr)),
                    "dtype": arr.dtype.name, "shape": list(arr.shape),
                    "requires_grad": bool(obj._requires_grad), "parameter": param}
        if isinstance(obj, _dtype.dtype):
            return {"type": "dtype", "value": obj.name}
        if isinstance(obj, (np.ndarray, np.generic)):
            arr = np.asarray(obj)
            if arr.dtype.hasobject or arr.dtype.kind not in "biufc":
                raise TypeError(f"ember.save: cannot store a NumPy array of dtype {arr.dtype} "
                                f"(at {where})")
            node = {"type": "ndarray", "array": _array_name(self._array_index(obj, arr)),
                    "dtype": arr.dtype.name, "shape": list(arr.shape)}
            if isinstance(obj, np.generic):
                node["scalar"] = True
            return node
        if isinstance(obj, int):
            return {"type": "int", "value": int(obj)}
        if isinstance(obj, float):
            value = float(obj)
            return {"type": "float", "value": value if math.isfinite(value) else repr(value)}
        if isinstance(obj, str):
            return {"type": "str", "value": str(obj)}
        if isinstance(obj, (bytes, bytearray)):
            return {"type": "bytes", "value": base64.b64encode(bytes(obj)).decode("ascii")}
        if isinstance(obj, (list, tuple, dict)):
            if id(obj) in self.active:
                raise ValueError(f"ember.save: the object contains itself (at {where})")
            self.active.add(id(obj))
            try:
                return self._container(obj, where)
            finally:
                self.active.discard(id(obj))
        raise TypeError(
            f"ember.save: cannot store an object of type {type(obj).__module__}."
            f"{type(obj).__qualname__} (at {where}); supported: tensors, NumPy arrays, numbers, "
            "strings, bytes, bools, None, and dicts, lists and tuples of them"
        )

    def _container(self, obj, where: str) -> dict:
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                key = self.encode(k, f"{where} key {k!r}")
                if key["type"] in ("tensor", "ndarray", "list", "dict", "ordered_dict"):
                    raise TypeError(f"ember.save: unsupported dict key {k!r} (at {where})")
                items.append([key, self.encode(v, f"{where}[{k!r}]")])
        else:
            items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, OrderedDict):
            kind = "ordered_dict"
        elif isinstance(obj, dict):
            kind = "dict"
        else:
            kind = "tuple" if isinstance(obj, tuple) else "list"
        return {"type": kind, "items": items}


def _check_dtype(dtype: np.dtype, where: str) -> None:
    try:
        _dtype.from_numpy_dtype(dtype)
    except TypeError:
        raise TypeError(f"ember.save: tensor of unsupported dtype {dtype} (at {where})") from None


# ====================================================================== loading
def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args) -> Any:
    """Load what ``ember.save`` wrote (or a ``.safetensors``, ``.npz`` or ``.npy`` file).

    Args:
        f: a path or a readable binary file object.
        map_location: accepted for compatibility; only the CPU exists ("cpu", None, or a
            ``device``).
        pickle_module, weights_only, mmap: accepted for compatibility with ``torch.load``;
            loading never unpickles, so it is always weights-only safe.

    Returns:
        The saved object: tensors come back as Tensors (Parameters where saved as such, with
        their requires_grad), dicts keep their key types and order, tuples stay tuples.
        ``.safetensors``/``.npz`` files load as dicts of tensors, ``.npy`` as a tensor.

    Raises:
        FileNotFoundError: the path does not exist.
        RuntimeError: the file is truncated, corrupted or of an unknown format (the message
            names the file).
    """
    if isinstance(map_location, str) and map_location.split(":")[0] != "cpu":
        raise RuntimeError(f"ember runs on the CPU only; cannot map to {map_location!r}")
    if hasattr(f, "read"):
        name = str(getattr(f, "name", None) or "<file object>")
        seekable = getattr(f, "seekable", lambda: False)()
        return _load_file(f if seekable else io.BytesIO(f.read()), name)
    path = os.fspath(f)
    with open(path, "rb") as fh:  # FileNotFoundError names the path
        return _load_file(fh, path)


class _FormatError(Exception):
    """A problem inside a file, reported with its name by ``load``."""


_LOAD_ERRORS = (_FormatError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, KeyError,
                TypeError, IndexError, OSError, EOFError, struct.error, UnicodeDecodeError,
                RecursionError, AttributeError)


def _load_file(fh: BinaryIO, name: str) -> Any:
    """Recognise the format by content and load it; every failure names the file."""
    try:
        start = fh.tell()
        magic = fh.read(16)
        fh.seek(start)
        if magic[:4] in _ZIP_MAGIC:
            return _load_zip(fh)
        if magic[:6] == _NPY_MAGIC:
            return _from_array(_read_npy(fh))
        if _looks_like_safetensors(magic) or name.endswith(".safetensors"):
            return _load_safetensors(fh)
        if not magic:
            raise _FormatError("the file is empty")
        raise _FormatError("unrecognised format (expected an ember checkpoint, .safetensors, "
                           ".npz or .npy file)")
    except _LOAD_ERRORS as e:
        detail = str(e) or type(e).__name__
        raise RuntimeError(f"ember.load: cannot load {name!r}: {detail}") from e


def _read_exactly(fh: BinaryIO, arr: np.ndarray, what: str) -> None:
    """Fill ``arr`` (C-contiguous) from ``fh`` without intermediate copies."""
    view = memoryview(arr.reshape(-1).view(np.uint8))
    done = 0
    while done < len(view):
        n = fh.readinto(view[done:])
        if not n:
            raise _FormatError(f"{what} is truncated ({done} of {len(view)} bytes)")
        done += n


def _read_npy(fh: BinaryIO) -> np.ndarray:
    """Read one .npy stream into a fresh, writable, native-endian C array; never unpickles."""
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    else:  # rare (3.0: utf-8 field names): let NumPy read it, still without pickle
        rest = fh.read()
        header = np.lib.format.MAGIC_PREFIX + bytes(version)
        return _native(np.load(io.BytesIO(header + rest), allow_pickle=False))
    if dtype.hasobject:
        raise _FormatError(f"refusing an array of dtype {dtype} (it would need unpickling)")
    arr = np.empty(shape[::-1] if fortran else shape, dtype=dtype)
    _read_exactly(fh, arr, "array data")
    if fortran:
        arr = arr.T
    return _native(arr)


def _native(arr: np.ndarray) -> np.ndarray:
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if not arr.flags.c_contiguous or not arr.flags.writeable:
        arr = arr.copy(order="C")
    return arr


def _read_member(zf: zipfile.ZipFile, member: str) -> np.ndarray:
    with zf.open(member) as fh:
        arr = _read_npy(fh)
        if fh.read(1):  # reading to the end also makes zipfile verify the CRC
            raise _FormatError(f"{member} has trailing data")
    return arr


def _load_zip(fh: BinaryIO) -> Any:
    with zipfile.ZipFile(fh) as zf:
        names = zf.namelist()
        if _MANIFEST in names:
            try:
                manifest = json.loads(zf.read(_MANIFEST))
            except json.JSONDecodeError as e:
                raise _FormatError(f"corrupted manifest ({e})") from e
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _FormatError("the manifest is not an ember checkpoint manifest")
            if manifest.get("version") != VERSION:
                raise _FormatError(f"unsupported checkpoint version {manifest.get('version')!r}"
                                   f" (this ember reads version {VERSION})")
            return _Decoder(zf).decode(manifest["root"])
        if names and all(n.endswith(".npy") for n in names):  # an .npz archive
            return {n[:-4]: _from_array(_read_member(zf, n)) for n in names}
        raise _FormatError("a ZIP archive that is neither an ember checkpoint nor an .npz")


class _Decoder:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.loaded: dict[str, Any] = {}
        self.parameter = Parameter

    def _array(self, node: dict) -> np.ndarray:
        arr = _read_member(self.zf, node["array"])
        if arr.dtype.name != node["dtype"] or list(arr.shape) != list(node["shape"]):
            raise _FormatError(
                f"array {node['array']} is {arr.dtype.name} {list(arr.shape)} but the manifest "
                f"says {node['dtype']} {node['shape']}"
            )
        return arr

    def decode(self, node: dict) -> Any:
        kind = node["type"]
        if kind == "none":
            return None
        if kind in ("bool", "int", "str"):
            value = node["value"]
            expected = {"bool": bool, "int": int, "str": str}[kind]
            if type(value) is not expected:
                raise _FormatError(f"a {kind} node holds {value!r}")
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
            if member in self.loaded:  # the same tensor saved twice: one object again
                return self.loaded[member]
            arr = self._array(node)
            if kind == "ndarray":
                obj = arr[()] if node.get("scalar") else arr
            else:
                _check_dtype(arr.dtype, member)
                obj = self._tensor(arr, node)
            self.loaded[member] = obj
            return obj
        raise _FormatError(f"unknown node type {kind!r} in the manifest")

    def _tensor(self, arr: np.ndarray, node: dict) -> Tensor:
        requires_grad = bool(node.get("requires_grad", False))
        if node.get("parameter") and self.parameter is not None:
            return self.parameter(_from_array(arr), requires_grad=requires_grad)
        t = _from_array(arr)
        if requires_grad:
            t.requires_grad_(True)
        return t


# ---------------------------------------------------------------------- safetensors
_SAFETENSORS_DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
    "I8": "i1", "U8": "u1", "BOOL": "?", "BF16": "<u2", "U16": "<u2", "U32": "<u4",
}


def _looks_like_safetensors(magic: bytes) -> bool:
    return len(magic) >= 9 and magic[8:9] == b"{"


def _load_safetensors(fh: BinaryIO) -> dict[str, Tensor]:
    """Parse a .safetensors file: u64 header size, JSON header, then the raw buffers."""
    start = fh.tell()
    size = fh.seek(0, io.SEEK_END) - start
    fh.seek(start)
    head = fh.read(8)
    if len(head) < 8:
        raise _FormatError("truncated safetensors file (no header size)")
    (n,) = struct.unpack("<Q", head)
    if n > size - 8:
        raise _FormatError(f"truncated safetensors file (header of {n} bytes, file of "
                           f"{size})")
    try:
        header = json.loads(fh.read(n).decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise _FormatError(f"corrupted safetensors header ({e})") from e
    if not isinstance(header, dict):
        raise _FormatError("corrupted safetensors header (not a JSON object)")
    data_start = start + 8 + n
    buffer_size = size - 8 - n
    out: dict[str, Tensor] = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        dtype_name = info["dtype"]
        if dtype_name not in _SAFETENSORS_DTYPES:
            raise _FormatError(f"tensor {key!r} has dtype {dtype_name}, which ember cannot hold")
        dtype = np.dtype(_SAFETENSORS_DTYPES[dtype_name])
        shape = tuple(int(s) for s in info["shape"])
        begin, end = (int(x) for x in info["data_offsets"])
        if (any(s < 0 for s in shape) or not 0 <= begin <= end <= buffer_size
                or end - begin != math.prod(shape) * dtype.itemsize):
            raise _FormatError(
                f"tensor {key!r}: data_offsets [{begin}, {end}] do not fit {dtype_name} "
                f"{list(shape)} in a buffer of {buffer_size} bytes (truncated or corrupted)"
            )
        arr = np.empty(shape, dtype=dtype)
        fh.seek(data_start + begin)
        _read_exactly(fh, arr, f"tensor {key!r}")
        out[key] = _from_array(_to_ember_array(arr, dtype_name))
    return out


def _to_ember_array(arr: np.ndarray, dtype_name: str) -> np.ndarray:
    """A native-endian array of a dtype ember supports (exact conversions only)."""
    if dtype_name == "BF16":  # bfloat16 is the top half of a float32
        return (arr.astype(np.uint32) << 16).view(np.float32)
    if dtype_name == "U16":
        return arr.astype(np.int32)
    if dtype_name == "U32":
        return arr.astype(np.int64)
    return _native(arr)
