"""Start a worker (tests/distributed/workers/) as an MPI job on this machine, loopback only.

Jobs run with shared memory between ranks (``--mca btl self,vader``: no network interface is
touched), one BLAS thread per rank, ``--oversubscribe`` so 4 ranks fit on 2 cores, and a
wall-clock limit after which the whole job (its own process group) is killed, so a broken
collective fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from ember.distributed import run as launcher

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src"))
WORKERS = os.path.join(os.path.dirname(__file__), "distributed", "workers")


def require_mpi() -> None:
    """Skip when the ``distributed`` extra is not installed (``make test`` installs it)."""
    pytest.importorskip("mpi4py")
    try:
        launcher.find_mpirun()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


def environment(extra: dict | None = None) -> dict:
    env = launcher.mpi_environment()
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["OMPI_MCA_btl"] = "self,vader"  # shared memory only: never a network interface
    env.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env.update(extra or {})
    return env


def mpi_command(n: int, argv: list) -> list:
    return [launcher.find_mpirun(), "-n", str(n), "--oversubscribe", sys.executable, *argv]


def run(argv: list, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` in its own session; kill the session if it outlives ``timeout``."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(env), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{argv} did not finish within {timeout} s\n--- stdout\n{out}\n--- stderr\n"
                    f"{err}")
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def run_worker(name: str, n: int, *args: str, timeout: float = 120, env: dict | None = None,
               check: bool = True) -> subprocess.CompletedProcess:
    """Run ``workers/<name>.py`` on ``n`` ranks; with ``check``, fail on a non-zero exit."""
    require_mpi()
    result = run(mpi_command(n, [os.path.join(WORKERS, name + ".py"), *args]), timeout, env)
    if check and result.returncode != 0:
        pytest.fail(f"{name} on {n} ranks exited with {result.returncode}\n--- stdout\n"
                    f"{result.stdout}\n--- stderr\n{result.stderr}")
    return result
