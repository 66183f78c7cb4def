"""Linear algebra: matmul (every rank case of PyTorch's), mm, bmm, mv, dot, outer, einsum."""

from __future__ import annotations

import warnings
from collections import namedtuple

import numpy as np

from .._autocast_mode import state as _autocast
from .._core import Tensor, _from_array, _wrap_dim
from .._dtype import BFLOAT16_NP
from ..autograd.function import Op
from ._util import const, promote, round_to
from .autocast_lists import lower_precision
from .reduce import norm
from .selection import where


class MatMul(Op):
    """``a @ b`` with matmul broadcasting; the node is named as PyTorch (Mm, Dot, Mv, Bmm)."""

    def name(self) -> str:
        shapes = getattr(self, "_shapes", ((), ()))
        if any(s is None for s in shapes):  # Op.apply records no shape for a constant operand
            saved = getattr(self, "_saved", None) or ()
            shapes = [np.shape(getattr(t, "_data", t)) for t, _ in saved]
        ranks = tuple(len(s) for s in shapes)
        return {(2, 2): "MmBackward0", (1, 1): "DotBackward0", (2, 1): "MvBackward0",
                (3, 3): "BmmBackward0"}.get(ranks, "MatmulBackward0")

    save_inputs = (0, 1)
    saved_for = ((1,), (0,))  # d/da reads b, d/db reads a

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim > 2 and b.ndim == 2:  # (..., n, k) @ (k, m): one 2-D GEMM over all rows
            out = (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
            return round_to(out, a.dtype)
        return round_to(np.matmul(a, b), a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need[0] else None), (g * a if need[1] else None)
        if a.ndim == 1:  # (n) @ (..., n, m) -> (..., m)
            g2 = g.unsqueeze(-2)
            if need[0]:
                ga = matmul(g2, b.mT).squeeze(-2)
            if need[1]:
                gb = a.unsqueeze(-1) * g2
            return ga, gb
        if b.ndim == 1:  # (..., n, m) @ (m) -> (..., n)
            g2 = g.unsqueeze(-1)
            if need[0]:
                ga = g2 * b
            if need[1]:
                gb = matmul(a.mT, g2).squeeze(-1)
            return ga, gb
        if need[0]:
            ga = matmul(g, b.mT)
        if need[1]:
            if a.ndim > 2 and b.ndim == 2:  # sum over the batch inside one GEMM
                gb = matmul(a.reshape(-1, a.shape[-1]).mT, g.reshape(-1, g.shape[-1]))
            else:
                gb = matmul(a.mT, g)
        return ga, gb


@lower_precision
def matmul(input, other) -> Tensor:
    """Matrix product with PyTorch's rank rules: 1-D operands are treated as a row/column vector
    (that dim removed from the result), and batch dims of >2-D operands broadcast.

    Raises:
        RuntimeError: a 0-D operand, inner sizes that differ, batch dims that do not broadcast,
            or different dtypes (the message names the shapes/dtypes).
    """
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                f"and {b.shape[0]} elements respectively"
            )
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_fmt(a.shape)} and {_fmt(b.shape)})"
        )
    if a.ndim > 2 and b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dimensions of shapes {tuple(a.shape)} and {tuple(b.shape)} "
                "cannot be broadcast"
            ) from None
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {input.dtype.name} != "
            f"{other.dtype.name}"
        )
    if a.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    return MatMul.apply(input, other)


def _fmt(shape) -> str:
    if len(shape) == 1:
        return f"1x{shape[0]}"
    return "x".join(str(s) for s in (int(np.prod(shape[:-1])), shape[-1]))


@lower_precision
def mm(input, mat2) -> Tensor:
    """Product of two 2-D matrices (RuntimeError for other ranks or mismatched sizes)."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(
            f"mm: expected 2D tensors, got {input.ndim}D and {mat2.ndim}D "
            f"(shapes {tuple(input.shape)} and {tuple(mat2.shape)})"
        )
    return matmul(input, mat2)


@lower_precision
def bmm(input, mat2) -> Tensor:
    """Batched product of (b, n, m) and (b, m, p) tensors, without broadcasting.

    Raises:
        RuntimeError: operands that are not 3-D, or whose batch or inner sizes differ.
    """
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(
            f"bmm: expected 3D tensors, got {input.ndim}D and {mat2.ndim}D "
            f"(shapes {tuple(input.shape)} and {tuple(mat2.shape)})"
        )
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: batch sizes differ: {tuple(input.shape)} and {tuple(mat2.shape)}"
        )
    return matmul(input, mat2)


def _scaled_sum(input, product, beta, alpha) -> Tensor:
    """``beta * input + alpha * product``; beta=0 ignores input (NaNs included), as PyTorch."""
    if alpha != 1:
        product = product * alpha
    if beta == 0:  # input takes part (a zero gradient, as PyTorch) but never its values
        return where(const(np.zeros(input.shape, bool)), input, 0.0) + product
    return (input * beta if beta != 1 else input) + product


@lower_precision
def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` (the Linear layer written by hand)."""
    if _is_bf16(mat1):
        return _in_float32(_scaled_sum, input, mm, mat1, mat2, beta, alpha)
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


@lower_precision
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)`` per batch (attention scores)."""
    if _is_bf16(batch1):
        return _in_float32(_scaled_sum, input, bmm, batch1, batch2, beta, alpha)
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def _is_bf16(t) -> bool:
    return isinstance(t, Tensor) and t._data.dtype == BFLOAT16_NP


def _in_float32(combine, input, product, a, b, beta, alpha) -> Tensor:
    """bfloat16 ``addmm``/``baddbmm``: product and sum in float32, rounded once (as PyTorch)."""
    f32 = np.float32
    prev = _autocast.enabled
    _autocast.enabled = False  # the float32 product must not be cast back down
    try:
        out = combine(input.to(f32), product(a.to(f32), b.to(f32)), beta, alpha)
    finally:
        _autocast.enabled = prev
    return out.to(a.dtype)


def addmv(input, mat, vec, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def mv(input, vec) -> Tensor:
    """Matrix-vector product (RuntimeError unless 2-D @ 1-D with matching sizes)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}"
        )
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]})"
            f", vec ({vec.shape[0]})"
        )
    return matmul(input, vec)


def dot(input, other) -> Tensor:
    """Inner product of two 1-D tensors of the same length (RuntimeError otherwise)."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors"
        )
    return matmul(input, other)


def inner(input, other) -> Tensor:
    """Sum of products over the last dim: ``dot`` for vectors; for n-D operands the result has
    shape ``input.shape[:-1] + other.shape[:-1]``; a 0-D operand multiplies.

    Raises:
        RuntimeError: last dims of different sizes.
    """
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    n = input.shape[-1]
    if other.shape[-1] != n:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    if input.ndim == 1 and other.ndim == 1:
        return matmul(input, other)
    out = matmul(input.reshape(-1, n), other.reshape(-1, n).t())
    return out.reshape(tuple(input.shape[:-1]) + tuple(other.shape[:-1]))


def outer(input, vec2) -> Tensor:
    """``input[i] * vec2[j]`` as an (n, m) matrix, in the promoted dtype.

    Raises:
        RuntimeError: an argument that is not 1-D (PyTorch's message).
    """
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


def addr(input, vec1, vec2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``.

    Raises:
        RuntimeError: ``vec1`` or ``vec2`` not 1-D.
    """
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1 and vec2, but got {vec1.ndim}-D "
                           f"and {vec2.ndim}-D")
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``: the batch summed away."""
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor, batch2 must be a 3D tensor; got "
                           f"{batch1.ndim}D and {batch2.ndim}D")
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{batch1.shape[0]} and {batch2.shape[0]}")
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha)


def chain_matmul(*matrices) -> Tensor:
    """The product of a chain of 2-D matrices (``torch.chain_matmul``, deprecated by PyTorch
    for ``linalg.multi_dot``)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out if len(matrices) > 1 else out.clone()


def dist(input, other, p=2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast), over all elements.

    Raises:
        RuntimeError: integer inputs (PyTorch's norm takes floating point only).
    """
    if not input.is_floating_point():
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                           f"Got {input.dtype} instead.")
    return norm(input - other, p)


def cross(input, other, dim=None) -> Tensor:
    """The cross product of 3-vectors along ``dim``, batch dims broadcast. Without ``dim`` the
    first dim of size 3 is used, with PyTorch's warning that this default will change.

    Raises:
        RuntimeError: no dim of size 3, or ``dim`` not of size 3 in both inputs.
    """
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. "
                           f"Got {input.ndim} and {other.ndim}")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    if dim is None:
        dims = [d for d, n in enumerate(input.shape) if n == 3]  # input's, as PyTorch
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated; pass "
                      "dim explicitly or use torch.linalg.cross (the default dim will change).",
                      UserWarning, stacklevel=2)
        dim = dims[0]
    dim = _wrap_dim(dim, len(shape))
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    # component i is a[i+1] b[i+2] - a[i+2] b[i+1]: rolls by -1 and +1 along dim
    return (input.roll(-1, dim) * other.roll(1, dim)
            - input.roll(1, dim) * other.roll(-1, dim))


def frobenius_norm(input, dim=(), keepdim: bool = False) -> Tensor:
    """The 2-norm over at most two dims (all dims when ``dim`` is empty)."""
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions "
                           "instead.")
    return norm(input, 2, dims if dims else None, keepdim)


# ======================================================================== einsum


class _Einsum(Op):
    """``np.einsum`` over explicit subscripts; subclassed per operand count (see _einsum_op)."""

    @staticmethod
    def forward(ctx, *arrays, subs, out):
        ctx.subs = subs
        ctx.out = out
        eq = ",".join(subs) + "->" + out
        result = np.einsum(eq, *arrays, optimize=len(arrays) > 2)
        if len(arrays) == 1 and np.may_share_memory(result, arrays[0]):
            result = result.copy()  # one-operand einsum can return a view; ours is a new tensor
        return result

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        return tuple(
            _einsum_grad(g, operands, ctx.subs, ctx.out, i) if need else None
            for i, need in enumerate(ctx.needs_input_grad)
        )


_EINSUM_OPS: dict = {}


def _einsum_op(n: int) -> type:
    """The einsum Op class for ``n`` operands (``save_inputs`` is per class, so one per n)."""
    op = _EINSUM_OPS.get(n)
    if op is None:
        op = _EINSUM_OPS[n] = type("Einsum", (_Einsum,), {"save_inputs": tuple(range(n))})
    return op


def _einsum_grad(g, operands, subs, out, i):
    """d(einsum)/d(operand i): contract g with the other operands onto operand i's subscripts."""
    target = subs[i]
    unique = "".join(dict.fromkeys(target))
    others = [j for j in range(len(subs)) if j != i]
    available = set(out).union(*(subs[j] for j in others))
    present = "".join(c for c in unique if c in available)
    eq = ",".join([out] + [subs[j] for j in others]) + "->" + present
    grad = einsum(eq, g, *[operands[j] for j in others])
    size = dict(zip(target, operands[i].shape, strict=False))
    if present != unique:  # letters summed within operand i alone: constant gradient along them
        grad = grad.reshape(tuple(size[c] if c in present else 1 for c in unique))
        grad = grad.expand(tuple(size[c] for c in unique))
    if len(unique) != len(target):  # repeated letters (a diagonal): place grad on it
        free = iter(c for c in _LETTERS if c not in target and c not in out)
        full, eyes = [], []
        seen = set()
        for c in target:
            if c in seen:
                fresh = next(free)
                full.append(fresh)
                eyes.append((c + fresh, np.eye(size[c], dtype=g._data.dtype)))
            else:
                seen.add(c)
                full.append(c)
        eq = ",".join([unique] + [s for s, _ in eyes]) + "->" + "".join(full)
        grad = einsum(eq, grad, *[const(e) for _, e in eyes])
    return grad


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation: str, shapes: list) -> tuple:
    """Explicit per-operand subscripts and output (ellipses expanded to fresh letters)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError(
            f"einsum(): {'more' if len(shapes) > len(inputs) else 'fewer'} operands were "
            f"provided than specified in the equation {equation!r}"
        )
    for c in eq:
        if not (c.isalpha() or c in ",.->"):
            raise RuntimeError(f"einsum(): invalid subscript given in the equation string: {c!r}")
    used = set(c for c in eq if c.isalpha())
    free = iter(c for c in _LETTERS if c not in used)
    n_ell = 0
    for sub, shape in zip(inputs, shapes, strict=False):
        if "..." in sub:
            n_ell = max(n_ell, len(shape) - (len(sub) - 3))
    ell = "".join(next(free) for _ in range(n_ell))
    subs = []
    for i, (sub, shape) in enumerate(zip(inputs, shapes, strict=False)):
        if "..." in sub:
            k = len(shape) - (len(sub) - 3)
            if k < 0:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({len(sub) - 3}) is more "
                    f"than the number of dimensions ({len(shape)}) for operand {i}"
                )
            sub = sub.replace("...", ell[n_ell - k:])
        elif len(sub) != len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(sub)}) does not match "
                f"the number of dimensions ({len(shape)}) for operand {i} and no ellipsis was "
                "given"
            )
        if "." in sub:
            raise RuntimeError("einsum(): found '.' for operand that is not part of any ellipsis")
        subs.append(sub)
    letters = "".join(subs)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if c not in letters:
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
            if out.count(c) > 1:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
    else:  # implicit output: ellipsis dims, then letters seen once, in alphabetical order
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    return subs, out


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation (``torch.einsum``), differentiable in every operand.

    Supports explicit (``'ij,jk->ik'``) and implicit (``'ij,jk'``) outputs, repeated
    subscripts (diagonals, traces), ``...`` for broadcast batch dimensions, and size-1
    dimensions broadcasting against the other operands.

    Raises:
        RuntimeError: malformed equation, or operand shapes that do not agree.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    subs, out = _parse_einsum(equation, [t._data.shape for t in operands])
    size: dict = {}
    for k, (sub, t) in enumerate(zip(subs, operands, strict=False)):
        own: dict = {}
        for c, n in zip(sub, t._data.shape, strict=False):
            if own.setdefault(c, n) != n:  # a diagonal needs equal sizes, even 1 (as torch)
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but "
                                   f"the sizes don't match, {n} != {own[c]}")
            if size.get(c, 1) == 1:
                size[c] = n
            elif n not in (1, size[c]):
                raise RuntimeError(
                    f"einsum(): operands do not broadcast with remapped shapes: subscript {c} "
                    f"has size {size[c]} and {n} (operand shapes "
                    + ", ".join(str(tuple(o._data.shape)) for o in operands) + ")"
                )
    operands = _einsum_dtypes(operands, subs, out, size)
    expanded = []
    for sub, t in zip(subs, operands, strict=False):
        target = tuple(size[c] for c in sub)
        expanded.append(t if target == t._data.shape else t.expand(target))
    return _einsum_op(len(expanded)).apply(*expanded, subs=tuple(subs), out=out)


def _einsum_dtypes(operands, subs, out, size) -> tuple:
    """The operands in the dtype torch 2.13's einsum computes in.

    PyTorch contracts a pair through ``bmm`` (same dtype required, no bool) unless nothing of
    size > 1 is summed between them, in which case it multiplies elementwise (promoting, bool
    allowed); one operand with summed subscripts is a ``sum`` (integers give int64).
    """
    kind = operands[0]._data.dtype.kind
    if len(operands) == 1:
        if kind in "biu" and set(subs[0]) - set(out):
            return (operands[0].to(np.int64),)
        return operands
    if len(operands) == 2:
        contracted = (set(subs[0]) & set(subs[1])) - set(out)
        if all(size[c] == 1 for c in contracted):
            return promote(*operands)
    if len({t._data.dtype for t in operands}) > 1:
        raise RuntimeError(
            "einsum(): operands must have the same dtype, got "
            + ", ".join(str(t.dtype) for t in operands)
        )
    if kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    return operands


def cdist(x1, x2, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"
          ) -> Tensor:
    """Pairwise p-norm distances between the rows of ``x1`` (.., P, M) and ``x2`` (.., R, M).

    A zero distance has a zero gradient (as PyTorch), not the norm's undefined one.

    Raises:
        RuntimeError: inputs of different widths (PyTorch's message).
    """
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (.., P, R, M)
    if p == 0:
        return (diff != 0).to(x1.dtype).sum(-1)
    if p == float("inf"):
        return diff.abs().amax(-1)
    powered = diff.abs() ** p if p != 2 else diff * diff
    total = powered.sum(-1)
    zero = const(total._data == 0)
    safe = where(zero, 1.0, total)
    return where(zero, 0.0, safe ** (1.0 / p) if p != 2 else safe.sqrt())


# ======================================================================== removed names
# PyTorch keeps these names only to raise and point to their linalg replacements.


def _removed(name: str, replacement: str):
    def removed(*args, **kwargs):
        raise RuntimeError(f"torch.{name} was deprecated in PyTorch 1.9 and is now removed; "
                           f"use {replacement} instead.")

    removed.__name__ = name
    removed.__doc__ = f"Removed from PyTorch: raises, naming ``{replacement}``."
    return removed


lstsq = _removed("lstsq", "torch.linalg.lstsq (note its arguments are reversed)")
symeig = _removed("symeig", "torch.linalg.eigh or torch.linalg.eigvalsh (UPLO='L' by default)")
eig = _removed("eig", "torch.linalg.eig (complex results)")
matrix_rank = _removed("matrix_rank", "torch.linalg.matrix_rank (symmetric is now hermitian)")
solve_removed = _removed("solve", "torch.linalg.solve (note its arguments are reversed)")


# ======================================================================== decompositions
# inv, det, slogdet, solve, cholesky: NumPy's LAPACK forward, backward in ember ops (so
# second order works). Matrices are the last two dims; leading dims batch.


class LinAlgError(RuntimeError):
    """A singular or non-positive-definite matrix (``torch.linalg.LinAlgError``)."""


def _mT(t):  # noqa: N802 - PyTorch's name
    return t.transpose(-2, -1)


def _square(name: str, a: Tensor) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        shape = tuple(a.shape)
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{shape[-2] if len(shape) > 1 else 1} by {shape[-1]} matrices")


class Inv(Op):
    """Matrix inverse; its gradient is ``-Y^T g Y^T`` with ``Y`` the inverse."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.inv: The inversion could not be completed because the "
                              "input matrix is singular.") from None

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        yt = _mT(y)
        return -(yt @ g @ yt)


class Slogdet(Op):
    """log|det A| (the sign is a constant); d/dA = A^{-T}."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        ctx.sign = sign
        return np.asarray(logabs, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * _mT(inv(a))


class Cholesky(Op):
    """Lower Cholesky factor of a symmetric positive-definite matrix (Murray's gradient)."""

    save_output = True

    @staticmethod
    def forward(ctx, a):
        try:
            return np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.cholesky: The factorization could not be completed "
                              "because the input is not positive-definite.") from None

    @staticmethod
    def backward(ctx, g):
        # Murray (2016): gA = L^{-T} Phi(L^T gL) L^{-1}, symmetrised; Phi = lower triangle
        # with the diagonal halved
        (lo,) = ctx.saved_tensors
        phi = _mT(lo) @ g
        n = lo.shape[-1]
        mask = np.tril(np.ones((n, n), lo._data.dtype)) - 0.5 * np.eye(n, dtype=lo._data.dtype)
        phi = phi * const(mask)
        lo_inv = inv(lo)
        ga = _mT(lo_inv) @ phi @ lo_inv
        return 0.5 * (ga + _mT(ga))


def inv(input) -> Tensor:
    """The inverse of each square matrix (``linalg.inv``).

    Raises:
        RuntimeError: non-square input; LinAlgError (a RuntimeError) for a singular matrix.
    """
    _square("inv", input)
    return Inv.apply(input)


def slogdet(input):
    """``(sign, log|det A|)``; the log is differentiable."""
    _square("slogdet", input)
    logabs = Slogdet.apply(input)
    sign = np.sign(np.linalg.det(input._data)).astype(input._data.dtype)
    return slogdet_return(_from_array(sign), logabs)


class slogdet_return(namedtuple("slogdet_return", ["sign", "logabsdet"])):  # noqa: N801
    """``(sign, logabsdet)``, printed like ``torch.return_types.linalg_slogdet``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return (f"ember.return_types.linalg_slogdet(\nsign={self.sign!r},\n"
                f"logabsdet={self.logabsdet!r})")


class Det(Op):
    """Determinant; its gradient ``det * A^{-T}`` needs ``A`` invertible.

    Unlike PyTorch, backward through a singular matrix raises ``LinAlgError``.
    """

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a):
        return np.asarray(np.linalg.det(a), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):  # d det / dA = det * A^{-T}
        a, out = ctx.saved_tensors
        return (g * out).unsqueeze(-1).unsqueeze(-1) * _mT(inv(a))


def det(input) -> Tensor:
    """The determinant (differentiable where A is invertible)."""
    _square("det", input)
    return Det.apply(input)


def logdet(input) -> Tensor:
    """``log det A`` (nan for a negative determinant, -inf for zero), as ``torch.logdet``."""
    sign, logabs = slogdet(input)
    s = sign._data
    return logabs + const(np.where(s > 0, 0.0, np.where(s == 0, -np.inf, np.nan))
                          .astype(logabs._data.dtype))


def solve(A, B, *, left: bool = True) -> Tensor:
    """X with ``A X = B`` (B a vector or a batch of matrices); differentiable in both."""
    _square("solve", A)
    if not left:
        return _mT(solve(_mT(A), _mT(B)))
    if np.linalg.matrix_rank(A._data.astype(np.float64)).min() < A.shape[-1]:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                          "singular.")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rhs = B.unsqueeze(-1) if vector else B
    x = inv(A) @ rhs
    return x.squeeze(-1) if vector else x


def cholesky(input, *, upper: bool = False) -> Tensor:
    """The lower Cholesky factor L (``A = L L^T``), or its transpose with ``upper``."""
    _square("cholesky", input)
    lo = Cholesky.apply(input)
    return _mT(lo) if upper else lo


def vdot(input, other) -> Tensor:
    """The dot product of two 1-D tensors (no conjugation needed: ember's tensors are real)."""
    return dot(input, other)


def kron(input, other) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    # interleave the dims: a as (a1, 1, a2, 1, ...), b as (1, b1, 1, b2, ...)
    a_shape = [s for d in a.shape for s in (d, 1)]
    b_shape = [s for d in b.shape for s in (1, d)]
    prod = a.reshape(a_shape) * b.reshape(b_shape)
    return prod.reshape([x * y for x, y in zip(a.shape, b.shape)])


def tensordot(a, b, dims=2) -> Tensor:
    """Sum of products over ``dims`` (an int: the last ``dims`` of ``a`` with the first of
    ``b``; or two lists of dims), as one matrix product.

    Raises:
        RuntimeError: contracted dims of different sizes.
    """
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else [d % a.ndim for d in da]
        db = [db] if isinstance(db, int) else [d % b.ndim for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} in "
                               f"dim {j}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da]))
    am = a.permute(free_a + da).reshape(-1, k)
    bm = b.permute(db + free_b).reshape(k, -1)
    return matmul(am, bm).reshape([a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])


def trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoidal rule, with sample points ``x``
    or a constant spacing ``dx`` (1 by default)."""
    n = y.shape[dim]
    if n == 0:
        return y.sum(dim)
    left, right = y.narrow(dim, 0, n - 1), y.narrow(dim, 1, n - 1)
    if x is None:
        return (left + right).sum(dim) * ((1.0 if dx is None else dx) / 2)
    dxs = x.diff(dim=dim if x.ndim == y.ndim else -1)
    return ((left + right) * dxs).sum(dim) / 2


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral of ``y`` along ``dim`` (one element shorter)."""
    n = y.shape[dim]
    left, right = y.narrow(dim, 0, max(n - 1, 0)), y.narrow(dim, min(1, n), max(n - 1, 0))
    if x is None:
        return ((left + right) * ((1.0 if dx is None else dx) / 2)).cumsum(dim)
    dxs = x.diff(dim=dim if x.ndim == y.ndim else -1)
    return ((left + right) * dxs / 2).cumsum(dim)
