"""python -m ember.distributed.run: the mpirun command it builds, and a real launch."""

import os
import sys

from ember.distributed import run as launcher
from mpi_launch import SRC, WORKERS, require_mpi, run


def _cmd(*argv):
    return launcher.mpirun_command(launcher._parser().parse_args(list(argv)))


def test_command_starts_workers_with_the_script_and_its_arguments():
    cmd = _cmd("--nproc-per-node", "2", "--mpirun", "mpirun", "train.py", "--lr", "0.1")
    assert cmd[:3] == ["mpirun", "-n", "2"]
    assert cmd[-6:] == ["-m", "ember.distributed.run", "--worker", "train.py", "--lr", "0.1"]


def test_more_ranks_than_cores_oversubscribe_and_hostfiles_map_per_node():
    many = (os.cpu_count() or 1) + 1
    assert "--oversubscribe" in _cmd("--nproc-per-node", str(many), "--mpirun", "m", "t.py")
    assert "--oversubscribe" not in _cmd("--nproc-per-node", "1", "--mpirun", "m", "t.py")
    cmd = _cmd("--nnodes", "2", "--nproc-per-node", "3", "--hostfile", "hosts", "--mpirun", "m",
               "t.py")
    assert cmd[:3] == ["m", "-n", "6"]
    assert cmd[3:7] == ["--hostfile", "hosts", "--map-by", "ppr:3:node"]


def test_environment_for_root_and_containers(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(launcher, "in_container", lambda: True)
    env = launcher.mpi_environment({})
    assert env["OMPI_ALLOW_RUN_AS_ROOT"] == env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] == "1"
    assert env["OMPI_MCA_btl_vader_single_copy_mechanism"] == "none"
    kept = launcher.mpi_environment({"OMPI_MCA_btl_vader_single_copy_mechanism": "cma"})
    assert kept["OMPI_MCA_btl_vader_single_copy_mechanism"] == "cma"


def test_launch_runs_the_script_on_every_rank_with_torchrun_variables():
    require_mpi()
    result = run([sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2",
                  os.path.join(WORKERS, "launched.py"), "--flag", "1"], timeout=60,
                 env={"PYTHONPATH": SRC})
    assert result.returncode == 0, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert lines == [f"rank {r} of 2 args ['--flag', '1'] main=__main__" for r in range(2)]
