"""Worker exceptions re-raised in the main process with PyTorch's message and type rules."""

from __future__ import annotations

import pickle

import pytest

from ember.utils.data._worker_error import WorkerError


def _caught(exc) -> WorkerError:
    try:
        raise exc
    except BaseException:
        return pickle.loads(pickle.dumps(WorkerError("in DataLoader worker process 3")))


def test_reraise_keeps_type_and_carries_the_traceback_text():
    with pytest.raises(IndexError) as info:
        _caught(IndexError("index 9 is out of range")).reraise()
    text = str(info.value)
    assert text.startswith("Caught IndexError in DataLoader worker process 3.\n")
    assert "Original Traceback (most recent call last):" in text
    assert "IndexError: index 9 is out of range" in text


def test_key_error_message_keeps_its_newlines():
    with pytest.raises(KeyError) as info:
        _caught(KeyError("missing")).reraise()
    assert "\n" in str(info.value)  # repr would have escaped them


def test_unbuildable_or_unpicklable_types_become_runtime_error():
    class Local(Exception):  # not importable by the main process
        pass

    class TwoArgs(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)

    for exc in (Local("x"), TwoArgs(1, 2)):
        with pytest.raises(RuntimeError, match=f"Caught {type(exc).__name__}"):
            _caught(exc).reraise()
