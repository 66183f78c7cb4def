"""examples/ddp_digits.py learns when launched on 2 ranks (briefly)."""

import os
import re

import pytest

from mpi_launch import mpi_command, require_mpi, run

EXAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "examples"))


@pytest.mark.slow
def test_ddp_digits_learns_on_two_ranks():
    pytest.importorskip("sklearn")
    require_mpi()
    result = run(mpi_command(2, [os.path.join(EXAMPLES, "ddp_digits.py"), "--epochs", "2"]),
                 timeout=120)
    assert result.returncode == 0, result.stderr
    accuracies = [float(a) for a in re.findall(r"test accuracy ([\d.]+)% \(2 ranks\)",
                                                result.stdout)]
    assert len(accuracies) == 2 and accuracies[-1] > 90, result.stdout
