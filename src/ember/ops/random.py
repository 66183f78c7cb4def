"""Random sampling inside the autograd graph."""

from __future__ import annotations

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
