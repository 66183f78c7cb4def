"""Run every benchmark in this folder and print their ratios against PyTorch."""

from __future__ import annotations

import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ["per_op.py", "mlp.py", "cnn_small.py", "loop_checks.py"]

if __name__ == "__main__":
    sys.path.insert(0, HERE)
    for name in SCRIPTS:
        path = os.path.join(HERE, name)
        if os.path.exists(path):
            print(f"== {name}")
            runpy.run_path(path, run_name="__main__")
