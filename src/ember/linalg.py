"""``ember.linalg``: norms and products under PyTorch's linalg names."""

from __future__ import annotations

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
from .tensor import _wrap_dim


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
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} (needs an SVD) is not "
                                  "supported by ember")
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
