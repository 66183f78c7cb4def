"""Zip bombs and lying archives: sizes are checked against the file before anything is
allocated, so loading a hostile archive costs a few MiB at most (measured with tracemalloc)."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import ember
from ember.serialization import _dtypes
from ember.serialization._pickler import StorageRef, StorageTable, TorchPickler
from ember.serialization._zip_writer import ZipWriter

_MiB = 1 << 20


def _peak_while_failing(path, *errors) -> int:
    """Peak traced memory (bytes) while ``ember.load(path)`` fails with one of ``errors``."""
    tracemalloc.start()
    try:
        with pytest.raises(errors or (RuntimeError,), match=path.name.replace(".", r"\.")):
            ember.load(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _tensor_pickle(numel: int) -> bytes:
    buf = io.BytesIO()
    TorchPickler(buf, 2, StorageTable()).dump(ember.zeros(numel))
    return buf.getvalue()


def test_compressed_storage_record_is_refused_without_inflating(tmp_path):
    numel = 64 * _MiB // 4  # 64 MiB of zeros deflate to ~64 KiB
    path = tmp_path / "bomb.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", _tensor_pickle(numel))
        zf.writestr("archive/data/0", bytes(numel * 4), compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("archive/version", "3\n")
    assert path.stat().st_size < _MiB
    assert _peak_while_failing(path) < 4 * _MiB


def test_overlapping_records_are_refused(tmp_path):
    """Many central-directory entries pointing at one record: a small file, a huge load."""
    good = io.BytesIO()
    ember.save([ember.zeros(_MiB // 4)] * 1, good)
    data = good.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        start_dir = zf.start_dir
    target = next(i for i in infos if i.filename.endswith("data/0"))
    central = bytearray(data[start_dir:data.rfind(b"PK\x05\x06")])
    # append 300 extra central entries aliasing data/0 under new names
    extra = bytearray()
    for i in range(300):
        name = f"archive/data/{i + 1}".encode()
        extra += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 0, 0, 33,
                             target.CRC, target.compress_size, target.file_size, len(name), 0,
                             0, 0, 0, 0, target.header_offset) + name
    count = len(infos) + 300
    body = data[:start_dir] + bytes(central) + bytes(extra)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central) + len(extra),
                      start_dir, 0)
    path = tmp_path / "overlap.pt"
    path.write_bytes(body + end)
    tracemalloc.start()
    try:
        with pytest.raises(RuntimeError, match="overlap"):
            ember.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * _MiB


def _deflate_npz(path, header_shape, payload: bytes, declared_size: int | None = None):
    """An .npz whose one member is deflated and whose sizes we control."""
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1, np.float64))
    header["shape"] = header_shape
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    raw = buf.getvalue() + payload
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(raw) + comp.flush()
    size = len(raw) if declared_size is None else declared_size
    name = b"x.npy"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, zlib.crc32(raw),
                        len(deflated), min(size, 0xFFFFFFFF), len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 33,
                          zlib.crc32(raw), len(deflated), min(size, 0xFFFFFFFF), len(name), 0,
                          0, 0, 0, 0, 0) + name
    start = len(local) + len(deflated)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), start, 0)
    path.write_bytes(local + deflated + central + end)


def test_npz_member_whose_header_lies_about_its_size_is_refused_before_allocating(tmp_path):
    path = tmp_path / "lie.npz"
    _deflate_npz(path, (2**29,), bytes(8 * 1000))  # header says 4 GiB, data has 8 KB
    assert _peak_while_failing(path) < 4 * _MiB


def test_npz_member_inflating_past_its_declared_size_is_refused(tmp_path):
    path = tmp_path / "bomb.npz"
    n = 32 * _MiB // 8
    _deflate_npz(path, (n,), bytes(8 * n), declared_size=4096)
    assert path.stat().st_size < _MiB
    assert _peak_while_failing(path) < 4 * _MiB


def test_npz_member_declaring_a_huge_size_it_does_not_have_is_refused(tmp_path):
    path = tmp_path / "declared.npz"
    n = 4 * _MiB // 8
    _deflate_npz(path, (2**30,), bytes(8 * n), declared_size=8 * 2**30 + 128)
    assert _peak_while_failing(path) < 8 * _MiB


def test_a_legit_compressed_npz_loads_with_memory_close_to_its_array(tmp_path):
    n = 16 * _MiB // 8
    np.savez_compressed(tmp_path / "ok.npz", x=np.zeros(n))
    tracemalloc.start()
    try:
        x = ember.load(tmp_path / "ok.npz")["x"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert tuple(x.shape) == (n,) and peak < 16 * _MiB + 3 * _MiB


def test_storage_numel_larger_than_its_record_is_refused_before_allocating(tmp_path):
    path = tmp_path / "numel.pt"
    buf = io.BytesIO()
    writer = ZipWriter(buf)
    class Huge:  # stands in for a storage's array: only its element count is pickled
        size = 2**40

    pickled = io.BytesIO()
    TorchPickler(pickled, 2, StorageTable()).dump([StorageRef("0", _dtypes.BY_TORCH_NAME[
        "float32"], Huge())])
    writer.write_record("archive/data.pkl", pickled.getvalue())
    writer.write_record("archive/data/0", b"\x00" * 64)
    writer.write_record("archive/version", b"3\n")
    writer.close()
    path.write_bytes(buf.getvalue())
    assert _peak_while_failing(path) < 4 * _MiB


def test_huge_npy_header_is_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.npy"
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1, np.float32))
    header["shape"] = (2**40,)
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    path.write_bytes(buf.getvalue() + b"\x00" * 64)
    assert _peak_while_failing(path) < 4 * _MiB


def test_safetensors_header_declaring_huge_tensors_is_refused(tmp_path):
    path = tmp_path / "huge.safetensors"
    head = b'{"x":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}}'
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"\x00" * 64)
    assert _peak_while_failing(path) < 4 * _MiB


def test_safetensors_tensors_overlapping_in_the_buffer_are_refused(tmp_path):
    path = tmp_path / "alias.safetensors"
    entries = ",".join(f'"t{i}":{{"dtype":"F32","shape":[256],"data_offsets":[0,1024]}}'
                       for i in range(200))
    head = ("{" + entries + "}").encode()
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"\x00" * 1024)
    with pytest.raises(RuntimeError, match="tile the buffer"):
        ember.load(path)


def test_legacy_storages_declaring_more_than_the_file_holds_are_refused(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.zeros(4), tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    data = (tmp_path / "l.pt").read_bytes()
    # the storage's numel (K 4) inside the persistent id tuple: make it 2**40
    fixed = data.replace(b"X\x03\x00\x00\x00cpuq\x04K\x04N", b"X\x03\x00\x00\x00cpuq\x04\x8a\x06"
                         + (2**40).to_bytes(6, "little") + b"N")
    assert fixed != data
    (tmp_path / "l2.pt").write_bytes(fixed)
    assert _peak_while_failing(tmp_path / "l2.pt") < 4 * _MiB
