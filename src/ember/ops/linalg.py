"""Linear algebra: matmul (every rank case of PyTorch's), mm, bmm, mv, dot, outer, einsum."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor


class MatMul(Op):
    save_inputs = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        return np.matmul(a, b)

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
            gb = matmul(a.mT, g)
        return ga, gb


def matmul(input, other) -> Tensor:
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
                "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same "
                "number of elements, but got {} and {} elements respectively".format(
                    a.shape[0], b.shape[0], a.shape[0], b.shape[0])
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
    return MatMul.apply(input, other)


def _fmt(shape) -> str:
    if len(shape) == 1:
        return f"1x{shape[0]}"
    return "x".join(str(s) for s in (int(np.prod(shape[:-1])), shape[-1]))


def mm(input, mat2) -> Tensor:
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(
            f"mm: expected 2D tensors, got {input.ndim}D and {mat2.ndim}D "
            f"(shapes {tuple(input.shape)} and {tuple(mat2.shape)})"
        )
    return matmul(input, mat2)


def bmm(input, mat2) -> Tensor:
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


def mv(input, vec) -> Tensor:
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}"
        )
    return matmul(input, vec)


def dot(input, other) -> Tensor:
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors"
        )
    return matmul(input, other)


inner = dot


def outer(input, vec2) -> Tensor:
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer
