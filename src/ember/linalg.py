"""``ember.linalg``: norms, products, solvers and decompositions under PyTorch's linalg names.

The decompositions with their own gradients (eigh, svd, qr, matrix_exp) live in
``ops/decomposition.py``; everything here is composed from them and from ember ops, so it is
differentiable wherever PyTorch's is (pinv, lstsq, svdvals, cond, ... as compositions).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from . import _creation
from ._dtype import int32, int64
from .ops import decomposition as _dec
from .ops._util import const
from .ops.linalg import (  # noqa: F401
    LinAlgError,
    cholesky,
    det,
    einsum,
    inv,
    matmul,
    slogdet,
    solve,
)
from .ops.linalg_factorization import (  # noqa: F401
    eig,
    eigvals,
    lu,
    lu_factor,
    lu_factor_ex,
    lu_solve,
)
from .ops.reduce import amax, amin
from .ops.reduce import norm as _norm
from .ops.selection import where
from .ops.shape import cat
from .tensor import Tensor, _from_array, _wrap_dim


def vector_norm(input, ord=2, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """The ``ord``-norm of the entries over ``dim`` (all of them when None), as a vector."""
    return _norm(input, ord, dim, keepdim, dtype)


def matrix_norm(input, ord="fro", dim=(-2, -1), keepdim: bool = False, *,  # noqa: A002
                dtype=None):
    """Matrix norms over the two dims ``dim``: 'fro', and the induced 1, -1, inf, -inf norms.

    Raises:
        RuntimeError: ``dim`` is not two distinct dims, or the input has fewer than 2 dims.
        NotImplementedError: the spectral (2, -2) and nuclear norms, which need an SVD.
    """
    if input.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, but got "
            f"{input.ndim} dimensions"
        )
    dims = tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dims}")
    rows, cols = (_wrap_dim(d, input.ndim) for d in dims)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {cols})")
    if dtype is not None:
        input = input.to(dtype)
    if ord == "fro":
        return _norm(input, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        values = svdvals(input.movedim((rows, cols), (-2, -1)))
        out = values.sum(-1) if ord == "nuc" else (amax if ord == 2 else amin)(values, -1)
        return out.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), (rows, cols)) if keepdim \
            else out
    if ord not in (1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    # induced norms: the largest (smallest) absolute column sum for +-1, row sum for +-inf
    summed, reduced = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = input.abs().sum(summed, keepdim=True)
    pick = amax if ord > 0 else amin
    out = pick(sums, reduced, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(input, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """``torch.linalg.norm``: a vector norm over one dim, a matrix norm over two.

    With ``ord`` None this is the 2-norm of all entries (of ``dim`` when given). With an
    ``ord``, ``dim`` None means the input must be 1-D (vector norm) or 2-D (matrix norm).
    """
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if ord is None:
        return _norm(input, 2, dim, keepdim, dtype)
    if dim is None:
        if input.ndim not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {input.ndim}D."
            )
        dim = tuple(range(input.ndim))
    if len(dim) == 2:
        return matrix_norm(input, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord={ord!r} is a matrix norm, given one dim")
    return _norm(input, ord, dim, keepdim, dtype)


# ======================================================================== results


def _result(name: str, fields: list[str]) -> type:
    """A named tuple printed like ``torch.return_types.<name>``."""
    base = namedtuple(name, fields)

    def __repr__(self) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"ember.return_types.{name}(\n{body})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


linalg_eigh = _result("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_svd = _result("linalg_svd", ["U", "S", "Vh"])
linalg_qr = _result("linalg_qr", ["Q", "R"])
linalg_lstsq = _result("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
linalg_inv_ex = _result("linalg_inv_ex", ["inverse", "info"])
linalg_cholesky_ex = _result("linalg_cholesky_ex", ["L", "info"])
linalg_solve_ex = _result("linalg_solve_ex", ["result", "info"])


def _square_check(name: str, a: Tensor) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.ndim > 1 else 1} by {a.shape[-1]} matrices")


def _matrix_check(name: str, a: Tensor) -> None:
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")


# ======================================================================== decompositions


def eigh(A: Tensor, UPLO: str = "L") -> tuple:  # noqa: N803 - PyTorch's argument names
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices; only the
    ``UPLO`` triangle is read. Differentiable (PyTorch's formula, symmetrised).

    Raises:
        RuntimeError: non-square input or a bad UPLO.
    """
    _square_check("eigh", A)
    return linalg_eigh(*_dec.eigh(A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of symmetric matrices, ascending."""
    _square_check("eigvalsh", A)
    return _dec.eigh(A, UPLO)[0]


def svd(A: Tensor, full_matrices: bool = True, *, driver=None) -> tuple:  # noqa: N803
    """``U, S, Vh`` with ``A = U diag(S) Vh`` and S descending. Differentiable (PyTorch's
    formula; with ``full_matrices`` only the first min(m, n) columns carry gradient)."""
    _matrix_check("svd", A)
    return linalg_svd(*_dec.svd(A, full_matrices))


def svdvals(A: Tensor, *, driver=None) -> Tensor:  # noqa: N803
    """The singular values, descending."""
    _matrix_check("svdvals", A)
    return _dec.svd(A, full_matrices=False)[1]


def qr(A: Tensor, mode: str = "reduced") -> tuple:  # noqa: N803
    """``Q, R`` with ``A = QR``; mode 'reduced', 'complete' or 'r' (Q empty, no gradient)."""
    _matrix_check("qr", A)
    return linalg_qr(*_dec.qr(A, mode))


def matrix_exp(A: Tensor) -> Tensor:  # noqa: N803
    """The matrix exponential of each square matrix (differentiable)."""
    return _dec.matrix_exp(A)


def matrix_power(A: Tensor, n: int) -> Tensor:  # noqa: N803
    """``A^n`` by repeated squaring; negative n inverts first; n = 0 gives the identity."""
    _square_check("matrix_power", A)
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), tuple(A.shape))
        return _from_array(eye.copy())
    base = inv(A) if n < 0 else A
    n = abs(n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def _tolerance(values: Tensor, shape: tuple, atol, rtol) -> Tensor:
    """PyTorch's rank cut-off: ``max(atol, rtol * largest singular value)``."""
    eps = float(np.finfo(values._data.dtype).eps)
    if rtol is None:
        rtol = eps * max(shape[-2:]) if atol is None or atol == 0 else 0.0
    atol = 0.0 if atol is None else atol
    atol_t = atol if isinstance(atol, Tensor) else const(np.asarray(atol, values._data.dtype))
    rtol_t = rtol if isinstance(rtol, Tensor) else const(np.asarray(rtol, values._data.dtype))
    largest = amax(values, -1, keepdim=True) if values.shape[-1] else values.sum(-1, True)
    top = largest.detach() * rtol_t.unsqueeze(-1) if rtol_t.ndim else largest.detach() * rtol_t
    low = atol_t.unsqueeze(-1) if atol_t.ndim else atol_t
    return where(top > low, top, low)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False,  # noqa: N803
                tol=None) -> Tensor:
    """The number of singular values above ``max(atol, rtol * largest)`` (int64)."""
    _matrix_check("matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    values = eigvalsh(A).abs() if hermitian else svdvals(A)
    values = values.detach()
    cut = _tolerance(values, tuple(A.shape), atol, rtol)
    return (values > cut).sum(-1).to(int64)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:  # noqa: N803
    """The Moore-Penrose pseudo-inverse via the SVD (eigh when ``hermitian``); singular values
    at or below the cut-off count as zero. Differentiable through the decomposition."""
    _matrix_check("pinv", A)
    if hermitian:
        values, vectors = _dec.eigh(A, "L")
        cut = _tolerance(values.abs(), tuple(A.shape), atol, rtol)
        keep = values.abs() > cut
        inv_values = where(keep, 1 / where(keep, values, values.new_ones(())), 0.0)
        return (vectors * inv_values.unsqueeze(-2)) @ vectors.transpose(-2, -1)
    u, s, vh = _dec.svd(A, full_matrices=False)
    cut = _tolerance(s, tuple(A.shape), atol, rtol)
    keep = s > cut
    inv_s = where(keep, 1 / where(keep, s, s.new_ones(())), 0.0)
    return (vh.transpose(-2, -1) * inv_s.unsqueeze(-2)) @ u.transpose(-2, -1)


def cond(A: Tensor, p=None) -> Tensor:  # noqa: N803
    """The condition number in the norm ``p`` (2 by default: largest / smallest singular
    value); the other norms multiply ``norm(A)`` by ``norm(inv(A))``."""
    _matrix_check("cond", A)
    if p in (None, 2, -2):
        s = svdvals(A)
        ratio = s[..., 0] / s[..., -1]
        return ratio if p in (None, 2) else 1 / ratio
    _square_check("cond", A)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None) -> tuple:  # noqa: N803
    """The least-squares solution of ``A X = B`` (minimum norm when A is rank-deficient).

    As PyTorch's default CPU driver ('gelsy'): ``residuals`` and ``singular_values`` are empty
    and ``rank`` is returned. Computed with the pseudo-inverse, so it is differentiable.
    """
    _matrix_check("lstsq", A)
    if driver not in (None, "gelsy", "gelsd", "gelss", "gels"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of "
                           f"(gels, gelsy, gelsd, gelss), but got {driver}")
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2). "
                           f"Got {A.shape[-2]} and {rhs.shape[-2]}")
    rtol = rcond if rcond is not None and rcond > 0 else None
    solution = pinv(A, rtol=rtol) @ rhs
    if vector:
        solution = solution.squeeze(-1)
    empty = _creation.empty(0, dtype=A.dtype)
    return linalg_lstsq(solution, empty, matrix_rank(A, rtol=rtol), empty)


# ======================================================================== solvers and checks


def inv_ex(A: Tensor, *, check_errors: bool = False) -> tuple:  # noqa: N803
    """``(inverse, info)``; info is 0 for every invertible matrix.

    Raises:
        LinAlgError: a singular matrix with ``check_errors``.
        NotImplementedError: a singular matrix without it (ember computes no LAPACK info).
    """
    try:
        inverse = inv(A)
    except LinAlgError:
        if check_errors:
            raise
        raise NotImplementedError("linalg.inv_ex: ember cannot report LAPACK's info for a "
                                  "singular matrix; use check_errors=True") from None
    return linalg_inv_ex(inverse, _creation.zeros(*A.shape[:-2], dtype=int32))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> tuple:  # noqa: N803
    """``(L, info)``: info is 0 where A is positive-definite, else the order of the first
    leading minor that is not (L then holds no meaningful values, as LAPACK's)."""
    _square_check("cholesky", A)
    data = A._data.reshape((-1,) + tuple(A.shape[-2:]))
    info = np.zeros(len(data), dtype=np.int32)
    for b, matrix in enumerate(data):
        try:
            np.linalg.cholesky(matrix)
        except np.linalg.LinAlgError:
            info[b] = next(k for k in range(1, matrix.shape[0] + 1)
                           if not _positive_definite(matrix[:k, :k]))
    if info.any() and check_errors:
        raise LinAlgError(f"linalg.cholesky_ex: The factorization could not be completed "
                          f"because the input is not positive-definite (the leading minor of "
                          f"order {int(info.max())} is not positive-definite).")
    if info.any():
        factor = _from_array(np.zeros(tuple(A.shape), dtype=A._data.dtype))
    else:
        factor = cholesky(A, upper=upper)
    return linalg_cholesky_ex(factor, _from_array(info.reshape(tuple(A.shape[:-2]))))


def _positive_definite(m: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return False
    return True


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> tuple:  # noqa: N803
    """``(result, info)`` of ``solve``; info is 0 for every invertible A.

    Raises:
        LinAlgError: a singular matrix with ``check_errors``.
        NotImplementedError: a singular matrix without it (ember computes no LAPACK info).
    """
    try:
        result = solve(A, B, left=left)
    except LinAlgError:
        if check_errors:
            raise
        raise NotImplementedError("linalg.solve_ex: ember cannot report LAPACK's info for a "
                                  "singular matrix; use check_errors=True") from None
    return linalg_solve_ex(result, _creation.zeros(*A.shape[:-2], dtype=int32))


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,  # noqa: N803
                     unitriangular: bool = False) -> Tensor:
    """X with ``A X = B`` (``X A = B`` when not ``left``) reading only A's triangle."""
    _square_check("solve_triangular", A)
    if B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           f"dimensions, but got {B.ndim}")
    tri = A.triu() if upper else A.tril()
    if unitriangular:
        tri = where(const(np.eye(A.shape[-1], dtype=bool)), 1.0, tri)
    return solve(tri, B, left=left)


# ======================================================================== products


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices; the first may be a row vector, the last a column."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            kind = "first" if i == 0 else "last" if i == len(tensors) - 1 else "middle"
            raise RuntimeError(f"multi_dot(): the {kind} tensor must be "
                               f"{'1D or 2D' if len(allowed) == 2 else '2D'} but got "
                               f"{t.ndim}D")
    out = tensors[0]
    for t in tensors[1:]:
        out = out @ t
    return out


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot product of vectors along ``dim`` (broadcasting the rest)."""
    return (x * y).sum(dim)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (broadcasting the rest)."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. "
                           f"Got {input.ndim} and {other.ndim}")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    # (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0): rolls of the components
    return (input.roll(-1, dim) * other.roll(1, dim)
            - input.roll(1, dim) * other.roll(-1, dim))


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """The diagonal of each matrix (``A.diagonal`` with linalg's defaults)."""
    return A.diagonal(offset, dim1, dim2)


def householder_product(A: Tensor, tau: Tensor) -> Tensor:  # noqa: N803
    """The first n columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_iᵀ`` with ``v_i`` column
    i of A below the diagonal and 1 on it (LAPACK's orgqr)."""
    _matrix_check("householder_product", A)
    m, n = A.shape[-2], A.shape[-1]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater "
                           "than or equal to input.shape[-1]")
    if k > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater "
                           "than or equal to tau.shape[-1]")
    unit = np.eye(m, n, dtype=bool)
    vectors = where(const(unit), 1.0, A.tril(-1))
    eye = np.broadcast_to(np.eye(m, dtype=A._data.dtype), tuple(A.shape[:-2]) + (m, m))
    q = _from_array(eye.copy())
    for i in range(k):
        v = vectors[..., :, i:i + 1]
        q = q - (q @ v) * tau[..., i:i + 1].unsqueeze(-1) @ v.transpose(-2, -1)
    return q[..., :, :n]


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:  # noqa: N803
    """The inverse of A seen as a map from its last dims to its first ``ind`` dims."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows = math.prod(A.shape[:ind])
    cols = math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inv(A.reshape(rows, cols)).reshape(tuple(A.shape[ind:]) + tuple(A.shape[:ind]))


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:  # noqa: N803
    """X with ``tensordot(A, X, X.ndim) = B``; ``dims`` of A move to the end first."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        rest = [d for d in range(A.ndim) if d not in dims]
        A = A.permute(*(rest + dims))
    x_shape = tuple(A.shape[B.ndim:])
    rows = math.prod(B.shape)
    if math.prod(x_shape) != rows:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(result.shape) == "
                           f"prod(other.shape), but got {math.prod(x_shape)} != {rows}")
    return solve(A.reshape(rows, rows), B.reshape(rows)).reshape(x_shape)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803
    """Columns ``x**0, x**1, ..., x**(N-1)`` (increasing powers, as linalg.vander)."""
    if x.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = x.shape[-1] if N is None else N
    if n < 1:
        raise RuntimeError("N must be greater than 1.")
    ones = x.new_ones(tuple(x.shape) + (1,))
    if n == 1:
        return ones
    powers = x.unsqueeze(-1).expand(*x.shape, n - 1).cumprod(-1)
    return cat([ones, powers], -1)
