"""Random number generation: one global generator (``manual_seed``) plus ``Generator`` objects."""

from __future__ import annotations

import numpy as np


class Generator:
    """A seeded source of random numbers, as ``torch.Generator`` (CPU only)."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns self.

        A negative seed is taken modulo 2**64, as PyTorch's 64-bit unsigned seed.

        Raises:
            ValueError: ``seed`` outside ``[-2**63, 2**64)``.
        """
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise ValueError(f"Overflow when unpacking long long: manual_seed({seed})")
        self._seed = seed % 2**64
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from OS entropy and return the new seed."""
        return self.manual_seed(np.random.SeedSequence().entropy % (2**63)).initial_seed()

    def initial_seed(self) -> int:
        """The seed the current stream started from."""
        return self._seed

    def get_state(self):
        """A snapshot of the state: NumPy's bit-generator dict, not PyTorch's ByteTensor."""
        return self._rng.bit_generator.state

    def set_state(self, state) -> Generator:
        """Restore a snapshot taken by ``get_state``; returns self."""
        self._rng.bit_generator.state = state
        return self

    @property
    def device(self) -> str:
        """Always ``"cpu"``."""
        return "cpu"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator, making ember's random functions reproducible."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the global generator from OS entropy and return the new seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator's current stream started from."""
    return default_generator.initial_seed()


def get_rng_state():
    """The global generator's state (a NumPy bit-generator dict, not a ByteTensor)."""
    return default_generator.get_state()


def set_rng_state(state) -> None:
    """Restore the global generator from a ``get_rng_state`` snapshot."""
    default_generator.set_state(state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator``, or behind the global one if None."""
    return (generator or default_generator)._rng
