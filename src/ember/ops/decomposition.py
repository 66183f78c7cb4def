"""Spectral decompositions with gradients: eigh, svd, qr, matrix_exp.

Forward is NumPy's LAPACK; backward is PyTorch's formula written in ember ops (so it is itself
differentiable). ember's ``Op`` has one output, so a decomposition returns its factors packed
into one array along the last axis and the public function slices them apart: the slices'
gradients land in the packed gradient, zeros for factors the loss does not use (which in these
formulas is the same as PyTorch's "undefined" gradient).
"""

from __future__ import annotations

import math

import numpy as np

from .._core import Tensor
from ..autograd.function import Op
from ._util import const
from .linalg import _mT, inv
from .shape import cat


def _eye_like(t: Tensor, n: int) -> Tensor:
    return const(np.eye(n, dtype=t._data.dtype))


def _diag_embed(v: Tensor) -> Tensor:
    """(..., n) -> (..., n, n) with v on the diagonal."""
    return v.unsqueeze(-1) * _eye_like(v, v.shape[-1])


def _with_diagonal(m: Tensor, value: float) -> Tensor:
    """m with its diagonal replaced by ``value`` (selection, so an inf off it stays an inf)."""
    n = m.shape[-1]
    eye = np.eye(n, dtype=bool)
    return m.masked_fill(const(eye), value)


# ======================================================================== eigh


class Eigh(Op):
    """Packed ``[L; V]`` of shape (..., n + 1, n): eigenvalues ascending, then eigenvectors."""

    save_output = True

    @staticmethod
    def forward(ctx, a, *, uplo):
        values, vectors = np.linalg.eigh(a, UPLO=uplo)
        return np.concatenate([values[..., None, :], vectors], axis=-2).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        # gA = V (VᵀgV / E + diag(gL)) Vᵀ with E_ij = L_j - L_i (the quotient's diagonal
        # replaced by gL), symmetrised as PyTorch does (only symmetric perturbations exist)
        (out,) = ctx.saved_tensors
        values, vectors = out[..., 0, :], out[..., 1:, :]
        g_values, g_vectors = g[..., 0, :], g[..., 1:, :]
        gaps = _with_diagonal(values.unsqueeze(-2) - values.unsqueeze(-1), 1.0)
        inner = _with_diagonal(_mT(vectors) @ g_vectors / gaps, 0.0) + _diag_embed(g_values)
        ga = vectors @ inner @ _mT(vectors)
        return 0.5 * (ga + _mT(ga))


def eigh(a: Tensor, uplo: str = "L") -> tuple[Tensor, Tensor]:
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices."""
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    packed = Eigh.apply(a, uplo=uplo)
    return packed[..., 0, :], packed[..., 1:, :]


# ======================================================================== svd


def _skew(x: Tensor) -> Tensor:
    return x - _mT(x)


class Svd(Op):
    """Packed ``U | S | Vh`` flattened along the last axis (reduced: k = min(m, n) columns)."""

    save_output = True

    @staticmethod
    def forward(ctx, a, *, full_matrices):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        ctx.shapes = (u.shape[-2:], s.shape[-1:], vh.shape[-2:])
        lead = a.shape[:-2]
        parts = [u.reshape(lead + (-1,)), s, vh.reshape(lead + (-1,))]
        return np.concatenate(parts, axis=-1).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        u, s, vh = unpack_svd(out, ctx.shapes)
        gu, gs, gvh = unpack_svd(g, ctx.shapes)
        m, n = u.shape[-2], vh.shape[-1]
        k = s.shape[-1]
        # full_matrices: only the first k columns of U and rows of Vh carry gradient
        u, gu = u[..., :, :k], gu[..., :, :k]
        vh, gvh = vh[..., :k, :], gvh[..., :k, :]
        # PyTorch's svd_backward (real case)
        s2 = s * s
        gaps = _with_diagonal(s2.unsqueeze(-2) - s2.unsqueeze(-1), 1.0)
        uhgu = _skew(_mT(u) @ gu)
        vhgv = _skew(vh @ _mT(gvh))
        ga = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / gaps
        ga = _with_diagonal(ga, 0.0) + _diag_embed(gs)
        if m > k:
            ga = u @ ga
            gu_sinv = gu / s.unsqueeze(-2)
            ga = (ga + gu_sinv - u @ (_mT(u) @ gu_sinv)) @ vh
        elif n > k:
            ga = ga @ vh
            gvh_sinv = gvh / s.unsqueeze(-1)
            ga = u @ (ga + gvh_sinv - (gvh_sinv @ _mT(vh)) @ vh)
        else:
            ga = u @ ga @ vh
        return ga


def unpack_svd(packed: Tensor, shapes: tuple) -> tuple[Tensor, Tensor, Tensor]:
    (m, ku), (k,), (kv, n) = shapes
    lead = tuple(packed.shape[:-1])
    u = packed[..., :m * ku].reshape(lead + (m, ku))
    s = packed[..., m * ku:m * ku + k]
    vh = packed[..., m * ku + k:].reshape(lead + (kv, n))
    return u, s, vh


def svd(a: Tensor, full_matrices: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """``U, S, Vh`` with ``A = U diag(S) Vh``; S descending."""
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    shapes = (((m, m) if full_matrices else (m, k)), (k,),
              ((n, n) if full_matrices else (k, n)))
    return unpack_svd(Svd.apply(a, full_matrices=full_matrices), shapes)


# ======================================================================== qr


def _copyltu(m: Tensor) -> Tensor:
    """The symmetric matrix whose lower triangle is m's."""
    low = m.tril(-1)
    return low + _mT(low) + _diag_embed(m.diagonal(dim1=-2, dim2=-1))


def _qr_grad_tall(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) -> Tensor:
    """Gradient of A = QR for m >= n (reduced): (gQ + Q copyltu(M)) R^{-T}, M = R gRᵀ - gQᵀ Q."""
    m_ = r @ _mT(gr) - _mT(gq) @ q
    return (gq + q @ _copyltu(m_)) @ _mT(inv(r))


class Qr(Op):
    """Packed ``Q | R`` flattened along the last axis."""

    save_output = True

    @staticmethod
    def forward(ctx, a, *, mode):
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        ctx.shapes = (q.shape[-2:], r.shape[-2:])
        ctx.mode = mode
        lead = a.shape[:-2]
        return np.concatenate([q.reshape(lead + (-1,)), r.reshape(lead + (-1,))],
                              axis=-1).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        q, r = unpack_qr(out, ctx.shapes)
        gq, gr = unpack_qr(g, ctx.shapes)
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_grad_tall(q, r, gq, gr)
        # wide: A = Q [R1 R2]; the left square block follows the tall rule with gQ + Y gR2ᵀ
        y = q @ r[..., :, m:]
        gx = _qr_grad_tall(q, r[..., :, :m], gq + y @ _mT(gr[..., :, m:]), gr[..., :, :m])
        return cat([gx, q @ gr[..., :, m:]], -1)


def unpack_qr(packed: Tensor, shapes: tuple) -> tuple[Tensor, Tensor]:
    (m, kq), (kr, n) = shapes
    lead = tuple(packed.shape[:-1])
    return (packed[..., :m * kq].reshape(lead + (m, kq)),
            packed[..., m * kq:].reshape(lead + (kr, n)))


def qr(a: Tensor, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    """``Q, R`` with ``A = QR`` (mode 'reduced', 'complete', or 'r': Q empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    shapes = (((m, m) if mode == "complete" else (m, k)), ((m if mode == "complete" else k), n))
    q, r = unpack_qr(Qr.apply(a, mode=mode), shapes)
    if mode == "r":
        q = q.reshape(-1)[:0]  # PyTorch returns an empty 1-D Q
    return q, r


# ======================================================================== matrix_exp


def _expm(a: np.ndarray) -> np.ndarray:
    """exp of each matrix: scaling and squaring around a degree-18 Taylor polynomial."""
    norm = np.abs(a).sum(-2).max(-1) if a.size else np.zeros(a.shape[:-2])
    squarings = int(max(0, math.ceil(math.log2(max(float(np.max(norm, initial=0.0)), 1e-300)))
                        + 1)) if a.size else 0
    x = a / (2.0 ** squarings)
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    out = eye.copy()
    term = eye.copy()
    for k in range(1, 19):
        term = term @ x / k
        out = out + term
    for _ in range(squarings):
        out = out @ out
    return out


class MatrixExp(Op):
    """``exp(A)``; its gradient is the top-right block of exp([[Aᵀ, G], [0, Aᵀ]]) (Mathias)."""

    save_inputs = (0,)

    @staticmethod
    def forward(ctx, a):
        return _expm(a.astype(np.float64)).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = _mT(a)
        zeros = const(np.zeros(tuple(g.shape), g._data.dtype))
        block = cat([cat([at, g], -1), cat([zeros, at], -1)], -2)
        return matrix_exp(block)[..., :n, n:]


def matrix_exp(a: Tensor) -> Tensor:
    """The matrix exponential of each square matrix."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError("linalg.matrix_exp: Expected a square matrix or batch of square "
                           f"matrices, but got a tensor of shape {list(a.shape)}")
    return MatrixExp.apply(a)


__all__ = ["eigh", "svd", "qr", "matrix_exp"]
