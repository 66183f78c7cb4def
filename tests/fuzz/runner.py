"""Run one program on PyTorch and on ember, and list where they differ.

Compared: the exception of the first statement that raises (both must raise, with the same
built-in exception type), every bound value after its statement and at the end (shape,
dtype, requires_grad, values with NaN/Inf in the same places and dtype-appropriate
tolerances), then the gradients of the float leaves after ``backward`` of a weighted sum of
every float result that requires grad.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as torch_F

import ember
import ember.nn.functional as ember_F

from .program import Program

LIBS = {"torch": (torch, torch_F), "ember": (ember, ember_F)}

# relative tolerance, absolute tolerance, and a share of the largest magnitude (reduction
# order differs between libraries: sums agree to a few ulps of their largest term)
TOLERANCE = {
    "float16": (4e-3, 1e-3, 4e-3),
    "float32": (1e-5, 1e-6, 2e-6),
    "float64": (1e-10, 1e-12, 1e-12),
}


@dataclass
class Trace:
    """What one library did with a program."""

    error: tuple | None = None  # (line index, exception type, message)
    values: dict = field(default_factory=dict)  # key -> snapshot
    backward_error: tuple | None = None
    grads: dict = field(default_factory=dict)
    backward_names: list = field(default_factory=list)


@dataclass(frozen=True)
class Divergence:
    kind: str  # exception, type, shape, dtype, requires_grad, value, grad
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.where}: {self.detail}"


def _is_tensor(x) -> bool:
    return isinstance(x, (torch.Tensor, ember.Tensor))


def snapshot(x):
    """A library-neutral copy of a value: tensors become (shape, dtype, requires_grad, array)."""
    if _is_tensor(x):
        dt = str(x.dtype).replace("torch.", "").replace("ember.", "")
        arr = np.array(x.detach().numpy() if isinstance(x, torch.Tensor) else x.detach().numpy())
        return ("tensor", tuple(x.shape), dt, bool(x.requires_grad), arr)
    if isinstance(x, (tuple, list)) and not isinstance(x, str):
        return ("seq", tuple(snapshot(v) for v in x))
    if isinstance(x, (bool, int, float, np.generic)):
        return ("scalar", type(x).__name__ if not isinstance(x, np.generic) else "np", x)
    if x is None:
        return ("none",)
    return ("other", type(x).__name__)


def _gathered(ns, idx_name, src, dim):
    """The values an index output selects from its source (tie-break independent)."""
    idx = snapshot(ns[idx_name])[4]
    if src.ndim == 0:
        return ("tensor", idx.shape, "selected", False, src)
    return ("tensor", idx.shape, "selected", False, np.take_along_axis(src, idx, dim))


def execute(program: Program, lib: str, backward_names=None) -> Trace:
    """Run ``program`` with ``torch`` bound to ``lib``; ``backward_names`` picks the results
    summed for backward (by default: every float result that requires grad)."""
    module, functional = LIBS[lib]
    ns = {"torch": module, "F": functional, "np": np, "nan": math.nan, "inf": math.inf}
    trace = Trace()
    n_inputs = len(program.inputs)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, line in enumerate(program.lines()):
            stmt = program.stmts[i - n_inputs] if i >= n_inputs else None
            sources = {}
            if stmt is not None:
                for _, src, _ in stmt.ties:
                    if src in ns:
                        sources[src] = snapshot(ns[src])[4]
            try:
                exec(line, ns)  # noqa: S102 - the program is generated text
            except Exception as e:  # noqa: BLE001 - every exception is a result
                trace.error = (i, type(e), str(e).splitlines()[0] if str(e) else "")
                break
            defined = stmt.defines if stmt is not None else (program.inputs[i].name,)
            for name in defined:
                trace.values[f"{name}@{i}"] = snapshot(ns[name])
            if stmt is not None:
                for idx_name, src, dim in stmt.ties:
                    if src in sources:
                        trace.values[f"{idx_name}@{i}"] = _gathered(ns, idx_name,
                                                                    sources[src], dim)
        ties = {t[0] for s in program.stmts for t in s.ties}
        for name in program.names():
            if name in ns and name not in ties:
                trace.values[name] = snapshot(ns[name])
        if trace.error is None:
            if backward_names is None:
                backward_names = float_results(ns, program)
            trace.backward_names = list(backward_names)
            _backward(ns, program, backward_names, trace)
    return trace


def float_results(ns, program) -> list[str]:
    ties = {t[0] for s in program.stmts for t in s.ties}
    out = []
    for name in program.names():
        x = ns.get(name)
        if _is_tensor(x) and x.requires_grad and x.dtype.is_floating_point and name not in ties:
            out.append(name)
    return out


def _backward(ns, program, names, trace: Trace) -> None:
    if not names:
        return
    try:
        loss = None
        for k, n in enumerate(names):
            term = (ns[n].double() * (k + 1)).sum()
            loss = term if loss is None else loss + term
        loss.backward()
    except Exception as e:  # noqa: BLE001
        trace.backward_error = (type(e), str(e).splitlines()[0] if str(e) else "")
        return
    for inp in program.inputs:
        x = ns.get(inp.name)
        if _is_tensor(x):
            trace.grads[inp.name] = snapshot(x.grad) if x.grad is not None else ("none",)


def canonical(exc_type) -> type:
    """The built-in exception class an exception type derives from (torch's LinAlgError is a
    RuntimeError, for instance)."""
    for cls in exc_type.__mro__:
        if cls.__module__ == "builtins":
            return cls
    return Exception


def _values_differ(a: np.ndarray, b: np.ndarray, dtype: str) -> str | None:
    """Why ember's array ``a`` differs from torch's ``b`` (same dtype), or None."""
    if a.shape != b.shape:
        return f"shape {a.shape} != {b.shape}"
    if a.dtype.kind not in "fc":
        if not np.array_equal(a, b):
            bad = a != b
            return f"values differ at {np.argwhere(bad)[:3].tolist()}: ember {a[bad][:3]}, " \
                   f"torch {b[bad][:3]}"
        return None
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    nan_a, nan_b = np.isnan(a64), np.isnan(b64)
    if not np.array_equal(nan_a, nan_b):
        where = np.argwhere(nan_a != nan_b)[:3].tolist()
        return f"NaN placement differs at {where}: ember {a.ravel()[:8]}, torch {b.ravel()[:8]}"
    inf_a, inf_b = np.isinf(a64), np.isinf(b64)
    if not np.array_equal(inf_a, inf_b) or not np.array_equal(a64[inf_a], b64[inf_b]):
        return f"Inf placement differs: ember {a.ravel()[:8]}, torch {b.ravel()[:8]}"
    fin = ~(nan_a | inf_a)
    if not fin.any():
        return None
    rtol, atol, share = TOLERANCE.get(dtype, TOLERANCE["float64"])
    x, y = a64[fin], b64[fin]
    scale = np.abs(y).max()
    err = np.abs(x - y)
    bad = err > atol + rtol * np.abs(y) + share * scale
    if bad.any():
        i = int(np.argmax(bad))
        return f"values differ: ember {x[i]!r}, torch {y[i]!r} (first of {int(bad.sum())})"
    return None


def compare_snapshots(e, t, where: str, kind: str = "value",
                      weakest: str = "float64") -> list[Divergence]:
    if e[0] != t[0]:
        return [Divergence("type", where, f"ember {e[0]} {e[1:2]}, torch {t[0]} {t[1:2]}")]
    if t[0] == "tensor":
        out = []
        if e[1] != t[1]:
            return [Divergence("shape", where, f"ember {e[1]}, torch {t[1]}")]
        if e[2] != t[2]:
            out.append(Divergence("dtype", where, f"ember {e[2]}, torch {t[2]}"))
        if e[3] != t[3]:
            out.append(Divergence("requires_grad", where, f"ember {e[3]}, torch {t[3]}"))
        a, b = e[4], t[4]
        if a.dtype != b.dtype:
            common = np.result_type(a.dtype, b.dtype)
            a, b = a.astype(common), b.astype(common)
        # a float64 result computed from float32 values is only float32-accurate
        dt = t[2] if t[2] in TOLERANCE else str(b.dtype)
        if dt in TOLERANCE and weakest in TOLERANCE and \
                TOLERANCE[weakest][0] > TOLERANCE[dt][0]:
            dt = weakest
        why = _values_differ(a, b, dt)
        if why:
            out.append(Divergence(kind, where, why))
        return out
    if t[0] == "seq":
        if len(e[1]) != len(t[1]):
            return [Divergence("shape", where, f"ember {len(e[1])} items, torch {len(t[1])}")]
        out = []
        for k, (x, y) in enumerate(zip(e[1], t[1])):
            out.extend(compare_snapshots(x, y, f"{where}[{k}]", kind, weakest))
        return out
    if t[0] == "scalar":
        x, y = e[2], t[2]
        same = x == y or (isinstance(x, float) and isinstance(y, float)
                          and math.isnan(x) and math.isnan(y))
        if not same and isinstance(y, float) and isinstance(x, (int, float)):
            same = math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9)
        if not same or (e[1] != t[1] and "np" not in (e[1], t[1])):
            return [Divergence(kind, where, f"ember {x!r} ({e[1]}), torch {y!r} ({t[1]})")]
        return []
    if e != t:
        return [Divergence("type", where, f"ember {e}, torch {t}")]
    return []


def _weakest_float(trace: Trace) -> str:
    """The least precise float dtype any value of the program had (its results are no more
    accurate than that)."""
    found = {v[2] for v in trace.values.values() if v[0] == "tensor" and v[2] in TOLERANCE}
    return max(found, key=lambda d: TOLERANCE[d][0], default="float64")


def _same_error(e, t, position, kind) -> bool:
    """Both ran, or both raised (at the same statement) the same built-in exception type."""
    if e is None or t is None:
        return e is None and t is None
    if position is not None and e[position] != t[position]:
        return False
    return canonical(e[kind]) is canonical(t[kind])


def compare(e: Trace, t: Trace, program: Program) -> list[Divergence]:
    """Every divergence of ember's trace ``e`` from torch's ``t``."""
    out = []
    lines = program.lines()
    if not _same_error(e.error, t.error, position=0, kind=1):
        def show(err):
            if err is None:
                return "no error"
            return f"{err[1].__name__}({err[2]!r}) at `{lines[err[0]]}`"
        return [Divergence("exception", "run", f"ember {show(e.error)}; torch {show(t.error)}")]
    weakest = _weakest_float(t)
    for key, tv in t.values.items():
        if key not in e.values:
            out.append(Divergence("type", key, "missing in ember"))
            continue
        out.extend(compare_snapshots(e.values[key], tv, key, weakest=weakest))
    if out:
        return out
    if not _same_error(e.backward_error, t.backward_error, position=None, kind=0):
        def show(err):
            return "no error" if err is None else f"{err[0].__name__}({err[1]!r})"
        return [Divergence("exception", "backward",
                           f"ember {show(e.backward_error)}; torch {show(t.backward_error)}")]
    for key, tv in t.grads.items():
        ev = e.grads.get(key, ("none",))
        if tv[0] == "tensor" and ev[0] == "tensor":
            # gradients are sums of many terms: looser than forward values
            out.extend(compare_snapshots(ev, tv, f"{key}.grad", kind="grad", weakest=weakest))
        elif tv[0] != ev[0]:
            out.append(Divergence("grad", f"{key}.grad", f"ember {ev[0]}, torch {tv[0]}"))
    return out


def run(program: Program) -> tuple[list[Divergence], list[str]]:
    """Run ``program`` on both libraries; returns the divergences and the backward names."""
    t = execute(program, "torch")
    e = execute(program, "ember", backward_names=t.backward_names)
    return compare(e, t, program), t.backward_names
