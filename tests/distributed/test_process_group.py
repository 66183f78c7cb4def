"""init_process_group and friends: availability, argument checks, failure and timeout."""

import os
import subprocess
import sys
import time

import pytest

import ember.distributed as dist
from ember.distributed import _mpi
from mpi_launch import SRC, WORKERS, environment, mpi_command, require_mpi, run, run_worker


class _HideMPI:
    """A meta-path finder that makes mpi4py look uninstalled."""

    def find_spec(self, name, path=None, target=None):
        if name == "mpi4py" or name.startswith("mpi4py."):
            raise ModuleNotFoundError(f"No module named '{name}'")
        return None


@pytest.fixture
def no_mpi4py(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [_HideMPI()] + sys.meta_path)
    for name in [m for m in sys.modules if m == "mpi4py" or m.startswith("mpi4py.")]:
        monkeypatch.delitem(sys.modules, name)


def test_without_mpi4py_is_unavailable_and_init_names_the_extra(no_mpi4py):
    assert not dist.is_available()
    with pytest.raises(ImportError, match=r"ember\[distributed\]"):
        dist.init_process_group()
    assert not dist.is_initialized()


def test_uninitialised_queries_raise_pytorchs_value_error():
    assert not dist.is_initialized()
    for query in (dist.get_rank, dist.get_world_size, dist.barrier):
        with pytest.raises(ValueError, match="init_process_group"):
            query()


def test_gpu_backends_and_stores_are_refused():
    with pytest.raises(RuntimeError, match="NCCL"):
        dist.init_process_group("nccl")
    with pytest.raises(NotImplementedError, match="store"):
        dist.init_process_group(store=object())
    with pytest.raises(TypeError, match="timedelta"):
        dist.init_process_group(timeout=5)


def _single(code: str, **env) -> subprocess.CompletedProcess:
    """``code`` in a fresh Python that is a one-process MPI job (an MPI singleton)."""
    require_mpi()
    return run([sys.executable, "-c", code], timeout=60, env={"PYTHONPATH": SRC, **env})


def test_single_process_job_and_env_variables_checked_against_mpi():
    ok = _single("import ember, ember.distributed as d; d.init_process_group('mpi', "
                 "init_method='env://', rank=0, world_size=1); t = ember.ones(2); "
                 "d.all_reduce(t, op=d.ReduceOp.AVG); print(d.get_backend(), t.tolist())",
                 RANK="0", WORLD_SIZE="1")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["mpi", "[1.0,", "1.0]"]
    bad = _single("import ember.distributed as d; d.init_process_group()",
                  RANK="0", WORLD_SIZE="2")
    assert bad.returncode != 0
    assert "WORLD_SIZE=2 but the MPI job has 1 process" in bad.stderr
    assert "mpirun -n 2" in bad.stderr
    wrong = _single("import ember.distributed as d; d.init_process_group(world_size=3)")
    assert "ValueError" in wrong.stderr and "world_size=3" in wrong.stderr


@pytest.mark.parametrize("mode, messages", [
    ("raise", ["rank 1 failed on purpose", "rank 1 raised ValueError; aborting the MPI job"]),
    ("timeout", ["all_reduce timed out after 1 s", "rank 0 raised DistBackendError; aborting"]),
    # faulthandler's watchdog: "Timeout (0:00:01)!" and the stack, inside MPI's start
    ("init_timeout", ["Timeout (0:00:01)!", "in _start_mpi", "in init_process_group"]),
])
def test_a_failing_rank_ends_the_job_instead_of_hanging(mode, messages):
    start = time.monotonic()
    result = run_worker("failure", 2, mode, timeout=60, check=False)
    assert result.returncode != 0
    for message in messages:
        assert message in result.stderr, result.stderr
    assert "finished normally" not in result.stdout
    assert time.monotonic() - start < 45


def test_a_rank_failing_before_init_ends_the_launched_job():
    require_mpi()
    result = run([sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2",
                  os.path.join(WORKERS, "failure.py"), "before_init"], timeout=120,
                 env={"PYTHONPATH": SRC})
    assert result.returncode != 0
    assert "rank 1 failed before init" in result.stderr


def test_mpi_command_is_local(monkeypatch):
    cmd = mpi_command(4, ["x.py"])
    assert "--oversubscribe" in cmd and cmd[-1] == "x.py"
    assert environment()["OMPI_MCA_btl"] == "self,vader"
    assert _mpi.is_available() == dist.is_available()
