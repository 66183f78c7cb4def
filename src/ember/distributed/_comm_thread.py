"""A background thread that runs MPI communication while the main thread computes.

MPI moves a non-blocking collective's data only while some MPI call runs in the process, so an
all-reduce posted in the middle of backward would sit still until the main thread waits for
it; and Open MPI's non-blocking all-reduce (libnbc) is several times slower than its blocking
one for multi-megabyte buffers. So the main thread hands each bucket to this thread, which runs
the blocking collective (mpi4py releases the GIL inside MPI) while backward goes on; that is
what PyTorch's CPU backend does with its own communication threads. Jobs run strictly in
submission order, so every rank issues its collectives in the same order.
"""

from __future__ import annotations

import queue
import threading


class CommThread:
    """Runs submitted communication jobs one after another, off the main thread."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ember-mpi-comm", daemon=True)
        self._thread.start()

    def submit(self, job) -> threading.Event:
        """Queue ``job()``; the returned Event is set when it has run (``.error`` if it raised)."""
        done = threading.Event()
        done.error = None
        self._queue.put((job, done))
        return done

    def _run(self) -> None:
        while True:
            job, done = self._queue.get()
            try:
                job()
            except BaseException as exc:  # handed to the waiting main thread
                done.error = exc
            done.set()


_thread: CommThread | None = None
_lock = threading.Lock()


def comm_thread(MPI) -> CommThread | None:  # noqa: N803
    """The process's communication thread, or None when MPI was not started thread-safe."""
    global _thread
    if MPI.Query_thread() < MPI.THREAD_MULTIPLE:
        return None
    with _lock:
        if _thread is None:
            _thread = CommThread()
    return _thread
