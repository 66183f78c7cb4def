"""Small CNN (MNIST-sized) training step and eval forward, ember vs PyTorch in one process.

Model: Conv2d(1,16,3,p=1)-BatchNorm2d-ReLU-MaxPool2d(2)-Conv2d(16,32,3,p=1)-BatchNorm2d-ReLU-
MaxPool2d(2)-Flatten-Dropout(0.25)-Linear(1568,10), cross-entropy, SGD with momentum, on a
(64, 1, 28, 28) batch. Both libraries run with the same number of threads (NumPy's BLAS
thread count; torch.set_num_threads to match).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/cnn_small.py [--profile]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import best_time, blas_report, report  # noqa: E402

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
import ember.optim  # noqa: E402
from ember.nn.modules.conv import Conv2d as EConv2d  # noqa: E402
from ember.nn.modules.pooling import MaxPool2d as EMaxPool2d  # noqa: E402

BATCH = 64
STEPS = 10


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


def make_model(lib, conv=None, pool=None):
    nn = lib.nn
    conv = conv or nn.Conv2d
    pool = pool or nn.MaxPool2d
    return nn.Sequential(
        conv(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), pool(2),
        conv(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), pool(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(1568, 10),
    )


def ember_model():
    # the conv/pool classes may not be re-exported from ember.nn yet
    conv = getattr(enn, "Conv2d", EConv2d)
    pool = getattr(enn, "MaxPool2d", EMaxPool2d)
    return make_model(ember, conv, pool)


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
    torch.set_num_threads(threads)
    print(f"BLAS: {blas_report()}; torch threads: {torch.get_num_threads()}; "
          f"NumPy BLAS threads: {threads}")
    rng = np.random.default_rng(0)
    xa = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    ya = rng.integers(0, 10, BATCH)
    torch.manual_seed(0)
    ember.manual_seed(0)
    mt, me = make_model(torch), ember_model()
    xt, yt = torch.tensor(xa), torch.tensor(ya)
    xe, ye = ember.tensor(xa), ember.tensor(ya)

    if "--profile" in sys.argv:
        profile(trainer(ember, me, xe, ye), evaluator(ember, me, xe))
        return
    rows = []
    for _ in range(3):  # interleaved repeats: the machine is shared, keep the best
        te = best_time(trainer(ember, me, xe, ye), repeats=5, number=STEPS)
        tt = best_time(trainer(torch, mt, xt, yt), repeats=5, number=STEPS)
        ee = best_time(evaluator(ember, me, xe), repeats=5, number=STEPS)
        et = best_time(evaluator(torch, mt, xt), repeats=5, number=STEPS)
        rows.append((te, tt, ee, et))
    te, tt, ee, et = (min(r[i] for r in rows) for i in range(4))
    report("cnn_small training step", te, tt, "ms", target=2.0)
    report("cnn_small eval forward", ee, et, "ms", target=1.5)


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
