"""PyTorch-like printing: ``tensor([[-0.3338,  1.3863]], requires_grad=True)``.

PyTorch's rules, reimplemented: one number format per tensor (integers as ``1.``, 4 decimals,
or scientific notation when magnitudes span more than 1000x, exceed 1e8 or go below 1e-4),
every element right-aligned to a common width, 80-column lines, and tensors of more than
1000 elements summarised to their first and last 3 entries along each dimension.
"""

from __future__ import annotations

import math

import numpy as np

from ._dtype import BFLOAT16_NP

LINEWIDTH = 80
THRESHOLD = 1000
EDGEITEMS = 3
PRECISION = 4
SCI_MODE = None  # None: PyTorch's automatic choice; True/False forces it (set_printoptions)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """PyTorch's ``set_printoptions``: ``profile`` is "default", "short" or "full"."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = {
            "default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
            "full": (4, math.inf, 3, 80)}[profile]
    PRECISION = PRECISION if precision is None else precision
    THRESHOLD = THRESHOLD if threshold is None else threshold
    EDGEITEMS = EDGEITEMS if edgeitems is None else edgeitems
    LINEWIDTH = LINEWIDTH if linewidth is None else linewidth
    SCI_MODE = sci_mode


class _Formatter:
    """Chooses the number format and the common width from (the summary of) the values."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f" or values.dtype == BFLOAT16_NP
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.width = max(self.width, len(str(v)))
            return
        flat = flat.astype(np.float64)
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        mags = np.abs(finite)
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
            if SCI_MODE is not None:
                self.sci_mode = SCI_MODE
            if not self.sci_mode:
                self.width = max(len(f"{v:.0f}") + 1 for v in finite.tolist())
        else:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            if SCI_MODE is not None:
                self.sci_mode = SCI_MODE
            if not self.sci_mode:
                self.width = max(len(f"{v:.{PRECISION}f}") for v in finite.tolist())
        if self.sci_mode:
            self.width = max(len(f"{v:.{PRECISION}e}") for v in finite.tolist())

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{PRECISION}f}"
        return " " * (self.width - len(text)) + text


def _summary(arr: np.ndarray) -> np.ndarray:
    """The entries that get printed when summarising: the edges of every dimension."""
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * EDGEITEMS:
        arr = np.concatenate([arr[:EDGEITEMS], arr[-EDGEITEMS:]])
    if arr.ndim == 1:
        return arr
    return np.stack([_summary(row) for row in arr])


def _vector(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, int(math.floor((LINEWIDTH - indent) / (fmt.width + 2))))
    values = arr.tolist()
    if summarize and len(values) > 2 * EDGEITEMS:
        items = [fmt.format(v) for v in values[:EDGEITEMS]] + [" ..."] + \
            [fmt.format(v) for v in values[-EDGEITEMS:]]
    else:
        items = [fmt.format(v) for v in values]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt)
    n = arr.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = [_body(arr[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)] + ["..."] + \
            [_body(arr[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)]
    else:
        rows = [_body(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ``, suffix`` items, wrapping onto a new line where one would pass 80 columns."""
    parts = [text]
    last = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """PyTorch's ``repr`` of ``t``: the values, then size/dtype/grad suffixes where not implied."""
    arr = t._data
    indent = len(prefix)
    suffixes = []
    default_dtype = arr.dtype == np.float32 or arr.dtype == np.int64 or arr.dtype == np.bool_
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        # an empty tensor shows no values to infer int64/bool from, so only float32 is implicit
        if arr.dtype != np.float32:
            suffixes.append(f"dtype=ember.{t.dtype.name}")
        body = "[]"
    else:
        summarize = arr.size > THRESHOLD
        fmt = _Formatter(_summary(arr) if summarize else arr)
        body = _body(arr, indent, summarize, fmt)
        if not default_dtype:
            suffixes.append(f"dtype=ember.{t.dtype.name}")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)
