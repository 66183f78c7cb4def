"""Triangular solves and the LU family: ``triangular_solve``, ``cholesky_solve``/``inverse``,
``linalg.lu_factor``/``lu``/``lu_solve``, ``lu_unpack``, ``geqrf``/``ormqr``/``orgqr``.

Two primitives carry their own gradients: ``TriangularSolve`` and ``LuFactor`` (PyTorch's
``linalg_lu_backward``, written with ember ops so it differentiates again). Everything else is
composed from them, so its gradient follows. LU is partial-pivoting Gaussian elimination
vectorised over the batch (one Python step per column), as LAPACK's getrf computes it:
pivots are 1-based int32 row swaps, and a zero pivot is reported in ``info``, not raised.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._core import Tensor, _from_array
from ..autograd.function import Op
from ._util import const
from .linalg import LinAlgError, cholesky, matmul
from .selection import where
from .shape import cat


def _result(name: str, fields: list[str]) -> type:
    """A named tuple printed like ``torch.return_types.<name>``."""
    base = namedtuple(name, fields)

    def __repr__(self) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"ember.return_types.{name}(\n{body})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


triangular_solve_return = _result("triangular_solve", ["solution", "cloned_coefficient"])
linalg_lu_factor = _result("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = _result("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu = _result("linalg_lu", ["P", "L", "U"])
lu_unpack_return = _result("lu_unpack", ["P", "L", "U"])
lu_with_info = _result("_lu_with_info", ["LU", "pivots", "info"])
geqrf_return = _result("geqrf", ["a", "tau"])


def _mT(t: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    return t.transpose(-2, -1)


def _need_matrix(name: str, arg: str, t: Tensor) -> None:
    if t.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def _need_float(name: str, t: Tensor) -> None:
    if not t.is_floating_point():
        raise RuntimeError(f"{name}: Expected a floating point tensor as input. Got {t.dtype}")


# ======================================================================== triangular solve


def _triangle(a: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    tri = np.triu(a) if upper else np.tril(a)
    if unit:
        n = a.shape[-1]
        tri = tri.copy()
        tri[..., np.arange(n), np.arange(n)] = 1
    return tri


def _substitute(tri: np.ndarray, b: np.ndarray, upper: bool) -> np.ndarray:
    """Back/forward substitution, one row per step: infinities and NaNs where a diagonal entry
    is zero, as LAPACK's trtrs (np.linalg.solve would refuse the singular matrix)."""
    n = tri.shape[-1]
    x = np.zeros(np.broadcast_shapes(tri.shape[:-2], b.shape[:-2]) + b.shape[-2:], b.dtype)
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in order:
            acc = b[..., i, :] - np.einsum("...j,...jk->...k", tri[..., i, :], x)
            x[..., i, :] = acc / tri[..., i, i:i + 1]
    return x


def _tri_solve(a: np.ndarray, b: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    tri = _triangle(a, upper, unit)
    diag = np.diagonal(tri, axis1=-2, axis2=-1)
    if (diag == 0).any() or not np.isfinite(tri).all():
        return _substitute(tri, b, upper)
    batch = np.broadcast_shapes(tri.shape[:-2], b.shape[:-2])
    return np.linalg.solve(np.broadcast_to(tri, batch + tri.shape[-2:]),
                           np.broadcast_to(b, batch + b.shape[-2:]))


class TriangularSolve(Op):
    """X with ``tri(A) X = B``, reading only A's triangle (unit diagonal if asked).

    Gradients: ``gB = tri(A)^{-T} g`` and ``gA = -tri(gB X^T)`` (the diagonal dropped when it
    is taken as ones), both written with ember ops.
    """

    save_inputs = (0,)
    save_output = True

    @staticmethod
    def forward(ctx, a, b, *, upper, unitriangular):
        ctx.upper, ctx.unit = upper, unitriangular
        return _tri_solve(a, b, upper, unitriangular)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        gb = TriangularSolve.apply(_mT(a), g, upper=not ctx.upper, unitriangular=ctx.unit)
        ga = None
        if need[0]:
            outer = -matmul(gb, _mT(x))
            ga = outer.triu(1 if ctx.unit else 0) if ctx.upper else outer.tril(-1 if ctx.unit
                                                                               else 0)
        return ga, (gb if need[1] else None)


def _solve_tri(a: Tensor, b: Tensor, upper: bool, unitriangular: bool = False) -> Tensor:
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but got b.dtype = "
                           f"{b.dtype} and A.dtype = {a.dtype}")
    return TriangularSolve.apply(a, b, upper=upper, unitriangular=unitriangular)


def triangular_solve(input, A, upper: bool = True, transpose: bool = False,  # noqa: A002, N803
                     unitriangular: bool = False):
    """``torch.triangular_solve(b, A)``: X with ``op(A) X = b``, op the transpose if asked.

    Returns ``(solution, cloned_coefficient)``; a zero on A's diagonal gives infinities, as
    PyTorch (no error).

    Raises:
        RuntimeError: operands of fewer than 2 dims, a non-square A, or row counts that differ.
    """
    _need_matrix("triangular_solve", "A", A)
    _need_matrix("triangular_solve", "b", input)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"triangular_solve: A must be batches of square matrices, but they "
                           f"are {A.shape[-2]} by {A.shape[-1]} matrices")
    if input.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"triangular_solve: Incompatible matrix sizes for triangular_solve: "
                           f"each A matrix is {A.shape[-2]} by {A.shape[-1]} but each b matrix "
                           f"is {input.shape[-2]} by {input.shape[-1]}")
    coeff = _mT(A) if transpose else A
    solution = _solve_tri(coeff, input, upper != transpose, unitriangular)
    return triangular_solve_return(solution, A.clone())


# ======================================================================== Cholesky solves


def cholesky_legacy(input, upper: bool = False) -> Tensor:  # noqa: A002
    """``torch.cholesky(A, upper=False)``: ``linalg.cholesky`` with ``upper`` positional."""
    return cholesky(input, upper=upper)


def cholesky_solve(input, input2, upper: bool = False) -> Tensor:  # noqa: A002
    """X with ``A X = input`` for ``A = L L^T`` given its Cholesky factor ``input2``.

    Differentiable in both; the factor's gradient is PyTorch's ``-(gB X^T + X gB^T) L``, a full
    matrix (the factor is treated as the matrix it multiplies, not as its triangle).
    """
    _need_matrix("cholesky_solve", "b", input)
    _need_matrix("cholesky_solve", "A", input2)
    if input2.shape[-1] != input2.shape[-2]:
        raise RuntimeError(f"cholesky_solve: A must be batches of square matrices, but they are "
                           f"{input2.shape[-2]} by {input2.shape[-1]} matrices")
    if input.shape[-2] != input2.shape[-1]:
        raise RuntimeError(f"cholesky_solve: Incompatible matrix sizes for cholesky_solve: each "
                           f"A matrix is {input2.shape[-2]} by {input2.shape[-1]} but each b "
                           f"matrix is {input.shape[-2]} by {input.shape[-1]}")
    return CholeskySolve.apply(input, input2, upper=upper)


class CholeskySolve(Op):
    """Two triangular solves; backward as PyTorch's ``cholesky_solve_backward``."""

    save_inputs = (1,)
    save_output = True

    @staticmethod
    def forward(ctx, b, factor, *, upper):
        ctx.upper = upper
        lower = np.swapaxes(factor, -1, -2) if upper else factor
        y = _tri_solve(lower, b, False, False)
        return _tri_solve(np.swapaxes(lower, -1, -2), y, True, False)

    @staticmethod
    def backward(ctx, g):
        factor, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        gb = cholesky_solve(g, factor, ctx.upper)
        gf = None
        if need[1]:
            common = matmul(gb, _mT(x))
            common = common + _mT(common)
            gf = -matmul(factor, common) if ctx.upper else -matmul(common, factor)
        return (gb if need[0] else None), gf


def cholesky_inverse(input, upper: bool = False) -> Tensor:  # noqa: A002
    """``(L L^T)^{-1}`` from the Cholesky factor L (``U^T U`` with ``upper``)."""
    _need_matrix("cholesky_inverse", "input", input)
    n = input.shape[-1]
    eye = const(np.broadcast_to(np.eye(n, dtype=input._data.dtype), tuple(input.shape)))
    return cholesky_solve(eye, input, upper)


# ======================================================================== LU


def _getrf(a: np.ndarray) -> tuple:
    """Partial-pivoting LU of a batch of (m, n) matrices: packed LU, 1-based pivots, info."""
    lu = np.array(a, dtype=a.dtype, copy=True)
    m, n = lu.shape[-2:]
    batch = lu.shape[:-2]
    lu = lu.reshape((-1, m, n))
    k = min(m, n)
    pivots = np.zeros((lu.shape[0], k), np.int32)
    info = np.zeros(lu.shape[0], np.int32)
    rows = np.arange(lu.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
            pivots[:, j] = p + 1
            swap = lu[rows, p].copy()
            lu[rows, p] = lu[:, j]
            lu[:, j] = swap
            pivot = lu[:, j, j]
            zero = pivot == 0
            info[(info == 0) & zero] = j + 1
            # a zero pivot leaves its column below unscaled (LAPACK skips the division)
            scale = np.where(zero, 1, pivot)
            lu[:, j + 1:, j] = np.where(zero[:, None], lu[:, j + 1:, j],
                                        lu[:, j + 1:, j] / scale[:, None])
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return (lu.reshape(batch + (m, n)), pivots.reshape(batch + (k,)), info.reshape(batch))


def _permutation(pivots: np.ndarray, m: int, dtype) -> np.ndarray:
    """P (m, m) with ``A = P L U`` from LAPACK's 1-based row swaps."""
    batch = pivots.shape[:-1]
    flat = pivots.reshape((-1, pivots.shape[-1])) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        swap = perm[rows, p].copy()
        perm[rows, p] = perm[:, j]
        perm[:, j] = swap
    # row i of P A is row perm[i] of A, so P^T has ones at (i, perm[i]); P is its transpose
    eye = np.eye(m, dtype=dtype)
    return np.swapaxes(eye[perm], -1, -2).reshape(batch + (m, m))


def _unpack(lu: Tensor, k: int) -> tuple:
    """Unit-lower L (m, k) and upper U (k, n) from the packed factor, differentiably."""
    m, n = lu.shape[-2:]
    unit = const(np.eye(m, k, dtype=bool))
    lower = where(unit, 1.0, lu[..., :, :k].tril(-1))
    upper = lu[..., :k, :].triu()
    return lower, upper


class LuFactor(Op):
    """The packed LU factor; backward is PyTorch's ``linalg_lu_backward`` with the gradients of
    L (strict lower part) and U (upper part) read off the packed gradient."""

    save_output = True

    @staticmethod
    def forward(ctx, a, *, factored):
        ctx.pivots = factored[1]
        return factored[0]

    @staticmethod
    def backward(ctx, g):
        (lu,) = ctx.saved_tensors
        m, n = lu.shape[-2:]
        k = min(m, n)
        lower, upper = _unpack(lu, k)
        g_lower = g[..., :, :k].tril(-1)
        g_upper = g[..., :k, :].triu()
        perm = const(_permutation(ctx.pivots, m, lu._data.dtype))
        return matmul(perm, _lu_backward(lower, upper, g_lower, g_upper, m, n, k))


def _lu_backward(lower, upper, g_lower, g_upper, m, n, k) -> Tensor:
    """dA (before the permutation) from dL, dU for ``A = P L U``: square, wide and tall."""
    if m == n:
        inner = matmul(_mT(lower), g_lower).tril(-1) + matmul(g_upper, _mT(upper)).triu()
        grad = _solve_tri(upper, _mT(inner), upper=True)  # inner U^{-T}, as (U^{-1} inner^T)^T
        return _solve_tri(_mT(lower), _mT(grad), upper=True, unitriangular=True)
    if m < n:  # wide: U = [U1 U2] with U1 square
        u1 = upper[..., :, :k]
        inner = (matmul(_mT(lower), g_lower) - matmul(g_upper.triu(), _mT(upper))).tril(-1)
        grad = _mT(_solve_tri(u1, _mT(inner), upper=True))
        grad = cat([grad + g_upper[..., :, :k].triu(), g_upper[..., :, k:]], -1)
        return _solve_tri(_mT(lower), grad, upper=True, unitriangular=True)
    # tall: L = [L1; L2] with L1 square
    l1 = lower[..., :k, :]
    inner = (matmul(g_upper, _mT(upper)) - matmul(_mT(lower), g_lower.tril(-1))).triu()
    grad = _solve_tri(_mT(l1), inner, upper=True, unitriangular=True)
    grad = cat([grad + g_lower[..., :k, :].tril(-1), g_lower[..., k:, :]], -2)
    return _mT(_solve_tri(upper, _mT(grad), upper=True))


def _lu_factor(name: str, A: Tensor, pivot: bool) -> tuple:  # noqa: N803
    _need_matrix(name, "A", A)
    _need_float(name, A)
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")
    factored = _getrf(A._data)
    lu_ = LuFactor.apply(A, factored=factored)
    return lu_, _from_array(factored[1]), _from_array(factored[2])


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):  # noqa: N803
    """``(LU, pivots, info)``: the packed LU factor, LAPACK's 1-based pivots (int32), and per
    matrix the 1-based index of the first zero pivot (0 when U is invertible)."""
    lu, pivots, info = _lu_factor("linalg.lu_factor_ex", A, pivot)
    if check_errors:
        _check_info("torch.linalg.lu_factor_ex", info)
    return linalg_lu_factor_ex(lu, pivots, info)


def _check_info(name: str, info: Tensor) -> None:
    bad = np.flatnonzero(info._data.reshape(-1))
    if bad.size:
        j = int(info._data.reshape(-1)[bad[0]])
        where_ = "" if info.ndim == 0 else f" (batch element {int(bad[0])})"
        raise LinAlgError(f"{name}: U[{j},{j}] is zero{where_} and using it on lu_solve would "
                          "result in a division by zero. If you still want to perform the "
                          "factorization, consider calling linalg.lu(A, pivot) or "
                          "linalg.lu_factor_ex(A, pivot)")


def lu_factor(A: Tensor, *, pivot: bool = True):  # noqa: N803
    """``(LU, pivots)`` of ``A = P L U``; differentiable in A.

    Raises:
        LinAlgError: a matrix whose U has a zero on its diagonal (use ``lu_factor_ex``).
    """
    lu, pivots, info = _lu_factor("linalg.lu_factor", A, pivot)
    _check_info("torch.linalg.lu_factor", info)
    return linalg_lu_factor(lu, pivots)


def lu(A: Tensor, *, pivot: bool = True):  # noqa: N803
    """``(P, L, U)`` with ``A = P L U``: L unit lower (m, k), U upper (k, n), k = min(m, n).
    Singular matrices factor too (U then has zeros on its diagonal)."""
    lu_, pivots, _ = _lu_factor("linalg.lu", A, pivot)
    return linalg_lu(*_lu_unpack(lu_, pivots, True, True))


def _lu_unpack(lu_: Tensor, pivots: Tensor, unpack_data: bool, unpack_pivots: bool) -> tuple:
    m, n = lu_.shape[-2:]
    k = min(m, n)
    empty = _from_array(np.empty(0, lu_._data.dtype))
    lower, upper = _unpack(lu_, k) if unpack_data else (empty, empty)
    perm = (_from_array(_permutation(pivots._data.astype(np.int64), m, lu_._data.dtype))
            if unpack_pivots else empty)
    return perm, lower, upper


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,  # noqa: N803
              unpack_pivots: bool = True):
    """``(P, L, U)`` from ``lu_factor``'s packed result; differentiable in ``LU_data``.

    Raises:
        RuntimeError: pivots that are not int32 or outside ``[1, m]``.
    """
    _need_matrix("lu_unpack", "LU_data", LU_data)
    if LU_pivots._data.dtype != np.int32:
        raise RuntimeError(f"torch.lu_unpack: LU_pivots is expected to be a contiguous tensor "
                           f"of torch.int32 dtype. Note: this function is intended to be used "
                           f"with the output produced by torch.linalg.lu_factor, got "
                           f"{LU_pivots.dtype}")
    m = LU_data.shape[-2]
    piv = LU_pivots._data
    if piv.size and (piv.min() < 1 or piv.max() > m):
        raise RuntimeError(f"torch.lu_unpack: pivots must be between 1 and LU.size(-2) = {m} "
                           "inclusive")
    return lu_unpack_return(*_lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots))


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
             adjoint: bool = False) -> Tensor:
    """X with ``A X = B`` (``X A = B`` unless ``left``; ``A^T`` with ``adjoint``) from A's LU
    factorisation; differentiable in ``LU`` and ``B``.

    Raises:
        RuntimeError: B of fewer than 2 dims, a non-square LU, or sizes that do not match.
    """
    _need_matrix("linalg.lu_solve", "LU", LU)
    _need_matrix("linalg.lu_solve", "B", B)
    n = LU.shape[-1]
    if LU.shape[-2] != n:
        raise RuntimeError(f"linalg.lu_solve: A must be batches of square matrices, but they are "
                           f"{LU.shape[-2]} by {n} matrices")
    size = B.shape[-2] if left else B.shape[-1]
    if size != n:
        side = "rows" if left else "columns"
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]}): B must have {n} {side}")
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return _mT(lu_solve(LU, pivots, _mT(B), adjoint=not adjoint))
    perm = const(_permutation(pivots._data.astype(np.int64), n, LU._data.dtype))
    if adjoint:  # A^T = U^T L^T P^T: X = P L^{-T} U^{-T} B
        y = _solve_tri(_mT(LU), B, upper=False)
        return matmul(perm, _solve_tri(_mT(LU), y, upper=True, unitriangular=True))
    y = _solve_tri(LU, matmul(_mT(perm), B), upper=False, unitriangular=True)
    return _solve_tri(LU, y, upper=True)


def lu_legacy(A: Tensor, pivot: bool = True, get_infos: bool = False):  # noqa: N803
    """``torch.lu``: ``(LU, pivots)``, with ``info`` too when ``get_infos`` (else a singular
    matrix raises)."""
    lu_, pivots, info = _lu_factor("torch.lu", A, pivot)
    if get_infos:
        return lu_with_info(lu_, pivots, info)
    _check_info("torch.lu", info)
    return lu_, pivots


def lu_solve_legacy(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:  # noqa: N803
    """``torch.lu_solve(b, LU_data, LU_pivots)``: ``linalg.lu_solve`` with B first."""
    return lu_solve(LU_data, LU_pivots, b)


# ======================================================================== Householder QR


def geqrf(input) -> tuple:  # noqa: A002
    """LAPACK's geqrf: R on and above the diagonal, the Householder vectors below it, and their
    scales ``tau``. Not differentiable (as PyTorch)."""
    _need_matrix("geqrf", "input", input)
    data = input._data
    m, n = data.shape[-2:]
    flat = data.reshape((-1, m, n))
    packed = np.empty_like(flat)
    taus = np.empty((flat.shape[0], min(m, n)), data.dtype)
    for i, matrix in enumerate(flat):
        h, tau = np.linalg.qr(matrix, mode="raw")  # h is the transposed packed factor
        packed[i], taus[i] = h.T, tau
    return geqrf_return(_from_array(packed.reshape(data.shape)),
                        _from_array(taus.reshape(data.shape[:-2] + (min(m, n),))))


def ormqr(input, input2, input3, left: bool = True, transpose: bool = False) -> Tensor:  # noqa: A002
    """``Q @ C`` (``Q^T``, or C on the left, as asked) with Q the product of the Householder
    reflectors ``H_i = I - tau_i v_i v_i^T`` that ``geqrf`` returns; differentiable in all three.

    Raises:
        RuntimeError: more reflectors than columns, or sizes that do not match.
    """
    _need_matrix("ormqr", "input", input)
    _need_matrix("ormqr", "other", input3)
    m = input.shape[-2]
    k = input2.shape[-1]
    if k > input.shape[-1] or k > m:
        raise RuntimeError(f"torch.ormqr: input.shape[-1] must be greater than or equal to "
                           f"tau.shape[-1] ({input.shape[-1]} < {k})")
    size = input3.shape[-2] if left else input3.shape[-1]
    if size != m:
        raise RuntimeError(f"torch.ormqr: other.shape[{-2 if left else -1}] must be equal to "
                           f"input.shape[-2] ({size} != {m})")
    vectors = where(const(np.eye(m, input.shape[-1], dtype=bool)), 1.0, input.tril(-1))
    c = input3
    # Q = H_1 ... H_k; Q C applies H_k first, Q^T C applies H_1 first (and mirrored on the right)
    order = range(k) if left == transpose else range(k - 1, -1, -1)
    for i in order:
        v = vectors[..., :, i:i + 1]
        tau = input2[..., i:i + 1].unsqueeze(-1)
        if left:
            c = c - matmul(v * tau, matmul(_mT(v), c))
        else:
            c = c - matmul(matmul(c, v) * tau, _mT(v))
    return c


def orgqr(input, input2) -> Tensor:  # noqa: A002
    """The first n columns of ``Q = H_1 ... H_k`` (``linalg.householder_product``)."""
    _need_matrix("orgqr", "input", input)
    m, n = input.shape[-2:]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater "
                           "than or equal to input.shape[-1]")
    eye = np.broadcast_to(np.eye(m, n, dtype=input._data.dtype), tuple(input.shape))
    return ormqr(input, input2, const(eye))


# ======================================================================== general eigenproblem


def eig(A: Tensor):  # noqa: N803
    """``linalg.eig``: PyTorch returns complex eigenvalues and eigenvectors (complex64/128)
    even when they are real; ember has no complex dtypes.

    Raises:
        NotImplementedError: always (complex tensors are not supported by ember); for
            symmetric matrices ``linalg.eigh`` gives the same decomposition in real numbers.
    """
    raise NotImplementedError("linalg.eig returns complex tensors, and ember has no complex "
                              "dtypes; for symmetric matrices use linalg.eigh")


def eigvals(A: Tensor):  # noqa: N803
    """``linalg.eigvals``: complex results in PyTorch, so not available (see ``eig``).

    Raises:
        NotImplementedError: always (complex tensors are not supported by ember).
    """
    raise NotImplementedError("linalg.eigvals returns complex tensors, and ember has no complex "
                              "dtypes; for symmetric matrices use linalg.eigvalsh")
