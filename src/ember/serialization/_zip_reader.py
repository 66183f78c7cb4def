"""A ZIP reader that checks an archive before trusting any size in it.

``zipfile`` parses the central directory (its reads are bounded by the file's size); this module
then validates every record against the file itself: the local header must agree with the
central one, each record's data must lie inside the file, before the central directory, and
must not overlap another record (overlapping records are the classic way a small file expands
to gigabytes). Only after that are sizes used to allocate.

Records are read straight into caller-provided arrays and their CRC-32 checked. Compressed
(deflate) records are accepted only where a format allows them (``.npz``), and are then
decompressed twice: once to verify their real length and CRC with constant memory, and only
then into the destination, so a lying header never causes an allocation.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from ._errors import FormatError

_CHUNK = 1 << 18  # inflate in small steps: a few hundred KiB above the array at most


@dataclass(frozen=True)
class Record:
    name: str
    data_offset: int
    size: int              # uncompressed
    compressed_size: int
    method: int            # 0 stored, 8 deflate
    crc: int


class ZipReader:
    """The validated records of a ZIP archive held in a seekable binary file."""

    def __init__(self, fh: BinaryIO, file_size: int) -> None:
        self._fh = fh
        self.file_size = file_size
        self._verified: set[str] = set()
        try:
            with zipfile.ZipFile(fh) as zf:
                infos = zf.infolist()
                start_dir = zf.start_dir
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error,
                UnicodeDecodeError, EOFError, OverflowError) as e:
            raise FormatError(f"not a readable ZIP archive ({e})") from None
        self.records: dict[str, Record] = {}
        spans = []
        for info in infos:
            if info.filename in self.records:
                raise FormatError(f"the archive names record {info.filename!r} twice")
            if info.flag_bits & 0x1:
                raise FormatError(f"record {info.filename!r} is encrypted")
            record = self._locate(info, start_dir)
            self.records[info.filename] = record
            spans.append((info.header_offset, record.data_offset + record.compressed_size,
                          info.filename))
        spans.sort()
        for (_, end, name), (start, _, other) in zip(spans, spans[1:]):
            if start < end:
                raise FormatError(f"records {name!r} and {other!r} overlap (a zip bomb?)")

    def _locate(self, info: zipfile.ZipInfo, start_dir: int) -> Record:
        self._fh.seek(info.header_offset)
        header = self._fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise FormatError(f"record {info.filename!r}: bad local header")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        name = self._fh.read(name_len)
        if name.decode("utf-8", "replace") != info.filename and \
                name.decode("cp437") != info.filename:
            raise FormatError(f"record {info.filename!r}: local and central names differ")
        data_offset = info.header_offset + 30 + name_len + extra_len
        end = data_offset + info.compress_size
        if end > start_dir or end > self.file_size:
            raise FormatError(f"record {info.filename!r} runs past the end of the data "
                              f"({end} > {min(start_dir, self.file_size)} bytes: truncated?)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FormatError(f"record {info.filename!r} uses compression method "
                              f"{info.compress_type}, which is not supported")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise FormatError(f"record {info.filename!r}: stored sizes disagree")
        return Record(info.filename, data_offset, info.file_size, info.compress_size,
                      info.compress_type, info.CRC)

    # ------------------------------------------------------------------ reading
    def require_stored(self, record: Record) -> None:
        if record.method != zipfile.ZIP_STORED:
            raise FormatError(f"record {record.name!r} is compressed; this format stores "
                              "records uncompressed (refusing a possible zip bomb)")

    def read_bytes(self, record: Record) -> bytes:
        """A whole record (its size is already known to fit in the file)."""
        out = np.empty(record.size, np.uint8)
        self.read_into(record, out)
        return out.tobytes()

    def read_into(self, record: Record, out: np.ndarray, offset: int = 0,
                  prefix: bytes | None = None) -> None:
        """Fill the C-contiguous ``out`` from the record's bytes [offset, offset + out.nbytes).

        When this reaches the record's end and ``prefix`` holds the bytes before ``offset``
        (nothing for ``offset == 0``), the record's CRC is verified."""
        view = memoryview(out.reshape(-1).view(np.uint8))
        if offset == 0:
            prefix = b""
        whole = prefix is not None and len(prefix) == offset and offset + len(view) == record.size
        if offset + len(view) > record.size:
            raise FormatError(f"record {record.name!r} is shorter than its content says "
                              f"({record.size} bytes)")
        if record.method == zipfile.ZIP_DEFLATED:
            self._check_deflate(record)
            chunks = self._deflate_chunks(record)
        else:
            chunks = None
            self._fh.seek(record.data_offset + offset)
        done = 0
        crc = zlib.crc32(prefix) if whole else 0
        if chunks is None:
            while done < len(view):
                n = self._fh.readinto(view[done:done + (1 << 26)])
                if not n:
                    raise FormatError(f"record {record.name!r} is truncated")
                done += n
            if whole:
                for start in range(0, len(view), 1 << 26):
                    crc = zlib.crc32(view[start:start + (1 << 26)], crc)
        else:
            skipped = 0
            for chunk in chunks:
                if skipped < offset:
                    cut = min(len(chunk), offset - skipped)
                    skipped += cut
                    chunk = chunk[cut:]
                take = min(len(chunk), len(view) - done)
                view[done:done + take] = chunk[:take]
                done += take
                if done == len(view):
                    break
            whole = False  # verified by _check_deflate
        if whole and crc != record.crc:
            raise FormatError(f"record {record.name!r} is corrupted (CRC mismatch)")

    def _deflate_chunks(self, record: Record):
        """The decompressed bytes of a deflate record, at most _CHUNK at a time."""
        self._fh.seek(record.data_offset)
        remaining = record.compressed_size
        inflater = zlib.decompressobj(-15)
        pending = b""
        while True:
            if not pending:
                if remaining <= 0:
                    break
                pending = self._fh.read(min(_CHUNK, remaining))
                if not pending:
                    raise FormatError(f"record {record.name!r} is truncated")
                remaining -= len(pending)
            out = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof:
                break
        tail = inflater.flush()
        if tail:
            yield tail

    def _check_deflate(self, record: Record) -> None:
        """Decompress once with constant memory: the real length and CRC must match."""
        if record.name in self._verified:
            return
        total = 0
        crc = 0
        try:
            for chunk in self._deflate_chunks(record):
                total += len(chunk)
                if total > record.size:
                    raise FormatError(f"record {record.name!r} inflates past its declared "
                                      f"size of {record.size} bytes (a zip bomb?)")
                crc = zlib.crc32(chunk, crc)
        except zlib.error as e:
            raise FormatError(f"record {record.name!r} is corrupted ({e})") from None
        if total != record.size or crc != record.crc:
            raise FormatError(f"record {record.name!r} is corrupted (size or CRC mismatch)")
        self._verified.add(record.name)

    def read_head(self, record: Record, n: int) -> bytes:
        """Up to the first ``n`` bytes of a record (to parse a header)."""
        n = min(n, record.size)
        out = np.empty(n, np.uint8)
        if n:
            self.read_into(record, out)
        return out.tobytes()
