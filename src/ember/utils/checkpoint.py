"""``ember.utils.checkpoint``: activation checkpointing, without the memory saving.

Checkpointing trades compute for memory by recomputing a segment's activations in backward.
ember keeps them instead: results and gradients are exactly those of the plain call, so
scripts that checkpoint their blocks run unchanged (with the memory of the plain call).
"""

from __future__ import annotations


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=None,
               determinism_check: str = "default", debug: bool = False,
               preserve_rng_state: bool = True, **kwargs):
    """``function(*args, **kwargs)``: same values and gradients as PyTorch's checkpoint."""
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Run a ``Sequential`` (or list of modules) on ``input``, as the checkpointed version."""
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    for fn in functions:
        input = fn(input)
    return input
