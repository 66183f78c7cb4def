"""Warnings raised deep inside ember point at the user's line."""

from __future__ import annotations

import subprocess
import sys
import warnings

import ember
from ember import nn


def test_implicit_softmax_dim_warning_points_at_caller():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        nn.Softmax()(ember.randn(2, 3))
    (w,) = [r for r in record if "Implicit dimension" in str(r.message)]
    assert w.filename == __file__


def test_loop_check_warning_points_at_caller():
    opt = ember.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        opt.step()
    (w,) = [r for r in record if issubclass(r.category, ember.TrainingLoopWarning)]
    assert w.filename == __file__


_FLOAT_EDGE_CASES = """
import warnings
warnings.simplefilter("always")
import numpy as np
import ember
import ember.nn.functional as F
mask = ember.tril(ember.ones(4, 4))
x = ember.randn(4, 4, requires_grad=True)
F.softmax(x + ember.log(mask), -1).sum().backward()  # log(0) in an additive causal mask
ember.ones(2) / ember.zeros(2)
ember.tensor([float("inf")]) - ember.tensor([float("inf")])
ember.exp(ember.tensor([1000.0]))
ember.zeros(1).rsqrt()
F.softmax(ember.full((2, 3), float("-inf")), -1)
print("ember quiet")
np.log(np.zeros(1))  # the user's own NumPy code keeps its warning
"""


def test_numpy_float_warnings_do_not_leak_from_ember_as_in_pytorch():
    done = subprocess.run([sys.executable, "-c", _FLOAT_EDGE_CASES], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ember quiet" in done.stdout
    lines = [line for line in done.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(lines) == 1 and "divide by zero encountered in log" in lines[0], done.stderr
