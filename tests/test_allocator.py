"""The glibc malloc tuning done at import (see ember._allocator)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import ember  # noqa: F401 - importing ember applies the tuning
from ember import _allocator

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")


@linux_only
def test_tuning_applied_on_import():
    assert _allocator.applied


@linux_only
def test_tuning_can_be_disabled_by_environment():
    code = "import ember, ember._allocator as a; print(a.applied)"
    env = dict(os.environ, EMBER_MALLOC_TUNING="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@linux_only
def test_user_thresholds_are_respected():
    code = "import ember, ember._allocator as a; print(a.applied)"
    env = dict(os.environ, MALLOC_TRIM_THRESHOLD_="1000", MALLOC_MMAP_THRESHOLD_="1000")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_tuning_is_idempotent():
    assert _allocator.tune_malloc() is False
