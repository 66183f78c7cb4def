"""NumPy's ``.npy`` and ``.npz`` files, read without pickle and with sizes checked first.

The ``.npy`` header is parsed here (a length-prefixed Python literal, read with
``ast.literal_eval`` as NumPy does) so that the declared shape and dtype are validated against
the bytes actually present before an array is allocated. Only dtypes ember can hold are
accepted; strings, datetimes, objects, structured and complex arrays are refused with a clear
message instead of loading into a broken Tensor.
"""

from __future__ import annotations

import ast
import math
import struct
from typing import BinaryIO

import numpy as np

from .. import _dtype
from ._errors import FormatError
from ._zip_reader import Record, ZipReader

MAGIC = b"\x93NUMPY"
_MAX_HEADER = 1 << 20  # NumPy writes headers of a few hundred bytes


def _describe(dtype: np.dtype) -> str:
    kinds = {"U": "unicode string", "S": "byte string", "M": "datetime", "m": "timedelta",
             "O": "Python object", "V": "structured/void", "c": "complex"}
    kind = kinds.get(dtype.kind)
    return f"{dtype.str} ({kind})" if kind else dtype.str


def parse_header(head: bytes, what: str) -> tuple[np.dtype, tuple[int, ...], bool, int]:
    """(dtype, shape, fortran_order, header length) from the first bytes of a .npy stream."""
    if head[:6] != MAGIC or len(head) < 10:
        raise FormatError(f"{what} is not a .npy array")
    major = head[6]
    if major == 1:
        (length,) = struct.unpack("<H", head[8:10])
        start = 10
    elif major in (2, 3):
        if len(head) < 12:
            raise FormatError(f"{what} is truncated (in the .npy header)")
        (length,) = struct.unpack("<I", head[8:12])
        start = 12
    else:
        raise FormatError(f"{what} has .npy format version {major}.{head[7]}, which is unknown")
    if length > _MAX_HEADER:
        raise FormatError(f"{what} declares a .npy header of {length} bytes (over-large)")
    if len(head) < start + length:
        raise FormatError(f"{what} is truncated (in the .npy header)")
    text = head[start:start + length].decode("utf-8" if major == 3 else "latin1")
    try:
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
        raise FormatError(f"{what} has a corrupted .npy header ({type(e).__name__})") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise FormatError(f"{what} has a corrupted .npy header")
    shape, fortran, descr = header["shape"], header["fortran_order"], header["descr"]
    if (not isinstance(shape, tuple) or not all(type(s) is int and s >= 0 for s in shape)
            or not isinstance(fortran, bool)):
        raise FormatError(f"{what} has a corrupted .npy header (shape {shape!r})")
    if not isinstance(descr, str):
        raise FormatError(f"{what} holds a structured array, which ember cannot load")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError):
        raise FormatError(f"{what} has an unknown dtype {descr!r}") from None
    return dtype, shape, fortran, start + length


def checked_dtype(dtype: np.dtype, what: str) -> np.dtype:
    """``dtype`` in native byte order if ember has it; FormatError naming it otherwise."""
    native = dtype.newbyteorder("=")
    try:
        _dtype.from_numpy_dtype(native)
    except TypeError:
        raise FormatError(f"{what} has dtype {_describe(dtype)}, which ember cannot hold") from None
    return native


def _nbytes(dtype: np.dtype, shape: tuple[int, ...], what: str) -> int:
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes >= 1 << 62:
        raise FormatError(f"{what} declares an over-large array {shape}")
    return nbytes


def _finish(arr: np.ndarray, dtype: np.dtype, shape, fortran: bool) -> np.ndarray:
    """The raw (file-order) buffer as a native-endian, C-contiguous array."""
    arr = arr.reshape(shape[::-1] if fortran else shape)
    if fortran:
        arr = arr.T
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return np.ascontiguousarray(arr) if not arr.flags.c_contiguous else arr


def read_npy_file(fh: BinaryIO, size: int, what: str) -> np.ndarray:
    """A whole ``.npy`` file of ``size`` bytes."""
    start = fh.tell()
    head = fh.read(min(size, _MAX_HEADER + 12))
    dtype, shape, fortran, header_len = parse_header(head, what)
    checked_dtype(dtype, what)
    nbytes = _nbytes(dtype, shape, what)
    if header_len + nbytes > size:
        raise FormatError(f"{what} is truncated ({size - header_len} of {nbytes} data bytes)")
    raw = np.empty(math.prod(shape), dtype)
    fh.seek(start + header_len)
    view = memoryview(raw.view(np.uint8))
    done = 0
    while done < nbytes:
        n = fh.readinto(view[done:])
        if not n:
            raise FormatError(f"{what} is truncated")
        done += n
    return _finish(raw, dtype, shape, fortran)


def read_npy_record(reader: ZipReader, record: Record, what: str) -> np.ndarray:
    """One ``.npy`` member of a ZIP archive (``.npz`` or ember's earlier checkpoints)."""
    head = reader.read_head(record, _MAX_HEADER + 12)
    dtype, shape, fortran, header_len = parse_header(head, what)
    checked_dtype(dtype, what)
    nbytes = _nbytes(dtype, shape, what)
    if header_len + nbytes != record.size:
        raise FormatError(f"{what}: the .npy header declares {nbytes} data bytes but the record "
                          f"holds {record.size - header_len}")
    raw = np.empty(math.prod(shape), dtype)
    reader.read_into(record, raw, offset=header_len, prefix=head[:header_len])
    return _finish(raw, dtype, shape, fortran)


def read_npz(reader: ZipReader) -> dict[str, np.ndarray]:
    """An ``.npz`` archive: name -> array, in archive order."""
    return {name[:-4]: read_npy_record(reader, record, f"array {name!r}")
            for name, record in reader.records.items()}
