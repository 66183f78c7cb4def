"""Worker for the launcher: torchrun's variables are set before the script runs."""

import os
import sys

import ember.distributed as dist

env = {k: int(os.environ[k]) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")}
dist.init_process_group(init_method="env://")
assert env["RANK"] == dist.get_rank() == env["LOCAL_RANK"], env
assert env["WORLD_SIZE"] == dist.get_world_size() == env["LOCAL_WORLD_SIZE"], env
print(f"rank {env['RANK']} of {env['WORLD_SIZE']} args {sys.argv[1:]} main={__name__}")
