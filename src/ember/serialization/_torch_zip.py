"""PyTorch's checkpoint format (``torch.save`` since 1.6): a ZIP archive of records under one
top-level folder (the file's stem, or ``archive``):

* ``data.pkl``: the pickled object, tensors as rebuild calls on persistent storage ids;
* ``data/<key>``: one record per storage, its raw bytes (stored, 64-byte aligned);
* ``byteorder`` (``little``), ``version`` (``3``), ``.format_version``, ``.storage_alignment``,
  ``.data/serialization_id``: small bookkeeping records.

Reading checks each storage's declared size against its record before allocating, and reads
only stored records: PyTorch never compresses, so a compressed record is refused.
"""

from __future__ import annotations

import hashlib
import io
import mmap as _mmap
import sys
from collections.abc import Callable
from typing import BinaryIO

import numpy as np

from . import _dtypes
from ._errors import FormatError
from ._map_location import place
from ._pickler import StorageTable, TorchPickler
from ._rebuild import Storage, StorageType
from ._zip_reader import ZipReader
from ._zip_writer import ZipWriter

FORMAT_VERSION = b"3\n"


def encode(obj, protocol: int) -> tuple[bytes, StorageTable]:
    """Pickle ``obj`` (before any file is touched, so an unpicklable object fails early)."""
    buf = io.BytesIO()
    table = StorageTable()
    TorchPickler(buf, protocol, table).dump(obj)
    return buf.getvalue(), table


def write(fh: BinaryIO, pickled: bytes, table: StorageTable, archive_name: str,
          byteorder_record: bool = True) -> None:
    """Write an encoded object to ``fh`` as PyTorch's zip archive."""
    prefix = archive_name + "/"
    digest = hashlib.sha256(pickled).digest()
    serialization_id = str(int.from_bytes(digest[:16], "little")).zfill(40)[:40].encode()
    zf = ZipWriter(fh)
    zf.write_record(prefix + "data.pkl", pickled)
    zf.write_record(prefix + ".format_version", b"1")
    zf.write_record(prefix + ".storage_alignment", b"64")
    if byteorder_record:
        zf.write_record(prefix + "byteorder", sys.byteorder.encode())
    for ref in table.storages:
        zf.write_record(f"{prefix}data/{ref.key}", ref.array)
    zf.write_record(prefix + "version", FORMAT_VERSION)
    zf.write_record(prefix + ".data/serialization_id", serialization_id)
    zf.close()


def find_prefix(reader: ZipReader) -> str | None:
    """The folder holding ``data.pkl`` (``""`` if at the root), or None if absent."""
    for name in reader.records:
        if name == "data.pkl" or name.endswith("/data.pkl") and name.count("/") == 1:
            return name[:-len("data.pkl")]
    return None


def read(reader: ZipReader, prefix: str, unpickle: Callable, map_location,
         mmap_file: _mmap.mmap | None = None):
    """Load the object of a PyTorch zip archive (``unpickle(fh, limit, persistent_load)``)."""
    records = reader.records
    byteorder = "little"
    if prefix + "byteorder" in records:
        byteorder = reader.read_bytes(records[prefix + "byteorder"]).decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise FormatError(f"unknown byteorder record {byteorder!r}")
    version = records.get(prefix + "version") or records.get(prefix + ".data/version")
    if version is not None and version.size < 16:
        text = reader.read_bytes(version).strip()
        if not text.isdigit() or int(text) > 3 or int(text) < 1:
            raise FormatError(f"unsupported archive version {text!r} (ember reads 1 to 3)")
    loaded: dict[str, Storage] = {}

    def persistent_load(pid):
        if (not isinstance(pid, tuple) or len(pid) != 5
                or pid[0] not in ("storage", b"storage")):
            raise FormatError("a persistent id in the pickle is not a storage reference")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, StorageType):
            raise FormatError("a storage reference names no storage type")
        if not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise FormatError("a storage reference is malformed")
        if key in loaded:
            return loaded[key]
        record = records.get(f"{prefix}data/{key}")
        if record is None:
            raise FormatError(f"storage record data/{key} is missing")
        info = storage_type.info
        dtype = np.dtype(np.uint8) if info is _dtypes.UNTYPED else \
            _dtypes.ember_numpy_dtype(info, f"storage data/{key}")
        nbytes = numel * dtype.itemsize
        if record.size != nbytes:
            raise FormatError(f"storage data/{key} should hold {numel} x {dtype} ({nbytes} "
                              f"bytes) but its record has {record.size} bytes")
        reader.require_stored(record)
        if mmap_file is not None:
            array = np.frombuffer(mmap_file, dtype, numel, record.data_offset)
        else:
            array = np.empty(numel, dtype)
            reader.read_into(record, array)
        if byteorder != sys.byteorder and dtype.itemsize > 1:
            array = array.byteswap()
        storage = place(Storage(info, array, location), location, map_location)
        loaded[key] = storage
        return storage

    record = records[prefix + "data.pkl"]
    reader.require_stored(record)
    pickled = reader.read_bytes(record)
    return unpickle(io.BytesIO(pickled), len(pickled), persistent_load)
