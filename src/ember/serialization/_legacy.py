"""PyTorch's legacy checkpoint format (before 1.6, and ``torch.save(...,
_use_new_zipfile_serialization=False)``): pickles and raw storages in one stream.

In order: a pickled magic number, a pickled protocol version (1001), a pickled dict of system
information (byte order, C type sizes), the pickled object (storages as persistent ids
``("storage", type, key, location, numel, view)``), a pickled list of storage keys, and then
each storage in that order as an 8-byte element count followed by its raw bytes.

The storages are referenced before their bytes appear, so the reader checks that the declared
sizes, all together, fit in what remains of the file before allocating any of them.
"""

from __future__ import annotations

import io
import pickle
import struct
import sys
from collections.abc import Callable
from typing import BinaryIO

import numpy as np

from . import _dtypes
from ._errors import FormatError
from ._map_location import place
from ._pickler import StorageTable, TorchPickler
from ._rebuild import Storage, StorageType

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
# how a legacy file starts: PROTO 2, LONG1 of 10 bytes (the magic number)
SIGNATURE = b"\x80\x02\x8a\x0a" + MAGIC_NUMBER.to_bytes(10, "little")


def encode(obj, protocol: int) -> tuple[bytes, StorageTable]:
    """The header pickles, the object's pickle and the key list; storages still to write."""
    buf = io.BytesIO()
    pickle.dump(MAGIC_NUMBER, buf, protocol=protocol)
    pickle.dump(PROTOCOL_VERSION, buf, protocol=protocol)
    pickle.dump({"protocol_version": PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
                 "type_sizes": {"short": 2, "int": 4, "long": 4}}, buf, protocol=protocol)
    table = StorageTable()
    TorchPickler(buf, protocol, table, legacy=True).dump(obj)
    pickle.dump([ref.key for ref in table.storages], buf, protocol=protocol)
    return buf.getvalue(), table


def write(fh: BinaryIO, pickled: bytes, table: StorageTable) -> None:
    """Write an encoded object: the pickles, then each storage's count and bytes."""
    fh.write(pickled)
    for ref in table.storages:
        count = ref.array.size if ref.info.storage else ref.array.nbytes
        fh.write(struct.pack("=q", count))
        fh.write(memoryview(np.ascontiguousarray(ref.array).reshape(-1).view(np.uint8)))


def read(fh: BinaryIO, size: int, unpickle: Callable, map_location, weights_only: bool):
    """Load a legacy checkpoint of ``size`` bytes from ``fh``."""
    start = fh.tell()

    def left() -> int:
        return size - (fh.tell() - start)

    def no_storages(pid):
        raise FormatError("a persistent id in a header pickle")

    if unpickle(fh, left(), no_storages) != MAGIC_NUMBER:
        raise FormatError("not a PyTorch checkpoint (bad magic number)")
    if unpickle(fh, left(), no_storages) != PROTOCOL_VERSION:
        raise FormatError("unsupported legacy protocol version")
    sys_info = unpickle(fh, left(), no_storages)
    if not isinstance(sys_info, dict):
        raise FormatError("corrupted system information")
    order = "<" if sys_info.get("little_endian", True) else ">"
    roots: dict[str, Storage] = {}
    views: dict[str, Storage] = {}
    declared = [0]

    def persistent_load(pid):
        if not isinstance(pid, tuple) or not pid:
            raise FormatError("a malformed persistent id")
        kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if kind == "module" and len(pid) == 4:
            if weights_only:
                raise pickle.UnpicklingError("the file pickles a whole module class; that needs "
                                             "weights_only=False")
            return pid[1]
        if kind != "storage" or len(pid) != 6:
            raise FormatError("a persistent id in the pickle is not a storage reference")
        _, storage_type, key, location, numel, view = pid
        if (not isinstance(storage_type, StorageType) or not isinstance(key, str)
                or type(numel) is not int or numel < 0):
            raise FormatError("a storage reference is malformed")
        info = storage_type.info
        dtype = np.dtype(np.uint8) if info is _dtypes.UNTYPED else \
            _dtypes.ember_numpy_dtype(info, f"storage {key}")
        if key not in roots:
            declared[0] += 8 + numel * dtype.itemsize
            if declared[0] > left():
                raise FormatError(f"storages declare {declared[0]} bytes but only {left()} "
                                  "remain in the file (truncated or corrupted)")
            roots[key] = place(Storage(info, np.empty(numel, dtype), location), location,
                               map_location)
        root = roots[key]
        if view is None:
            return root
        view_key, offset, view_size = view
        if view_key not in views:
            if (type(offset) is not int or type(view_size) is not int or offset < 0
                    or view_size < 0 or offset + view_size > root.array.size):
                raise FormatError("a storage view lies outside its storage")
            views[view_key] = Storage(info, root.array[offset:offset + view_size], location)
        return views[view_key]

    result = unpickle(fh, left(), persistent_load)
    keys = unpickle(fh, left(), no_storages)
    if not isinstance(keys, list):
        raise FormatError("corrupted storage key list")
    for key in keys:
        root = roots.get(key)
        if root is None:
            raise FormatError(f"the file stores data for an unknown storage {key!r}")
        head = fh.read(8)
        if len(head) != 8:
            raise FormatError("truncated (in the storage data)")
        (count,) = struct.unpack(order + "q", head)
        array = root.array
        if count != (array.nbytes if root.info is _dtypes.UNTYPED else array.size):
            raise FormatError(f"storage {key} holds {count} elements, its reference says "
                              f"{array.size}")
        view = memoryview(array.view(np.uint8))
        done = 0
        while done < len(view):
            n = fh.readinto(view[done:])
            if not n:
                raise FormatError("truncated (in the storage data)")
            done += n
        if (order == "<") != (sys.byteorder == "little") and array.itemsize > 1:
            array.byteswap(inplace=True)
    missing = set(roots) - set(keys)
    if missing:
        raise FormatError(f"the file has no data for storages {sorted(missing)}")
    return result
