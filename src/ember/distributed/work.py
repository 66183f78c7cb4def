"""Work: the handle of a collective started with ``async_op=True`` (MPI non-blocking requests).

A collective posts MPI requests and returns at once; ``wait()`` completes them and then runs the
collective's finishing step (AVG's division, copying into non-contiguous or list outputs), so
the output tensors hold the result exactly when ``wait()`` returns, as in PyTorch. Waiting polls
the requests against the group's timeout instead of blocking inside MPI, which is what lets a
rank give up on a peer that never arrives (``init_process_group(timeout=...)``).
"""

from __future__ import annotations

import time
from datetime import timedelta

# spin on MPI_Testall this long before sleeping between polls: collectives between busy ranks
# finish within microseconds to milliseconds, and sleeping adds latency; a peer that is still
# computing (or oversubscribed ranks sharing a core) should not be starved by our spinning
_SPIN_SECONDS = 2e-3
_MAX_SLEEP = 2e-3


class DistError(RuntimeError):
    """Base of the errors raised by ember.distributed (PyTorch's ``DistError``)."""


class DistBackendError(DistError):
    """A collective failed or timed out in the backend (PyTorch's ``DistBackendError``)."""


class Work:
    """A started collective; its outputs are valid once ``wait()`` returns."""

    def __init__(self, MPI, requests: list, finish=None, timeout: timedelta | None = None,  # noqa: N803
                 name: str = "collective", outputs=()) -> None:
        self._MPI = MPI
        self._requests = requests
        self._finish = finish
        self._timeout = timeout
        self._name = name
        self._outputs = list(outputs)
        self._done = False
        self._status = None

    def _complete(self) -> None:
        self._done = True
        self._requests = []
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()

    def is_completed(self) -> bool:
        """Whether the collective has finished; polling also drives MPI's progress."""
        if not self._done and self._MPI.Request.Testall(self._requests, self._statuses()):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        """True once completed (failures raise instead of completing)."""
        return self.is_completed()

    def _statuses(self):
        if self._status is None:
            self._status = [self._MPI.Status() for _ in self._requests]
        return self._status

    def wait(self, timeout: timedelta | None = None) -> bool:
        """Block until the collective completes.

        Args:
            timeout: overrides the process group's timeout for this wait.

        Returns:
            True.

        Raises:
            DistBackendError: the collective did not complete within the timeout.
        """
        if self._done:
            return True
        limit = timeout if timeout is not None else self._timeout
        MPI = self._MPI  # noqa: N806
        statuses = self._statuses()
        if limit is None:
            MPI.Request.Waitall(self._requests, statuses)
        else:
            start = time.monotonic()
            deadline = start + limit.total_seconds()
            pause = 1e-5
            while not MPI.Request.Testall(self._requests, statuses):
                now = time.monotonic()
                if now > deadline:
                    raise DistBackendError(
                        f"{self._name} timed out after {limit.total_seconds():g} s "
                        f"(timeout={limit!r}): a peer rank did not take part in time")
                if now - start > _SPIN_SECONDS:
                    time.sleep(pause)
                    pause = min(2 * pause, _MAX_SLEEP)
        self._complete()
        return True

    def result(self) -> list:
        """The output tensors of the collective (after ``wait()``)."""
        return self._outputs

    def _source(self) -> int:
        """The MPI source of a completed receive (its rank in the communicator)."""
        return self._statuses()[0].Get_source()

    def __repr__(self) -> str:
        return f"<Work {self._name} {'completed' if self._done else 'pending'}>"
