"""Random sampling from tensors: draws in the autograd graph, ``multinomial``, ``bernoulli``,
and the random in-place fills (``uniform_``, ``normal_``, ``bernoulli_``)."""

from __future__ import annotations

import numpy as np

from .. import _dtype
from .._core import Tensor, _from_array
from .._grad_mode import state as _grad_state
from .._random import rng
from ..autograd.function import Op


class Sampled(Op):
    """A sample drawn from distribution parameters: in their graph with zero gradients (a
    draw does not move smoothly with its parameters), as PyTorch's ``normal``."""

    def name(self) -> str:
        return "NormalBackward3"

    @staticmethod
    def forward(ctx, sample, *params):
        return sample

    @staticmethod
    def backward(ctx, g):
        zero = g * 0
        return (None,) + tuple(zero if need else None for need in ctx.needs_input_grad[1:])


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """Category indices drawn from the (unnormalised) weights in each row of ``input``.

    Args:
        input: non-negative float weights, 1-D (one distribution) or 2-D (one per row).
        num_samples: draws per distribution.
        replacement: draw with replacement; without it the categories of a row are distinct.
        generator: the random generator (the default one if None).

    Returns:
        An int64 tensor of shape ``(num_samples,)`` or ``(rows, num_samples)``.

    Raises:
        RuntimeError: integer weights, wrong rank, negative/non-finite weights, a row summing
            to 0, or more samples than categories without replacement (PyTorch's messages).
    """
    w = input._data
    if w.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtype.scalar_type_name(input.dtype)}")
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = w.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rows = w.reshape(-1, n_cat).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    total = rows.sum(axis=1, keepdims=True)
    if (total <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    gen = rng(generator)
    if replacement:  # inverse CDF per row
        cdf = np.cumsum(rows / total, axis=1)
        u = gen.random((rows.shape[0], num_samples))
        out = np.stack([np.searchsorted(c, x, side="right") for c, x in zip(cdf, u, strict=True)])
        out = np.minimum(out, n_cat - 1)  # u just below 1 with a cdf rounding to under 1
    else:  # exponential race: the smallest Exp(1)/w are a weighted draw without replacement
        with np.errstate(divide="ignore"):
            keys = gen.exponential(size=rows.shape) / rows
        out = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    return _from_array(out.astype(np.int64).reshape(w.shape[:-1] + (num_samples,)))


def bernoulli(input, p=None, *, generator=None) -> Tensor:
    """0/1 draws with probability ``input`` (or the scalar ``p``), in ``input``'s dtype."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    draws = rng(generator).random(input._data.shape) < probs
    return _from_array(draws.astype(input._data.dtype))


def _write_without_grad(t: Tensor, values) -> Tensor:
    """Random fills are initialisers: allowed on leaves only under no_grad, like PyTorch."""
    if _grad_state.enabled and t._requires_grad and t._grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    t._data[...] = values
    t._bump_version()
    return t


def uniform_(input: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``input`` with draws from U(a, b), in place."""
    return _write_without_grad(input, rng(generator).uniform(a, b, input._data.shape))


def normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``input`` with draws from N(mean, std^2), in place."""
    return _write_without_grad(input, rng(generator).normal(mean, std, input._data.shape))


def bernoulli_(input: Tensor, p: float = 0.5, *, generator=None) -> Tensor:
    """Fill ``input`` with 0/1 draws that are 1 with probability ``p``, in place."""
    return _write_without_grad(input, rng(generator).random(input._data.shape) < p)
