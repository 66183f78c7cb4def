"""The process group: who takes part in a collective, and the default group set up by init.

ember's only backend is MPI: ``init_process_group`` takes the rank and world size from the MPI
job (started by ``mpirun`` or ``python -m ember.distributed.run``), so there is no rendezvous of
ember's own. PyTorch's ``env://`` variables and explicit ``rank``/``world_size`` are accepted and
checked against MPI's view, so a script written for ``torchrun`` runs unchanged under mpirun.
"""

from __future__ import annotations

import faulthandler
import os
import sys
from datetime import timedelta

from . import _mpi
from .work import DistBackendError, Work

# PyTorch's default_pg_timeout
default_pg_timeout = timedelta(minutes=30)


class Backend(str):
    """Backend names as PyTorch's; ember runs every backend's collectives over MPI."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"

    def __new__(cls, name: str):
        return str.__new__(cls, name.lower())


# gloo is PyTorch's CPU backend: scripts ask for it by name, and its collectives mean the same
_CPU_BACKENDS = ("mpi", "gloo", "cpu:gloo", "cpu:mpi")


class ProcessGroup:
    """A set of ranks with its own MPI communicator; collectives on it involve only them."""

    def __init__(self, MPI, comm, ranks: list, timeout: timedelta) -> None:  # noqa: N803
        self._MPI = MPI
        self._comm = comm
        self._ranks = list(ranks)  # global rank of each group rank
        self._timeout = timeout

    def rank(self) -> int:
        """This process's rank within the group."""
        return self._comm.Get_rank()

    def size(self) -> int:
        """The number of ranks in the group."""
        return self._comm.Get_size()

    def name(self) -> str:
        return Backend.MPI

    def group_rank(self, global_rank: int, arg: str) -> int:
        """The group rank of ``global_rank`` (PyTorch's src/dst arguments are global ranks)."""
        try:
            return self._ranks.index(int(global_rank))
        except ValueError:
            raise ValueError(f"{arg}={global_rank} is not a rank of this process group "
                             f"(global ranks {self._ranks})") from None

    def work(self, requests: list, finish=None, name: str = "collective", outputs=()) -> Work:
        return Work(self._MPI, requests, finish, self._timeout, name, outputs)

    def __repr__(self) -> str:
        return f"ProcessGroup(backend=mpi, ranks={self._ranks})"


class _NonMember:
    """The value ``new_group`` returns on ranks outside the new group (as PyTorch)."""

    def __repr__(self) -> str:
        return "GroupMember.NON_GROUP_MEMBER"


class GroupMember:
    """PyTorch's holder of the default group (``WORLD``) and the non-member marker."""

    WORLD: ProcessGroup | None = None
    NON_GROUP_MEMBER = _NonMember()


class _GroupNamespace:
    """``dist.group``: PyTorch spells the default group ``dist.group.WORLD`` too."""

    WORLD: ProcessGroup | None = None


group = _GroupNamespace


class _State:
    default: ProcessGroup | None = None
    groups: list = []
    previous_excepthook = None


def is_available() -> bool:
    """Whether ember.distributed can run here (mpi4py installed)."""
    return _mpi.is_available()


def is_mpi_available() -> bool:
    """Whether the MPI backend is available (the only one ember has)."""
    return _mpi.is_available()


def is_gloo_available() -> bool:
    """False: ember has no Gloo; ``backend="gloo"`` runs over MPI."""
    return False


def is_nccl_available() -> bool:
    """False: no GPUs."""
    return False


def is_initialized() -> bool:
    """Whether ``init_process_group`` has been called (and not destroyed)."""
    return _State.default is not None


def is_torchelastic_launched() -> bool:
    """False: ember jobs are launched by MPI, never by torchelastic."""
    return False


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: timedelta | None = None, world_size: int = -1, rank: int = -1,
                       store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    """Join the MPI job as the default process group.

    Args:
        backend: None, ``"mpi"`` or ``"gloo"`` (both run over MPI); GPU backends raise.
        init_method: None, ``"env://"``, or a ``tcp://``/``file://`` URL: MPI does the
            rendezvous, so only the rank and world size they imply are used (checked against MPI).
        timeout: how long any collective on the default group may wait for the other ranks
            before raising (default 30 minutes, as PyTorch).
        world_size, rank: if given, must match the MPI job's.
        store: not supported (MPI needs no store).

    Raises:
        ImportError: mpi4py is not installed (the message names the ``distributed`` extra).
        ValueError: called twice, or rank/world_size disagree with the MPI job.
        RuntimeError: a GPU backend, or env:// variables describing a job MPI did not start.
        DistBackendError: the other ranks did not join within ``timeout``.
    """
    if _State.default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    timeout = default_pg_timeout if timeout is None else timeout
    if not isinstance(timeout, timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, "
                        f"got {type(timeout).__name__}")
    name = str(backend).lower() if backend is not None else "mpi"
    if name not in _CPU_BACKENDS:
        raise RuntimeError(f"Distributed package doesn't have {str(backend).upper()} built in: "
                           f"ember runs on CPUs with the MPI backend (backend='mpi' or 'gloo')")
    if store is not None:
        raise NotImplementedError("init_process_group(store=...): ember's MPI backend takes "
                                  "ranks from the MPI job and has no store rendezvous")
    MPI = _start_mpi(timeout)  # noqa: N806
    world = MPI.COMM_WORLD
    _check_job(world.Get_rank(), world.Get_size(), init_method, rank, world_size)
    # our own communicator, so collectives never match messages of the user's MPI calls;
    # MPI_Comm_idup lets the join honour the timeout when a rank never calls init
    comm = _dup_with_timeout(MPI, world, timeout)
    pg = ProcessGroup(MPI, comm, list(range(world.Get_size())), timeout)
    _State.default = pg
    _State.groups = [pg]
    GroupMember.WORLD = _GroupNamespace.WORLD = pg
    _install_abort_hook(MPI)


def _start_mpi(timeout: timedelta):
    """Import mpi4py's MPI (which runs MPI_Init) within ``timeout``.

    MPI_Init waits inside C, holding the GIL, for every rank of the job to start it: no
    exception or Python thread can interrupt it. faulthandler's watchdog is a C thread: past
    the timeout it prints where each thread is and ends the process, and mpirun then ends the
    whole job. (It is the process-wide faulthandler timer, cancelled once MPI is up.)
    """
    if "mpi4py.MPI" in sys.modules:
        return _mpi.mpi()
    sys.stderr.flush()
    faulthandler.dump_traceback_later(timeout.total_seconds(), exit=True)
    try:
        return _mpi.mpi()
    finally:
        faulthandler.cancel_dump_traceback_later()


def _dup_with_timeout(MPI, world, timeout: timedelta):  # noqa: N803
    comm, request = world.Idup()
    Work(MPI, [request], None, timeout, "init_process_group (waiting for every rank to join)") \
        .wait()
    return comm


def _check_job(mpi_rank: int, mpi_size: int, init_method, rank: int, world_size: int) -> None:
    """Reject a rank/world size (arguments, env:// variables) that is not the MPI job's."""
    hint = ("ember.distributed runs over MPI: start {n} processes with `mpirun -n {n} python "
            "script.py` or `python -m ember.distributed.run --nproc-per-node {n} script.py`")
    if world_size is not None and world_size >= 0 and world_size != mpi_size:
        raise ValueError(f"init_process_group: world_size={world_size} but the MPI job has "
                         f"{mpi_size} process(es). " + hint.format(n=world_size))
    if rank is not None and rank >= 0 and rank != mpi_rank:
        raise ValueError(f"init_process_group: rank={rank} but this MPI process is rank "
                         f"{mpi_rank}; MPI assigns the ranks")
    if init_method not in (None, "env://"):
        return
    env_size = os.environ.get("WORLD_SIZE")
    if env_size is not None and int(env_size) != mpi_size:
        raise RuntimeError(f"init_process_group: WORLD_SIZE={env_size} but the MPI job has "
                           f"{mpi_size} process(es). " + hint.format(n=env_size))
    env_rank = os.environ.get("RANK")
    if env_rank is not None and env_size is not None and int(env_rank) != mpi_rank:
        raise RuntimeError(f"init_process_group: RANK={env_rank} but this MPI process is rank "
                           f"{mpi_rank}")


def _install_abort_hook(MPI) -> None:  # noqa: N803
    """An uncaught exception on any rank aborts the whole job (the others would wait forever)."""
    if _State.previous_excepthook is not None:
        return
    previous = sys.excepthook

    def abort_job(exc_type, exc, tb):
        previous(exc_type, exc, tb)
        if _State.default is not None and MPI.COMM_WORLD.Get_size() > 1:
            sys.stderr.write(f"ember.distributed: rank {MPI.COMM_WORLD.Get_rank()} raised "
                             f"{exc_type.__name__}; aborting the MPI job\n")
            sys.stderr.flush()
            MPI.COMM_WORLD.Abort(1)

    _State.previous_excepthook = previous
    sys.excepthook = abort_job


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Free a group's communicator; without argument, every group and the default one."""
    if group is None:
        for pg in _State.groups:
            _free(pg)
        _State.default = None
        _State.groups = []
        GroupMember.WORLD = _GroupNamespace.WORLD = None
        if _State.previous_excepthook is not None:
            sys.excepthook = _State.previous_excepthook
            _State.previous_excepthook = None
        return
    if group in _State.groups:
        _free(group)
        _State.groups.remove(group)


def _free(pg: ProcessGroup) -> None:
    comm, pg._comm = pg._comm, None
    if comm is not None:
        comm.Free()


def default_group() -> ProcessGroup:
    """The default group, or PyTorch's ValueError naming the missing call."""
    if _State.default is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                           "to call init_process_group.")
    return _State.default


def resolve(group) -> ProcessGroup | None:
    """The group a collective runs on: ``group`` or the default; None on a non-member."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    if group is None:
        return default_group()
    if not isinstance(group, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup, got {type(group).__name__}")
    if group._comm is None:
        raise ValueError("the process group has been destroyed")
    return group


def new_group(ranks=None, timeout: timedelta | None = None, backend=None, pg_options=None,
              use_local_synchronization: bool = False, group_desc=None, device_id=None):
    """A group of some of the ranks; every rank of the job must call it (as PyTorch).

    Returns:
        The new ProcessGroup on its members; ``GroupMember.NON_GROUP_MEMBER`` on the others.
    """
    world = default_group()
    size = world.size()
    members = sorted(set(range(size) if ranks is None else (int(r) for r in ranks)))
    for r in members:
        if not 0 <= r < size:
            raise ValueError(f"new_group: rank {r} is out of range for world size {size}")
    MPI = world._MPI  # noqa: N806
    comm = world._comm.Create(world._comm.Get_group().Incl(members))
    if comm == MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(MPI, comm, members, world._timeout if timeout is None else timeout)
    _State.groups.append(pg)
    return pg


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (default: the world); -1 on a non-member."""
    pg = resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of ranks in ``group`` (default: the world); -1 on a non-member."""
    pg = resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group: ProcessGroup | None = None) -> str:
    """Always ``"mpi"``: the backend every ember collective runs on."""
    default_group() if group is None else resolve(group)
    return Backend.MPI


def get_process_group_ranks(group: ProcessGroup) -> list:
    """The global ranks of the members of ``group``."""
    return list(resolve(group)._ranks)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    """The global rank of the member ``group_rank`` of ``group``."""
    return resolve(group)._ranks[group_rank]


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    """The rank within ``group`` of the process with global rank ``global_rank``."""
    return resolve(group).group_rank(global_rank, "global_rank")


def barrier(group: ProcessGroup | None = None, async_op: bool = False, device_ids=None):
    """Wait until every rank of the group has reached the barrier."""
    pg = resolve(group)
    if pg is None:
        return None
    work = pg.work([pg._comm.Ibarrier()], name="barrier")
    if async_op:
        return work
    work.wait()
    return None


__all__ = [
    "Backend", "DistBackendError", "GroupMember", "ProcessGroup", "barrier", "default_pg_timeout",
    "destroy_process_group", "get_backend", "get_global_rank", "get_group_rank",
    "get_process_group_ranks", "get_rank", "get_world_size", "group", "init_process_group",
    "is_available", "is_gloo_available", "is_initialized", "is_mpi_available",
    "is_nccl_available", "is_torchelastic_launched", "new_group",
]
