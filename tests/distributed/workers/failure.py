"""Worker: one rank misbehaves (argv[1] says how); the job must end, not hang.

raise         rank 1 raises while rank 0 waits in all_reduce: the excepthook aborts the job
timeout       rank 1 arrives 4 s late to an all_reduce with a 1 s timeout: rank 0 raises
init_timeout  rank 1 joins 4 s late; rank 0's init_process_group(timeout=1 s) raises
before_init   rank 1 raises before init_process_group (the launcher's worker aborts)
"""

import sys
import time
from datetime import timedelta

import ember
import ember.distributed as dist

mode = sys.argv[1]
rank = int(__import__("os").environ.get("OMPI_COMM_WORLD_RANK", "0"))
if mode == "before_init" and rank == 1:
    raise KeyError("rank 1 failed before init")
if mode == "init_timeout" and rank == 1:
    time.sleep(4)
timeout = timedelta(seconds=1) if mode in ("timeout", "init_timeout") else None
dist.init_process_group(timeout=timeout)
if mode == "raise" and rank == 1:
    raise ValueError("rank 1 failed on purpose")
if mode == "timeout" and rank == 1:
    time.sleep(4)
dist.all_reduce(ember.ones(1))
print(f"rank {rank}: finished normally")
