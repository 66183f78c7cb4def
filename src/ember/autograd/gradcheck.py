"""gradcheck: compare analytic gradients with float64 central differences."""

from __future__ import annotations

import warnings

import numpy as np

from .._core import Tensor, _from_array
from .differentiate import grad


def _numerical_jacobian(fn, inputs: list, i: int, eps: float) -> np.ndarray:
    x = inputs[i]._data
    cols = []
    flat = x.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = _flat_outputs(fn(*inputs))
        flat[k] = old - eps
        minus = _flat_outputs(fn(*inputs))
        flat[k] = old
        cols.append((plus - minus) / (2 * eps))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0))


def _flat_outputs(out) -> np.ndarray:
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return np.concatenate([o._data.astype(np.float64).reshape(-1) for o in outs
                           if isinstance(o, Tensor)])


def _analytic_jacobian(fn, inputs: list, i: int, n_out: int) -> np.ndarray:
    rows = []
    for j in range(n_out):
        out = fn(*inputs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        outs = [o for o in outs if isinstance(o, Tensor)]
        seeds, offset = [], 0
        for o in outs:
            s = np.zeros(o._data.size, dtype=o._data.dtype)
            if offset <= j < offset + o._data.size:
                s[j - offset] = 1
            offset += o._data.size
            seeds.append(_from_array(s.reshape(o._data.shape)))
        diff = [(o, s) for o, s in zip(outs, seeds) if o._requires_grad]
        if not diff:
            rows.append(np.zeros(inputs[i]._data.size))
            continue
        (g,) = grad([o for o, _ in diff], [inputs[i]], [s for _, s in diff], allow_unused=True)
        rows.append(np.zeros(inputs[i]._data.size) if g is None else
                    g._data.astype(np.float64).reshape(-1))
    return np.stack(rows, axis=0)


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_) -> bool:
    """Check the gradients of ``func`` at ``inputs`` (float64 tensors) by central differences.

    Returns True, or raises RuntimeError naming the input and the largest mismatch.
    """
    inputs = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
    for t in inputs:
        if isinstance(t, Tensor) and t._requires_grad and t._data.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input of dtype {t.dtype} is not float64; finite differences will "
                "be imprecise", UserWarning, stacklevel=2)
    n_out = _flat_outputs(func(*inputs)).size
    for i, t in enumerate(inputs):
        if not (isinstance(t, Tensor) and t._requires_grad):
            continue
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytic = _analytic_jacobian(func, inputs, i, n_out)
        if not np.allclose(analytic, numerical, atol=atol, rtol=rtol):
            if not raise_exception:
                return False
            worst = np.abs(analytic - numerical).max()
            raise RuntimeError(
                f"Jacobian mismatch for output 0 with respect to input {i}:\n"
                f"numerical:{numerical}\nanalytical:{analytic}\n(max abs difference {worst:.3g})"
            )
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_) -> bool:
    """Check second derivatives: gradcheck of the (create_graph) first derivatives."""
    inputs = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    out = func(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        grad_outputs = [_from_array(rng.standard_normal(o._data.shape)) for o in outs]

    def first_derivatives(*args):
        o = func(*args)
        o = o if isinstance(o, (tuple, list)) else (o,)
        gs = grad(list(o), [args[i] for i in diff_idx], grad_outputs, create_graph=True,
                  allow_unused=True, materialize_grads=True)
        return tuple(gs)

    return gradcheck(first_derivatives, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
