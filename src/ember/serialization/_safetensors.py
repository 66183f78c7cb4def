"""The safetensors format, written and parsed here (NumPy stays ember's only runtime need).

A file is an 8-byte little-endian header length N, N bytes of JSON (``{"name": {"dtype",
"shape", "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}``, padded with spaces
to a multiple of 8), then the tensors' little-endian bytes, offsets relative to the end of the
header. As the reference implementation does, the reader insists that the tensors tile the
buffer exactly (no gaps, no overlaps), so a file can never load as more bytes than it holds.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from collections.abc import Mapping
from typing import BinaryIO

import numpy as np

from ..tensor import Tensor, _from_array
from . import _dtypes
from ._errors import FormatError

MAX_HEADER = 100_000_000  # the reference implementation's limit


def _little(dtype: np.dtype) -> np.dtype:
    return dtype if sys.byteorder == "little" or dtype.itemsize == 1 else dtype.newbyteorder("<")


def looks_like_safetensors(head: bytes) -> bool:
    return len(head) >= 9 and head[8:9] == b"{"


def read(fh: BinaryIO, size: int) -> dict[str, Tensor]:
    """Parse a safetensors stream of ``size`` bytes into name -> Tensor (header order)."""
    head = fh.read(8)
    if len(head) < 8:
        raise FormatError("truncated safetensors file (no header size)")
    (n,) = struct.unpack("<Q", head)
    if n > MAX_HEADER or n > size - 8:
        raise FormatError(f"safetensors header of {n} bytes does not fit the file of {size} "
                          "bytes (truncated or corrupted)")
    try:
        header = json.loads(fh.read(n).decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise FormatError(f"corrupted safetensors header ({type(e).__name__})") from None
    if not isinstance(header, dict):
        raise FormatError("corrupted safetensors header (not a JSON object)")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(v, str) for v in metadata.values())):
        raise FormatError("safetensors __metadata__ is not a dict of strings")
    buffer_size = size - 8 - n
    entries = [_entry(key, info) for key, info in header.items()]
    end = 0
    for key, _, _, begin, stop in sorted(entries, key=lambda e: (e[3], e[4])):
        if begin != end:
            raise FormatError(f"tensor {key!r}: data_offsets start at {begin}, expected {end} "
                              "(tensors must tile the buffer)")
        end = stop
    if end != buffer_size:
        raise FormatError(f"the tensors cover {end} bytes but the buffer has {buffer_size} "
                          "(truncated or corrupted)")
    data_start = 8 + n
    out: dict[str, Tensor] = {}
    for key, dtype, shape, begin, _ in entries:
        arr = np.empty(shape, _little(dtype))
        fh.seek(data_start + begin)
        view = memoryview(arr.reshape(-1).view(np.uint8))
        done = 0
        while done < len(view):
            got = fh.readinto(view[done:])
            if not got:
                raise FormatError(f"tensor {key!r} is truncated")
            done += got
        if not arr.dtype.isnative:
            arr = arr.astype(dtype)
        out[key] = _from_array(arr)
    return out


def _entry(key, info):
    if not isinstance(info, dict) or not isinstance(key, str):
        raise FormatError(f"safetensors entry {key!r} is not an object")
    code = info.get("dtype")
    shape = info.get("shape")
    offsets = info.get("data_offsets")
    if code not in _dtypes.BY_SAFETENSORS:
        raise FormatError(f"tensor {key!r} has an unknown dtype {code!r}")
    dtype = _dtypes.ember_numpy_dtype(_dtypes.BY_SAFETENSORS[code], f"tensor {key!r}")
    if (not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape)
            or not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(o) is int and o >= 0 for o in offsets)):
        raise FormatError(f"tensor {key!r} has a malformed shape or data_offsets")
    begin, stop = offsets
    nbytes = math.prod(shape) * dtype.itemsize
    if stop - begin != nbytes:
        raise FormatError(f"tensor {key!r}: data_offsets [{begin}, {stop}] do not fit "
                          f"{code} {shape}")
    return key, dtype, tuple(shape), begin, stop


def _byte_span(arr: np.ndarray) -> tuple[int, int]:
    start = arr.__array_interface__["data"][0]
    return start, start + arr.nbytes


def serialize(tensors: Mapping[str, Tensor], metadata: Mapping[str, str] | None):
    """(header bytes, arrays in file order) for ``tensors``, checked as the reference does."""
    if not isinstance(tensors, Mapping):
        raise TypeError(f"tensors must be a dict of name -> Tensor, not {type(tensors).__name__}")
    if metadata is not None and not (isinstance(metadata, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("metadata must be a dict of str -> str")
    arrays = {}
    for name, tensor in tensors.items():
        if not isinstance(name, str) or not isinstance(tensor, Tensor):
            raise TypeError(f"tensors must map str to Tensor; got {type(name).__name__} -> "
                            f"{type(tensor).__name__}")
        arr = tensor._data
        if not arr.flags.c_contiguous:
            raise ValueError(f"You are trying to save a non contiguous tensor: {name!r}; call "
                             ".contiguous() on it first (safetensors stores dense tensors)")
        arrays[name] = arr
    spans = sorted((_byte_span(a), name) for name, a in arrays.items() if a.nbytes)
    shared = [(a, b) for ((_, end), a), ((start, _), b) in zip(spans, spans[1:]) if start < end]
    if shared:
        raise RuntimeError(f"Some tensors share memory, which safetensors cannot represent: "
                           f"{shared}; save copies (.clone()) instead")
    order = sorted(arrays, key=lambda k: (-arrays[k].itemsize, k))
    header: dict = {} if metadata is None else {"__metadata__": dict(metadata)}
    offset = 0
    for name in order:
        arr = arrays[name]
        info = _dtypes.for_array(arr)
        if info.safetensors is None:
            raise TypeError(f"tensor {name!r} has dtype {arr.dtype}, which safetensors lacks")
        header[name] = {"dtype": info.safetensors, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    little = [arrays[name].astype(_little(arrays[name].dtype), copy=False) for name in order]
    return struct.pack("<Q", len(text)) + text, little


def write(fh: BinaryIO, tensors: Mapping[str, Tensor], metadata: Mapping[str, str] | None):
    head, arrays = serialize(tensors, metadata)
    fh.write(head)
    for arr in arrays:
        fh.write(memoryview(arr.reshape(-1).view(np.uint8)))
