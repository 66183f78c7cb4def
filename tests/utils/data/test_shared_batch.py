"""Batches through shared memory: exact round trip, views that outlive their neighbours,
segments unlinked on receipt or discard, pickling when /dev/shm has no room."""

from __future__ import annotations

import gc
import os
import pickle
from collections import namedtuple

import ml_dtypes
import numpy as np
import pytest

import ember
from ember.utils.data import _shared_batch
from ember.utils.data._shared_batch import SharedBatch, discard, pack, unpack

Pair = namedtuple("Pair", "x y")


def _segment_exists(name: str) -> bool:
    return os.path.exists(os.path.join("/dev/shm", name))


def _ship(batch):
    """pack, pickle across (as a pipe would), unpack."""
    message = pickle.loads(pickle.dumps(pack(batch)))
    return message, unpack(message)


def test_round_trip_of_nested_batch_with_large_and_small_arrays():
    big = np.arange(10_000, dtype=np.float64).reshape(100, 100)
    batch = {"x": ember.tensor(big), "pair": Pair(big[:, ::3], np.arange(3)),
             "names": ["a", "b"], "n": 7, "half": np.ones(9000, ml_dtypes.bfloat16),
             "mask": np.ones((128, 128), bool), "obj": np.array([{"k": 1}] * 3000, object)}
    message, out = _ship(batch)
    assert message.segment is not None and len(message.layout) == 4  # x, strided, half, mask
    assert isinstance(out["x"], ember.Tensor) and out["x"].dtype == ember.float64
    np.testing.assert_array_equal(out["x"].numpy(), big)
    assert isinstance(out["pair"], Pair)
    np.testing.assert_array_equal(out["pair"].x, big[:, ::3])
    np.testing.assert_array_equal(out["pair"].y, np.arange(3))
    assert out["names"] == ["a", "b"] and out["n"] == 7
    assert out["half"].dtype == ml_dtypes.bfloat16 and out["mask"].dtype == bool
    assert out["obj"][5] == {"k": 1}
    assert not _segment_exists(message.segment)  # unlinked as soon as it was mapped


def test_shared_arrays_are_writable_and_outlive_their_neighbours():
    a, b = np.full(5000, 1.0), np.full(5000, 2.0)
    _, (ra, rb) = _ship((a, b))
    view = rb[10:20]
    del ra, rb
    gc.collect()
    view += 1  # the mapping is alive while any view of it is
    np.testing.assert_array_equal(view, 3.0)


def test_one_array_twice_is_sent_once_and_stays_one_object():
    a = np.zeros(5000)
    message, (x, y) = _ship([a, a])
    assert len(message.layout) == 1 and x is y


def test_small_batches_need_no_segment():
    message, out = _ship({"label": np.arange(4), "t": ember.ones(3)})
    assert message.segment is None
    assert out["t"].tolist() == [1.0, 1.0, 1.0]


def test_discard_unlinks_an_unused_segment():
    message = pack(np.zeros(10_000))
    assert _segment_exists(message.segment)
    discard(message)
    assert not _segment_exists(message.segment)
    discard(message)  # twice is harmless
    discard("not a batch")


def test_no_room_in_dev_shm_falls_back_to_pickling(monkeypatch):
    monkeypatch.setattr(_shared_batch, "_has_room", lambda nbytes: False)
    message = pack(np.arange(10_000.0))
    assert isinstance(message, SharedBatch) and message.segment is None
    np.testing.assert_array_equal(unpack(message), np.arange(10_000.0))


def test_copy_out_without_a_dev_shm_file(monkeypatch):
    monkeypatch.setattr(_shared_batch, "_take_shm_file", lambda name: None)
    message, out = _ship(np.arange(10_000.0))
    np.testing.assert_array_equal(out, np.arange(10_000.0))
    assert out.flags.owndata and not _segment_exists(message.segment)


def test_failure_while_filling_unlinks_the_segment(monkeypatch):
    created = []
    real_fill = _shared_batch._fill

    def failing_fill(shm, arrays, layout):
        created.append(shm.name)
        real_fill(shm, arrays, layout)
        raise MemoryError("cannot fill")

    monkeypatch.setattr(_shared_batch, "_fill", failing_fill)
    with pytest.raises(MemoryError):
        pack(np.zeros(10_000))
    assert created and not _segment_exists(created[0])
