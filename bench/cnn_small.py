"""Small CNN (MNIST-sized) training step and eval forward, ember vs PyTorch in one process.

Model: Conv2d(1,16,3,p=1)-BatchNorm2d-ReLU-MaxPool2d(2)-Conv2d(16,32,3,p=1)-BatchNorm2d-ReLU-
MaxPool2d(2)-Flatten-Dropout(0.25)-Linear(1568,10), cross-entropy, SGD with momentum, on a
(64, 1, 28, 28) batch. Both libraries run with the same number of threads (NumPy's BLAS
thread count; torch.set_num_threads to match).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/cnn_small.py [--threads N]
[--profile]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import best_time, blas_report, report  # noqa: E402

import ember  # noqa: E402
import ember.nn  # noqa: E402,F401
import ember.optim  # noqa: E402

BATCH = 64
STEPS = 5
ROUNDS = 31


def blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas":
                return int(info["num_threads"])
    except ImportError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var):
            return int(os.environ[var])
    return os.cpu_count() or 1


def make_model(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(1568, 10),
    )


def trainer(lib, model, x, y):
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.functional.cross_entropy
    model.train()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def evaluator(lib, model, x):
    def run():
        model.eval()
        with lib.no_grad():
            model(x)
        model.train()

    return run


def main() -> None:
    threads = blas_threads()
    if "--threads" in sys.argv:  # e.g. --threads 1: steadier figures on a busy machine
        from threadpoolctl import threadpool_limits

        threads = int(sys.argv[sys.argv.index("--threads") + 1])
        threadpool_limits(threads, "blas")
    torch.set_num_threads(threads)
    print(f"BLAS: {blas_report()}; torch threads: {torch.get_num_threads()}; "
          f"NumPy BLAS threads: {threads}")
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    ya = rng.integers(0, 10, BATCH)
    torch.manual_seed(0)
    ember.manual_seed(0)
    mt, me = make_model(torch), make_model(ember)
    xt, yt = torch.tensor(xa), torch.tensor(ya)
    xe, ye = ember.tensor(xa), ember.tensor(ya)

    if "--profile" in sys.argv:
        profile(trainer(ember, me, xe, ye), evaluator(ember, me, xe))
        return
    solo([("training step", trainer(ember, me, xe, ye)),
          ("eval forward", evaluator(ember, me, xe))])
    # The machine is shared: ember and torch run back to back in many short rounds; the
    # ratio of the best rounds is the figure (the least disturbed run of each), the median of
    # the per-round ratios is printed as a cross-check.
    cases = [("training step", trainer(ember, me, xe, ye), trainer(torch, mt, xt, yt), 2.0),
             ("eval forward", evaluator(ember, me, xe), evaluator(torch, mt, xt), 1.5)]
    for name, fe, ft, target in cases:
        ratios, tes, tts = [], [], []
        for _ in range(ROUNDS):
            te = best_time(fe, repeats=1, number=STEPS)
            tt = best_time(ft, repeats=1, number=STEPS)
            ratios.append(te / tt)
            tes.append(te)
            tts.append(tt)
        report(f"cnn_small {name}", min(tes), min(tts), "ms", target=target)
        print(f"{'':28} median of per-round ratios {statistics.median(ratios):.2f}x", flush=True)


def solo(cases) -> None:
    """ember alone, before torch has run anything: the allocator sees only ember's arrays.

    Interleaving torch changes how glibc reuses and trims the heap; an ember-only
    script can be much slower when big freed blocks are handed back to the OS and faulted in
    again (compare MALLOC_TRIM_THRESHOLD_=536870912 MALLOC_MMAP_THRESHOLD_=67108864).
    """
    for name, fn in cases:
        for _ in range(3):
            fn()
        times = []
        for _ in range(ROUNDS * STEPS // 2):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        print(f"ember alone {name:<16} best {min(times) * 1e3:7.2f} ms   median "
              f"{statistics.median(times) * 1e3:7.2f} ms", flush=True)


def profile(train, evaluate) -> None:
    from pyinstrument import Profiler

    for name, fn in (("training step", train), ("eval forward", evaluate)):
        fn()
        prof = Profiler(interval=0.0002)
        prof.start()
        for _ in range(30):
            fn()
        prof.stop()
        print(f"===== ember {name} (30 runs)")
        print(prof.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
