"""A ZIP writer for PyTorch's archive layout: stored (uncompressed) records whose data starts on
a 64-byte boundary, so a reader can map storages straight from the file.

Python's ``zipfile`` cannot place data at an alignment, so the headers are written here (ZIP
APPNOTE 4.3: local header, data, central directory, ZIP64 records when sizes or offsets pass
4 GiB). Each record's CRC-32 is computed before its header is written, which keeps the output
streamable to non-seekable files (no data descriptors).
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

import numpy as np

ALIGNMENT = 64
_LOCAL = 0x04034B50
_CENTRAL = 0x02014B50
_END = 0x06054B50
_END64 = 0x06064B50
_LOCATOR64 = 0x07064B50
_U32 = 0xFFFFFFFF
_UTF8_FLAG = 0x0800
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01: constant, so equal objects give equal files
_CHUNK = 1 << 26


def _as_bytes(data) -> memoryview:
    if isinstance(data, np.ndarray):
        return memoryview(np.ascontiguousarray(data).reshape(-1).view(np.uint8))
    return memoryview(data).cast("B")


class ZipWriter:
    """Append records to ``fh``; ``close()`` writes the central directory."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._offset = 0
        self._entries: list[tuple[bytes, int, int, int]] = []  # name, crc, size, offset

    def _write(self, data) -> None:
        self._fh.write(data)
        self._offset += len(data)

    def write_record(self, name: str, data) -> None:
        """Store ``data`` (bytes or a NumPy array's memory) as record ``name``."""
        raw = _as_bytes(data)
        size = len(raw)
        crc = 0
        for start in range(0, size, _CHUNK):
            crc = zlib.crc32(raw[start:start + _CHUNK], crc)
        encoded = name.encode("utf-8")
        zip64 = size >= _U32
        extra = struct.pack("<HHQQ", 1, 16, size, size) if zip64 else b""
        header_len = 30 + len(encoded) + len(extra)
        pad = -(self._offset + header_len + 4) % ALIGNMENT
        extra += struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # "FB" padding field, as PyTorch
        offset = self._offset
        stored = _U32 if zip64 else size
        self._write(struct.pack("<IHHHHHIIIHH", _LOCAL, 45 if zip64 else 20, _UTF8_FLAG, 0, 0,
                                _DOS_DATE, crc, stored, stored, len(encoded), len(extra)))
        self._write(encoded + extra)
        for start in range(0, size, _CHUNK):
            self._write(raw[start:start + _CHUNK])
        self._entries.append((encoded, crc, size, offset))

    def close(self) -> None:
        """Write the central directory and end records (ZIP64 when needed)."""
        cd_start = self._offset
        for encoded, crc, size, offset in self._entries:
            fields = []
            if size >= _U32:
                fields += [size, size]
            if offset >= _U32:
                fields.append(offset)
            extra = b""
            if fields:
                extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields)
            version = 45 if fields else 20
            self._write(struct.pack(
                "<IHHHHHHIIIHHHHHII", _CENTRAL, (3 << 8) | version, version, _UTF8_FLAG, 0, 0,
                _DOS_DATE, crc, min(size, _U32), min(size, _U32), len(encoded), len(extra), 0,
                0, 0, 0o100644 << 16, min(offset, _U32)))
            self._write(encoded + extra)
        cd_size = self._offset - cd_start
        count = len(self._entries)
        if count >= 0xFFFF or cd_start >= _U32 or cd_size >= _U32:
            end64 = self._offset
            self._write(struct.pack("<IQHHIIQQQQ", _END64, 44, 45, 45, 0, 0, count, count,
                                    cd_size, cd_start))
            self._write(struct.pack("<IIQI", _LOCATOR64, 0, end64, 1))
        self._write(struct.pack("<IHHHHIIH", _END, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                                min(cd_size, _U32), min(cd_start, _U32), 0))
