"""map_location as torch.load takes it, on a CPU-only machine."""

from __future__ import annotations

import io
import zipfile

import pytest

import ember
from ember.serialization._rebuild import Storage


def _checkpoint_on(location: str) -> bytes:
    """An ember checkpoint whose storage claims to have been saved on ``location``."""
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2)}, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("data.pkl"):
                old = b"X\x03\x00\x00\x00cpu"
                new = b"X" + len(location).to_bytes(4, "little") + location.encode()
                assert old in data
                data = data.replace(old, new)
            dst.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("map_location", ["cpu", ember.device("cpu"), {"cuda:0": "cpu"},
                                          lambda storage, loc: storage])
def test_cuda_storages_map_to_the_cpu(map_location):
    data = _checkpoint_on("cuda:0")
    loaded = ember.load(io.BytesIO(data), map_location=map_location)
    assert loaded["w"].tolist() == [1.0, 1.0]


def test_cuda_storages_without_a_mapping_are_refused():
    with pytest.raises(RuntimeError, match="cuda:0.*map_location"):
        ember.load(io.BytesIO(_checkpoint_on("cuda:0")))
    with pytest.raises(RuntimeError, match="cuda:1"):
        ember.load(io.BytesIO(_checkpoint_on("cuda:1")), map_location={"cuda:0": "cpu"})
    # a callable returning None asks for the default placement, as in PyTorch
    with pytest.raises(RuntimeError, match="cuda:0"):
        ember.load(io.BytesIO(_checkpoint_on("cuda:0")), map_location=lambda s, loc: None)
    assert ember.load(io.BytesIO(_checkpoint_on("cpu")), map_location=lambda s, loc: None)


def test_mapping_to_another_device_is_refused():
    with pytest.raises(RuntimeError, match="CPU only"):
        ember.load(io.BytesIO(_checkpoint_on("cpu")), map_location="cuda:0")
    with pytest.raises(RuntimeError, match="CPU only"):
        ember.load(io.BytesIO(_checkpoint_on("cpu")), map_location={"cpu": "cuda"})
    with pytest.raises(TypeError, match="map_location"):
        ember.load(io.BytesIO(_checkpoint_on("cpu")), map_location=3)


def test_callable_sees_storages_and_locations():
    seen = []

    def spy(storage, location):
        seen.append((type(storage), location, storage.nbytes()))
        return storage.cpu()

    ember.load(io.BytesIO(_checkpoint_on("cuda:0")), map_location=spy)
    assert seen == [(Storage, "cuda:0", 8)]
