"""Run every benchmark in this folder, each in its own process, and print their ratios.

Separate processes keep one script's thread settings and allocator state (e.g. per_op's
single torch thread) from skewing the next one's figures.
"""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ["per_op.py", "mlp.py", "cnn_small.py", "nn_ops.py", "loop_checks.py",
           "dataloader_workers.py", "ddp.py"]

if __name__ == "__main__":
    failed = 0
    for name in SCRIPTS:
        print(f"== {name}", flush=True)
        failed |= subprocess.call([sys.executable, os.path.join(HERE, name)]) != 0
    sys.exit(1 if failed else 0)
