"""get_unsafe_globals_in_checkpoint lists what a weights-only load would refuse, running
nothing."""

from __future__ import annotations

import io
import os

import pytest

import ember
from ember import nn
from ember.serialization import (
    add_safe_globals,
    clear_safe_globals,
    get_unsafe_globals_in_checkpoint,
)


class Box:
    def __init__(self, v):
        self.v = v


def test_state_dicts_have_no_unsafe_globals(tmp_path):
    ember.save({"m": nn.Linear(2, 2).state_dict(), "b": b"x", "s": {1}}, tmp_path / "sd.pt")
    assert get_unsafe_globals_in_checkpoint(tmp_path / "sd.pt") == []


def test_objects_are_listed_until_allowed(tmp_path):
    ember.save({"box": Box(ember.ones(1)), "model": nn.Linear(2, 2)}, tmp_path / "o.pt")
    found = get_unsafe_globals_in_checkpoint(tmp_path / "o.pt")
    assert f"{Box.__module__}.Box" in found
    assert "ember.nn.modules.linear.Linear" in found
    add_safe_globals([Box])
    try:
        assert f"{Box.__module__}.Box" not in get_unsafe_globals_in_checkpoint(tmp_path / "o.pt")
    finally:
        clear_safe_globals()


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_stack_global_names_are_found(tmp_path, protocol):
    ember.save([Box(1), Box(2)], tmp_path / "p.pt", pickle_protocol=protocol)
    assert get_unsafe_globals_in_checkpoint(tmp_path / "p.pt") == [f"{Box.__module__}.Box"]


def test_legacy_files_and_payloads_are_scanned_without_running(tmp_path):
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    torch.save({"f": os.system}, buf, _use_new_zipfile_serialization=False)
    buf.seek(0)
    assert get_unsafe_globals_in_checkpoint(buf) == ["posix.system"]
    torch.save({"w": torch.ones(1)}, tmp_path / "t.pt")
    assert get_unsafe_globals_in_checkpoint(tmp_path / "t.pt") == []
