"""The loop a DataLoader worker process runs.

Start-up: reseed Python's, NumPy's and ember's generators (``_worker_seed``), publish
``get_worker_info()``, run ``worker_init_fn``, build the fetcher. Then, until told to stop:
take ``(task, indices)`` from this worker's index queue, fetch and collate the batch, and send
``(task, SharedBatch)`` back on its own pipe.

BLAS threads are left as they are. PyTorch's workers call ``torch.set_num_threads(1)``, but
ember's equivalent goes through threadpoolctl, whose library scan costs 30-100 ms per worker
start (measured here), while loading code rarely calls BLAS; a dataset that does can call
``ember.set_num_threads(1)`` in its ``worker_init_fn``.

Messages to the worker: ``(task, indices)``, ``RESUME`` (a new epoch with persistent
workers: rebuild the fetcher, acknowledge), ``None`` (exit). Messages from it: ``(task,
SharedBatch | WorkerError)``, ``(task, ITERATION_END)`` when an IterableDataset is exhausted,
``(RESUME, None)``.

An exception while loading is sent as a ``WorkerError`` for that task and the worker goes on
(the main process raises it in order). A failing ``worker_init_fn`` is reported with the
first task. The worker exits by itself when the main process is gone (its parent pid
changes), so a killed trainer leaves no workers behind.
"""

from __future__ import annotations

import os
import queue

from ._fetch import create_fetcher
from ._shared_batch import pack
from ._worker_error import WorkerError
from ._worker_info import WorkerInfo, _set_worker_info
from ._worker_seed import seed_worker

RESUME = "ember.utils.data:resume"
ITERATION_END = "ember.utils.data:iteration-end"
# Seconds an idle worker waits for a task before checking it should still run: the main
# process is alive and not shutting down. The stop request normally arrives as ``None`` on
# the index queue, but when the iterator is reclaimed by the cycle collector the queue may
# be finalized first, so ``done_event`` is the signal that always gets through.
_IDLE_CHECK_INTERVAL = 0.1


def worker_loop(dataset, is_iterable: bool, index_queue, result_conn, done_event,
                auto_collation: bool, collate_fn, drop_last: bool, base_seed: int, init_fn,
                worker_id: int, num_workers: int) -> None:
    """Serve tasks from ``index_queue`` until ``None`` arrives or the parent dies."""
    try:
        _serve(dataset, is_iterable, index_queue, result_conn, done_event, auto_collation,
               collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers)
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the main process reports it
    except BrokenPipeError:
        pass  # the main process closed our pipe: it is gone or shutting down


def _serve(dataset, is_iterable, index_queue, result_conn, done_event, auto_collation,
           collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers) -> None:
    where = f"in DataLoader worker process {worker_id}"
    seed = seed_worker(base_seed, worker_id)
    _set_worker_info(WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                dataset=dataset))
    init_error = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = create_fetcher(dataset, is_iterable, auto_collation, collate_fn, drop_last)
    except Exception:
        init_error = WorkerError(where)
    parent = os.getppid()
    ended = False  # this worker's IterableDataset is exhausted: skip tasks until RESUME
    while True:
        try:
            message = index_queue.get(timeout=_IDLE_CHECK_INTERVAL)
        except queue.Empty:
            if done_event.is_set() or os.getppid() != parent:
                return
            continue
        if message is None:
            return
        if message == RESUME:
            ended = False
            fetcher = create_fetcher(dataset, is_iterable, auto_collation, collate_fn,
                                     drop_last)
            result_conn.send((RESUME, None))
            continue
        if done_event.is_set() or ended:
            continue  # shutting down, or nothing left to read: drop queued tasks
        task, indices = message
        if init_error is not None:
            result, init_error = init_error, None
        else:
            try:
                result = pack(fetcher.fetch(indices))  # type: ignore[union-attr]
            except StopIteration:
                if not is_iterable:
                    result = WorkerError(where)
                else:
                    result, ended = ITERATION_END, True
            except Exception:
                result = WorkerError(where)
        result_conn.send((task, result))
        del result, message, indices
