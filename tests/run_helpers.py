"""Run Python programs in a subprocess, on PyTorch (``python prog``) or on ember (``ember run``).

Shared by the tests of ``ember run`` (tests/test_run.py, test_torch_alias.py,
test_usage_report.py). The programs in tests/run_programs/ are unmodified PyTorch code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import ember

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_programs")
EMBER_SRC = os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__)))
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def run_python(args: list[str], cwd: str = PROGRAMS, timeout: float = 120):
    """``python *args`` with this interpreter, ember importable; the completed process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [EMBER_SRC, env.get("PYTHONPATH")]))
    env.pop("PYTHONSAFEPATH", None)
    env.setdefault("OMP_NUM_THREADS", "1")  # small programs: threads only contend on a busy CI
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def ember_run(args: list[str], cwd: str = PROGRAMS, timeout: float = 120):
    """``python -m ember run *args``; the completed process."""
    return run_python(["-m", "ember", "run", *args], cwd=cwd, timeout=timeout)


def assert_same_output(actual: str, expected: str, rtol: float = 1e-4, atol: float = 1e-5):
    """Equal printed output, numbers compared within tolerance (float32 sums may round apart)."""
    actual_lines, expected_lines = actual.splitlines(), expected.splitlines()
    assert len(actual_lines) == len(expected_lines), f"\n{actual}\n!=\n{expected}"
    for got_line, want_line in zip(actual_lines, expected_lines):
        got, want = _tokens(got_line), _tokens(want_line)
        assert len(got) == len(want), f"{got_line!r} != {want_line!r}"
        for g, w in zip(got, want):
            if NUMBER.match(g) and NUMBER.match(w):
                assert abs(float(g) - float(w)) <= atol + rtol * abs(float(w)), (
                    f"{got_line!r} != {want_line!r}")
            else:
                assert g == w, f"{got_line!r} != {want_line!r}"


def _tokens(line: str) -> list[str]:
    return re.sub(r"[\[\](),]", " ", line).split()
