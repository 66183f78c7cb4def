"""``ember.testing.assert_close``: PyTorch's tensor comparison for tests and tutorials."""

from __future__ import annotations

import numpy as np

from ._dtype import float16, float32, float64
from .tensor import Tensor

# PyTorch's default (rtol, atol) per dtype; exact for integers and bools
_TOLERANCES = {float16: (1e-3, 1e-5), float32: (1.3e-6, 1e-5), float64: (1e-7, 1e-7)}


def assert_close(actual, expected, *, allow_subclasses: bool = True, rtol=None, atol=None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False, msg=None) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` match in shape, dtype (when
    checked) and value within ``atol + rtol * |expected|`` (dtype-based defaults).
    Sequences and mappings are compared element by element."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), msg or (
            "The keys of the mappings do not match")
        for k in expected:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(expected, (list, tuple)) and not isinstance(actual, Tensor):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), msg or (
            f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
        for a, e in zip(actual, expected, strict=True):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    a = actual._data if isinstance(actual, Tensor) else np.asarray(actual)
    e = expected._data if isinstance(expected, Tensor) else np.asarray(expected)
    if a.shape != e.shape:
        raise AssertionError(msg or f"The values for attribute 'shape' do not match: "
                             f"{list(a.shape)} != {list(e.shape)}.")
    if check_dtype and isinstance(actual, Tensor) and isinstance(expected, Tensor) and (
            actual.dtype != expected.dtype):
        raise AssertionError(msg or f"The values for attribute 'dtype' do not match: "
                             f"{actual.dtype} != {expected.dtype}.")
    if (rtol is None) != (atol is None):
        raise ValueError("Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if rtol is None:
        dt = actual.dtype if isinstance(actual, Tensor) else None
        rtol, atol = _TOLERANCES.get(dt, (0.0, 0.0) if a.dtype.kind in "biu" else
                                     (1.3e-6, 1e-5))
    af, ef = a.astype(np.float64), e.astype(np.float64)
    close = np.isclose(af, ef, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    bad = int((~close).sum())
    diff = np.abs(af - ef)
    diff[close] = 0
    worst = np.unravel_index(int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff))), a.shape)
    rel = diff / np.maximum(np.abs(ef), np.finfo(np.float64).tiny)
    what = "equal" if rtol == atol == 0 else "close"
    raise AssertionError(msg or (
        f"Tensor-likes are not {what}!\n\nMismatched elements: {bad} / {a.size} "
        f"({100.0 * bad / a.size:.1f}%)\nGreatest absolute difference: {diff.max()} at index "
        f"{tuple(int(i) for i in worst)} (up to {atol} allowed)\n"
        f"Greatest relative difference: {rel.max()} (up to {rtol} allowed)"))
