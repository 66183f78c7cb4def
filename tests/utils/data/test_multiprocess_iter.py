"""DataLoader with worker processes: PyTorch's semantics, failures reported, nothing left behind."""

from __future__ import annotations

import gc
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    DataLoader,
    SequentialSampler,
    TensorDataset,
    _multiprocess_iter,
    get_worker_info,
)

from . import _worker_datasets as wd
from ._compare import describe


def _segments() -> set[str]:
    try:
        return {n for n in os.listdir("/dev/shm") if n.startswith("ember_dl_")}
    except FileNotFoundError:
        return set()


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (exited, waiting to be reaped by its parent)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


def _run_script(tmp_path, body: str):
    script = tmp_path / "script.py"
    tests_dir = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    script.write_text(f"import sys\nsys.path.insert(0, {tests_dir!r})\n" + textwrap.dedent(body))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, env=env)


@pytest.fixture(autouse=True)
def _no_leftovers():
    before = _segments()
    yield
    if multiprocessing.active_children():  # an iterator held by a traceback cycle
        gc.collect()
    assert multiprocessing.active_children() == []
    assert _segments() <= before


def _seeded(seed=0):
    return ember.Generator().manual_seed(seed)


# ------------------------------------------------------------------ same batches as num_workers=0
@pytest.mark.parametrize("batch_size,drop_last", [(4, False), (5, True), (1, False)])
def test_shuffled_batches_equal_with_zero_and_two_workers(batch_size, drop_last):
    def batches(workers):
        dl = DataLoader(wd.Records(), batch_size=batch_size, shuffle=True, drop_last=drop_last,
                        num_workers=workers, generator=_seeded(3))
        return [describe(b) for b in dl]

    zero = batches(0)
    assert batches(2) == zero
    assert len(zero) == (23 // batch_size if drop_last else -(-23 // batch_size))


def test_unbatched_loading_with_workers_matches_main_process():
    single = [describe(s) for s in DataLoader(wd.Records(7), batch_size=None)]
    assert [describe(s) for s in DataLoader(wd.Records(7), batch_size=None,
                                            num_workers=2)] == single


def test_batches_arrive_in_sampler_order_and_round_robin():
    dl = DataLoader(wd.SlowFirstWorker(), batch_size=2, num_workers=2)
    assert [b.tolist() for b in dl] == [[i, i + 1] for i in range(0, 12, 2)]
    pids = [p.tolist() for _, p in DataLoader(wd.Pids(8), batch_size=2, num_workers=2)]
    assert pids[0] == pids[2] and pids[1] == pids[3] and pids[0] != pids[1]


def test_in_order_false_returns_every_batch():
    dl = DataLoader(wd.SlowFirstWorker(), batch_size=2, num_workers=2, in_order=False)
    batches = [b.tolist() for b in dl]
    assert sorted(batches) == [[i, i + 1] for i in range(0, 12, 2)]


def test_prefetch_factor_bounds_the_batches_in_flight():
    drawn = []

    class Counting(BatchSampler):
        def __iter__(self):
            for batch in super().__iter__():
                drawn.append(batch)
                yield batch

    sampler = Counting(SequentialSampler(range(40)), 2, False)
    dl = DataLoader(wd.Pids(40), batch_sampler=sampler, num_workers=2, prefetch_factor=3)
    it = iter(dl)
    assert len(drawn) == 6  # prefetch_factor * num_workers tasks handed out up front
    next(it)
    assert len(drawn) == 7  # one more for each batch returned
    assert len(it) == 20
    del it


def test_large_arrays_come_back_intact_and_writable():
    dl = DataLoader(wd.Records(6), batch_size=3, num_workers=2)
    for k, batch in enumerate(dl):
        image = batch["image"]
        assert image.shape == (3, 32, 32, 8) and image.dtype == ember.float32
        np.testing.assert_array_equal(image.numpy()[:, 0, 0, 0], [3 * k, 3 * k + 1, 3 * k + 2])
        image.add_(1)  # batches are ordinary writable tensors
        assert batch["name"] == [f"s{3 * k + j}" for j in range(3)]


# ------------------------------------------------------------------ worker identity and seeds
def test_get_worker_info_and_reseeded_generators():
    assert get_worker_info() is None

    def run():
        dl = DataLoader(wd.Randomness(), batch_size=1, num_workers=2, generator=_seeded(11))
        return [{k: v.tolist() if isinstance(v, ember.Tensor) else v for k, v in b.items()}
                for b in dl]

    first, again = run(), run()
    assert first == again  # reproducible from the loader's generator
    w0, w1 = first[0], first[1]
    assert (w0["id"], w1["id"]) == ([0], [1]) and w0["num_workers"] == [2]
    assert w1["seed"][0] == w0["seed"][0] + 1  # base_seed + worker id
    assert w0["same_dataset"] == [True]
    for key in ("random", "numpy", "ember"):
        assert w0[key] != w1[key], key


def test_worker_init_fn_runs_in_each_worker_with_its_id():
    dl = DataLoader(wd.InitSeen(), batch_size=2, num_workers=2, worker_init_fn=wd.record_init)
    seen = [b[0] for b in dl]
    assert seen == ["[(0, 0)]", "[(1, 1)]"]
    assert wd.INIT_CALLS == []  # ran in the workers, not here


# ------------------------------------------------------------------ iterable datasets
@pytest.mark.parametrize("batch_size", [None, 1, 3])
def test_iterable_dataset_sharded_by_worker_info_yields_each_item_once(batch_size):
    dl = DataLoader(wd.ShardedRange(11), batch_size=batch_size, num_workers=2)
    items = []
    for b in dl:
        items.extend(b.tolist() if batch_size else [int(b)])
    assert sorted(items) == list(range(11))


def test_unsharded_iterable_dataset_is_replicated_per_worker_as_torch():
    items = [int(x) for b in DataLoader(wd.UnshardedRange(5), batch_size=2, num_workers=2)
             for x in b]
    assert sorted(items) == sorted(list(range(5)) * 2)


def test_iterable_dataset_longer_than_its_len_warns():
    dl = DataLoader(wd.UnshardedRange(4), batch_size=None, num_workers=2)
    dl.dataset.__class__.__len__ = lambda self: 4  # report 4, yield 8 (two replicas)
    try:
        assert len(dl) == 4
        with pytest.warns(UserWarning, match="was reported to be 4"):
            assert len(list(dl)) == 8
    finally:
        del wd.UnshardedRange.__len__


# ------------------------------------------------------------------ errors
def test_worker_exception_reraised_with_type_message_and_traceback():
    dl = DataLoader(wd.Failing(5, ValueError("bad sample 5")), batch_size=2, num_workers=2)
    it = iter(dl)
    assert next(it).tolist() == [0, 1]
    assert next(it).tolist() == [2, 3]
    with pytest.raises(ValueError) as info:
        next(it)
    message = str(info.value)
    assert message.startswith("Caught ValueError in DataLoader worker process 0.")
    assert "Original Traceback (most recent call last):" in message
    assert "bad sample 5" in message and "__getitem__" in message
    assert next(it).tolist() == [6, 7]  # the worker lives on, as in PyTorch
    del it


def test_key_error_and_unbuildable_exception_types():
    with pytest.raises(KeyError) as info:
        list(DataLoader(wd.Failing(0, KeyError("k")), num_workers=1))
    assert "Caught KeyError" in str(info.value) and "\\n" not in str(info.value)
    with pytest.raises(RuntimeError, match="(?s)Caught TwoArgError.*x and y"):
        list(DataLoader(wd.Failing(0, wd.TwoArgError("x", "y")), num_workers=1))


def test_worker_init_fn_error_is_raised_with_the_first_batch():
    with pytest.raises(RuntimeError, match="init of worker 0 failed"):
        list(DataLoader(wd.InitSeen(), num_workers=1, worker_init_fn=wd.failing_init))


def test_sigkilled_worker_raises_promptly_not_hangs():
    dl = DataLoader(wd.Dies(bad=3), batch_size=1, num_workers=2, timeout=10)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) is killed by "
                                           r"signal: Killed"):
        list(dl)
    assert time.monotonic() - start < 5


def test_worker_exiting_reports_its_exit_code():
    it = iter(DataLoader(wd.Dies(bad=0, code=3), batch_size=1, num_workers=1))
    with pytest.raises(RuntimeError, match="exited unexpectedly with exit code 3"):
        next(it)
    with pytest.raises(RuntimeError, match="exit code 3"):  # the pass stays failed
        next(it)


def test_timeout_raises_when_a_batch_takes_too_long():
    it = iter(DataLoader(wd.Sleeps(1.0), batch_size=1, num_workers=1, timeout=0.2))
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(it)
    assert time.monotonic() - start < 0.9
    del it


# ------------------------------------------------------------------ shutdown
def test_break_out_of_loop_leaves_no_child_process_or_segment():
    pids = set()
    for _, p in DataLoader(wd.Pids(64), batch_size=2, num_workers=2):
        pids.update(p.tolist())
        break
    gc.collect()
    assert len(pids) == 1  # first batch came from worker 0
    assert multiprocessing.active_children() == []
    assert all(_gone(pid) for pid in pids)


def test_finished_pass_stops_its_workers():
    dl = DataLoader(wd.Pids(8), batch_size=2, num_workers=2)
    it = iter(dl)
    pids = {p for _, b in it for p in b.tolist()}
    assert len(pids) == 2 and all(_gone(pid) for pid in pids)


def test_workers_stop_at_interpreter_exit_without_warnings(tmp_path):
    done = _run_script(tmp_path, """
        from utils.data import _worker_datasets as wd
        from ember.utils.data import DataLoader
        it = iter(DataLoader(wd.Records(64), batch_size=2, num_workers=2, persistent_workers=True))
        next(it)
        print(*[w.pid for w in it._workers])
    """)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no leaked-segment warnings from the resource tracker
    assert all(_gone(int(pid)) for pid in done.stdout.split())


def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    done = _run_script(tmp_path, """
        import os, signal
        from utils.data import _worker_datasets as wd
        from ember.utils.data import DataLoader
        it = iter(DataLoader(wd.Pids(64), batch_size=2, num_workers=2))
        next(it)
        print(*[w.pid for w in it._workers], flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert done.returncode == -9
    pids = [int(pid) for pid in done.stdout.split()]
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in pids)


# ------------------------------------------------------------------ epochs, contexts, fast path
def test_persistent_workers_are_reused_across_epochs():
    dl = DataLoader(wd.Counter(), batch_size=1, num_workers=2, persistent_workers=True)
    epochs = [[(int(i), int(p), int(n)) for i, p, n in dl] for _ in range(2)]
    assert [i for i, _, _ in epochs[0]] == [i for i, _, _ in epochs[1]] == list(range(6))
    assert {p for _, p, _ in epochs[0]} == {p for _, p, _ in epochs[1]}
    assert max(n for _, _, n in epochs[1]) == 6  # each worker's dataset copy kept its state
    it = iter(dl)
    next(it)  # leave this epoch early: its batches in flight are dropped at the next one
    assert [int(i) for i, _, _ in dl] == list(range(6))
    dl._iterator._shutdown_workers()


def test_persistent_workers_restart_after_a_worker_died():
    dl = DataLoader(wd.Dies(bad=5), batch_size=1, num_workers=2, persistent_workers=True)
    with pytest.raises(RuntimeError, match="is killed by signal"):
        list(dl)
    it = iter(dl)  # a fresh set of workers, not a hang on the dead ones
    assert [int(next(it)) for _ in range(5)] == [0, 1, 2, 3, 4]
    it._shutdown_workers()


@pytest.mark.parametrize("context", ["spawn", "forkserver"])
@pytest.mark.slow
def test_spawn_and_forkserver_contexts(context):
    dl = DataLoader(wd.Records(8), batch_size=4, shuffle=True, num_workers=2,
                    multiprocessing_context=context, generator=_seeded(1))
    expected = [describe(b) for b in DataLoader(wd.Records(8), batch_size=4, shuffle=True,
                                                generator=_seeded(1))]
    assert [describe(b) for b in dl] == expected


def test_spawn_context_object():
    ctx = multiprocessing.get_context("spawn")
    dl = DataLoader(wd.Pids(2), batch_size=2, num_workers=1, multiprocessing_context=ctx)
    assert dl.multiprocessing_context is ctx
    (idx, pid), = list(dl)
    assert idx.tolist() == [0, 1] and pid[0].item() != os.getpid()


def test_multiprocessing_context_checks_like_torch():
    torch = pytest.importorskip("torch")
    for lib in (ember, torch):
        ds = lib.utils.data.TensorDataset(lib.zeros(2))
        with pytest.raises(ValueError, match="can only be used with multi-process loading"):
            lib.utils.data.DataLoader(ds, multiprocessing_context="spawn")
        with pytest.raises(ValueError, match="should specify a valid start method"):
            lib.utils.data.DataLoader(ds, num_workers=1, multiprocessing_context="nope")
        with pytest.raises(TypeError, match="should be a valid context object"):
            lib.utils.data.DataLoader(ds, num_workers=1, multiprocessing_context=3)
        with pytest.raises(ValueError, match="prefetch_factor option should be non-negative"):
            lib.utils.data.DataLoader(ds, num_workers=1, prefetch_factor=-1)


def test_tensor_dataset_keeps_the_in_memory_fast_path(monkeypatch):
    def no_workers(*args, **kwargs):
        raise AssertionError("workers started for an in-memory TensorDataset")

    x = ember.arange(40.0).reshape(20, 2)
    fast = DataLoader(TensorDataset(x), batch_size=3, shuffle=True, num_workers=2,
                      generator=_seeded(2))
    reference = DataLoader(TensorDataset(x), batch_size=3, shuffle=True, generator=_seeded(2))
    with monkeypatch.context() as m:
        m.setattr(_multiprocess_iter.MultiProcessLoaderIter, "__init__", no_workers)
        batches = [b[0].tolist() for b in fast]
    assert batches == [b[0].tolist() for b in reference]
    with_init = DataLoader(TensorDataset(x), batch_size=3, shuffle=True, num_workers=2,
                           generator=_seeded(2), worker_init_fn=wd.record_init)
    assert [b[0].tolist() for b in with_init] == batches  # a worker_init_fn gets workers


def test_more_workers_than_cpus_warns_like_torch():
    with pytest.warns(UserWarning, match="This DataLoader will create 64 worker processes"):
        DataLoader(wd.Pids(2), num_workers=64)
