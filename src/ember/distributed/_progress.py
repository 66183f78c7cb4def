"""A background thread that drives MPI's progress on non-blocking requests.

MPI moves a non-blocking collective's data only while some MPI call runs in the process; with
one thread, an all-reduce started in the middle of backward would sit still until backward
ends and the main thread waits for it. This thread polls the requests handed to it while the
main thread computes (NumPy's BLAS releases the GIL), so the transfer and the reduction really
overlap backward, which is what PyTorch's CPU backend does with its own communication threads.
Requests handed here are tested only by this thread (MPI forbids completing one request from
two threads at once); the main thread waits on the Event ``submit`` returns.
"""

from __future__ import annotations

import queue
import threading
import time

_POLL_SECONDS = 5e-5  # between polls: short against a millisecond all-reduce, and it sleeps


class ProgressThread:
    """Polls submitted MPI requests until each completes, then sets its Event."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ember-mpi-progress",
                                        daemon=True)
        self._thread.start()

    def submit(self, request) -> threading.Event:
        """Start polling ``request``; the Event is set once it has completed."""
        done = threading.Event()
        self._queue.put((request, done))
        return done

    def _run(self) -> None:
        pending: list = []
        while True:
            if not pending:
                pending.append(self._queue.get())  # idle: block without polling
            while True:
                try:
                    pending.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            still = []
            for request, done in pending:
                if request.Test():
                    done.set()
                else:
                    still.append((request, done))
            pending = still
            if pending:
                time.sleep(_POLL_SECONDS)


_thread: ProgressThread | None = None
_lock = threading.Lock()


def progress_thread(MPI) -> ProgressThread | None:  # noqa: N803
    """The process's progress thread, or None when MPI was not started thread-safe."""
    global _thread
    if MPI.Query_thread() < MPI.THREAD_MULTIPLE:
        return None
    with _lock:
        if _thread is None:
            _thread = ProgressThread()
    return _thread
