"""One pass over a DataLoader with worker processes (``num_workers > 0``), as PyTorch's.

Dispatch: the index sampler's entries are numbered (tasks) and handed round-robin to the
workers, each through its own index queue, keeping ``prefetch_factor`` tasks per worker in
flight; every batch returned tops the pipeline up by one. Each worker answers on its own
pipe. ``in_order=True`` (the default) returns batches in task order, holding early arrivals
back; ``in_order=False`` returns whatever is ready first.

Waiting: ``multiprocessing.connection.wait`` on the workers' pipes *and* their process
sentinels, so a batch wakes the main process at once and so does a worker's death (PyTorch
needs a SIGCHLD handler for the latter): a worker killed by a signal raises
"DataLoader worker (pid N) is killed by signal: Killed." instead of hanging, and ``timeout``
bounds each wait.

Shutdown: at the end of the pass (unless ``persistent_workers``), when the iterator is
garbage collected (a ``break`` drops it), on a worker failure, and at interpreter exit (an
``atexit`` hook that runs before multiprocessing's own): tell every worker to stop, read and
free whatever they still send, join them, terminate any that does not exit within
``_SHUTDOWN_GRACE`` seconds, and unlink the shared memory of batches never returned.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import signal
import time
import weakref
from multiprocessing import connection, resource_tracker

from ._loader_iter import _BaseLoaderIter
from ._shared_batch import discard, unpack
from ._worker import ITERATION_END, RESUME, worker_loop
from ._worker_error import WorkerError

_SHUTDOWN_GRACE = 5.0
_live: weakref.WeakSet = weakref.WeakSet()
_exit_hook = {"registered": False, "exiting": False}


def _shutdown_all_at_exit() -> None:
    _exit_hook["exiting"] = True
    for it in list(_live):
        it._shutdown_workers()


def _register_exit_hook() -> None:
    # registered after multiprocessing's own hook (imported by then), so it runs first and
    # workers stop cleanly instead of being terminated mid-batch with segments outstanding
    if not _exit_hook["registered"]:
        atexit.register(_shutdown_all_at_exit)
        _exit_hook["registered"] = True


def _share_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now, so forked workers inherit it.

    Otherwise the first worker to create a shared-memory segment starts its own tracker,
    which unlinks (with warnings) every segment that worker made once it exits.
    """
    if os.name == "posix":
        resource_tracker.ensure_running()


def _death_message(process) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        message = (f"DataLoader worker (pid {process.pid}) is killed by signal: "
                   f"{signal.strsignal(-code)}. ")
        if -code == signal.SIGBUS:
            message += ("It is possible that dataloader's workers are out of shared memory. "
                        "Please try to raise your shared memory limit.")
        return message
    if code:
        return (f"DataLoader worker (pid {process.pid}) exited unexpectedly with exit code "
                f"{code}. Details are lost due to multiprocessing. Rerunning with "
                "num_workers=0 may give better error trace.")
    return f"DataLoader worker (pid(s) {process.pid}) exited unexpectedly"


class MultiProcessLoaderIter(_BaseLoaderIter):
    """Batches loaded by ``loader.num_workers`` worker processes (see the module docstring)."""

    _shutdown = True  # until workers start: nothing for __del__ to stop

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 with num_workers > 0")
        self._in_order = loader.in_order
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        self._failure: str | None = None
        self._shutdown = False
        self._workers: list = []
        self._index_queues: list = []
        self._readers: list = []
        self._exit_sent: list[bool] = []
        self._arrived: dict = {}
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        _share_resource_tracker()
        self._done_event = ctx.Event()
        try:
            for worker_id in range(self._num_workers):
                self._start_worker(ctx, loader, worker_id)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reader_ids = {id(r): i for i, r in enumerate(self._readers)}
        _register_exit_hook()
        _live.add(self)
        self._reset(loader, first=True)

    def _start_worker(self, ctx, loader, worker_id: int) -> None:
        index_queue = ctx.Queue()
        index_queue.cancel_join_thread()  # never block exit flushing tasks to a dead worker
        reader, writer = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=worker_loop, daemon=True,
            args=(self._dataset, self._is_iterable, index_queue, writer, self._done_event,
                  self._auto_collation, self._collate_fn, self._drop_last, self._base_seed,
                  loader.worker_init_fn, worker_id, self._num_workers))
        self._index_queues.append(index_queue)
        self._readers.append(reader)
        self._exit_sent.append(False)
        try:
            process.start()
        finally:
            writer.close()  # the worker holds the only writer: its death reads as EOF
        self._workers.append(process)

    # ------------------------------------------------------------------ epochs
    @property
    def usable(self) -> bool:
        """False once the workers are shut down (a failure, or exit): start a new pass."""
        return not self._shutdown

    def _reset(self, loader, first: bool = False) -> None:
        if not first:
            super()._reset(loader)
            for payload in self._arrived.values():
                discard(payload)
        self._send_idx = 0  # next task number to hand out
        self._rcvd_idx = 0  # next task number to return (in order)
        self._task_worker: dict[int, int] = {}  # task -> worker, until returned
        self._arrived = {}  # task -> payload that arrived ahead of its turn
        self._active = [True] * self._num_workers
        self._worker_tasks = [0] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        if not first:  # persistent workers: restart their fetchers, drop last epoch's leftovers
            for q in self._index_queues:
                q.put(RESUME)
            waiting = self._num_workers
            while waiting:
                _, (task, payload) = self._receive()
                if task == RESUME:
                    waiting -= 1
                else:
                    discard(payload)
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        max_tasks = self._prefetch_factor * self._num_workers
        for _ in range(self._num_workers):  # the next active worker (with room, unordered)
            worker_id = next(self._cycle)
            if self._active[worker_id] and (
                    self._in_order
                    or self._worker_tasks[worker_id] < max_tasks // sum(self._active)):
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_worker[self._send_idx] = worker_id
        self._worker_tasks[worker_id] += 1
        self._send_idx += 1

    # ------------------------------------------------------------------ receiving
    def _next_data(self):
        if self._failure is not None:
            raise RuntimeError(self._failure)
        while True:
            while self._rcvd_idx < self._send_idx:  # skip tasks of exhausted iterable workers
                task = self._rcvd_idx
                if task in self._arrived or (task in self._task_worker
                                             and self._active[self._task_worker[task]]):
                    break
                self._task_worker.pop(task, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            task = self._rcvd_idx
            if task in self._arrived:
                self._rcvd_idx += 1
                return self._process(self._arrived.pop(task), self._task_worker.pop(task))
            worker_id, (task, payload) = self._receive()
            if isinstance(payload, str) and payload == ITERATION_END:
                self._task_worker.pop(task, None)
                self._worker_tasks[worker_id] -= 1
                self._active[worker_id] = False
                if not self._persistent:
                    self._index_queues[worker_id].put(None)
                    self._exit_sent[worker_id] = True
                self._try_put_index()
                continue
            if task == self._rcvd_idx:
                self._rcvd_idx += 1
            elif self._in_order:
                self._arrived[task] = payload
                continue
            return self._process(payload, self._task_worker.pop(task))

    def _process(self, payload, worker_id: int):
        self._worker_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(payload, WorkerError):
            payload.reraise()
        return unpack(payload)

    def _receive(self):
        """(worker id, message) of the next message from any worker.

        Raises:
            RuntimeError: ``timeout`` passed without a message, or a worker died.
        """
        timeout = self._timeout if self._timeout > 0 else None
        closed: set[int] = set()
        while True:
            readers = [r for i, r in enumerate(self._readers)
                       if not self._exit_sent[i] and i not in closed]
            sentinels = {self._workers[i].sentinel: i for i in range(len(self._workers))
                         if not self._exit_sent[i]}
            if not readers and not sentinels:
                raise RuntimeError("DataLoader workers have been shut down")
            ready = connection.wait(readers + list(sentinels), timeout)
            if not ready:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            for obj in ready:
                worker_id = self._reader_ids.get(id(obj))
                if worker_id is None:
                    continue
                try:
                    return worker_id, obj.recv()
                except (EOFError, OSError):
                    closed.add(worker_id)  # its process is gone: the sentinel says how
            self._raise_if_dead([sentinels[s] for s in ready if s in sentinels] or closed)

    def _raise_if_dead(self, suspects) -> None:
        dead = []
        for worker_id in suspects:
            process = self._workers[worker_id]
            process.join(timeout=_SHUTDOWN_GRACE)  # its sentinel fired: reap it for the code
            if process.exitcode is not None:
                dead.append(process)
        if dead:
            self._failure = " ".join(_death_message(p) for p in dead)
            self._shutdown_workers()
            raise RuntimeError(self._failure)

    # ------------------------------------------------------------------ shutdown
    def _shutdown_workers(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        _live.discard(self)
        try:
            self._done_event.set()
            for worker_id, q in enumerate(self._index_queues):
                if not self._exit_sent[worker_id]:
                    q.put(None)
                    self._exit_sent[worker_id] = True
            self._drain_until_exit()
            for process in self._workers:
                if process.is_alive():
                    process.terminate()
                    process.join(timeout=_SHUTDOWN_GRACE)
                if process.is_alive():
                    process.kill()
                process.join()
            for reader in self._readers:  # results sent before the workers stopped
                while _poll(reader):
                    try:
                        discard(reader.recv()[1])
                    except Exception:
                        break
        finally:
            for payload in self._arrived.values():
                discard(payload)
            self._arrived = {}
            for reader in self._readers:
                reader.close()
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()

    def _drain_until_exit(self) -> None:
        """Read (and free) results while workers exit: one blocked sending must get through."""
        deadline = time.monotonic() + _SHUTDOWN_GRACE
        running = {p.sentinel for p in self._workers if p.exitcode is None}
        readers = list(self._readers)
        while running:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            for obj in connection.wait(list(running) + readers, remaining):
                if obj in running:
                    running.discard(obj)
                    continue
                try:
                    discard(obj.recv()[1])
                except (EOFError, OSError):
                    readers.remove(obj)

    def __del__(self) -> None:
        if not _exit_hook["exiting"]:
            self._shutdown_workers()


def _poll(reader) -> bool:
    try:
        return reader.poll()
    except (EOFError, OSError):
        return False
