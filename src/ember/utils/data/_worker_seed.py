"""Per-worker seeds, derived from one base seed as PyTorch derives them.

The main process draws one int64 ``base_seed`` per iterator (from the loader's generator, or
the global one). Worker ``i`` seeds Python's ``random`` and ember's global generator with
``base_seed + i``, and NumPy's legacy global generator with four 32-bit words hashed from
``(base_seed, i)`` by the SeedSequence-style mixer PyTorch uses (``_generate_state``), so two
workers never share an augmentation stream and NumPy's stream is not Python's. The words are
PyTorch's for the same ``(base_seed, i)``.
"""

from __future__ import annotations

import random

import numpy as np

from ..._random import manual_seed

_MASK32 = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_SHIFT = 16


def numpy_seed_words(base_seed: int, worker_id: int) -> list[int]:
    """Four uint32 words for ``np.random.seed``: O'Neill's seed_seq hash of the pair."""
    entropy = [worker_id, base_seed & _MASK32, base_seed >> 32, 0]
    hash_mult = _INIT_A

    def hashed(value: int) -> int:
        nonlocal hash_mult
        value = (value ^ hash_mult) & _MASK32
        hash_mult = (hash_mult * _MULT_A) & _MASK32
        value = (value * hash_mult) & _MASK32
        return value ^ (value >> _SHIFT)

    def mixed(x: int, y: int) -> int:
        value = ((_MIX_L * x) - (_MIX_R * y)) & _MASK32
        return value ^ (value >> _SHIFT)

    pool = [hashed(word) for word in entropy]
    for src in range(4):  # every word feeds every other, so late entropy reaches all words
        for dst in range(4):
            if src != dst:
                pool[dst] = mixed(pool[dst], hashed(pool[src]))
    out_mult = _INIT_B
    words = []
    for value in pool:
        value ^= out_mult
        out_mult = (out_mult * _MULT_B) & _MASK32
        value = (value * out_mult) & _MASK32
        words.append(value ^ (value >> _SHIFT))
    return words


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Reseed Python's, NumPy's and ember's global generators for one worker; its seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(numpy_seed_words(base_seed, worker_id))
    return seed
