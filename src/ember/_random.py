"""Random number generation: one global generator (``manual_seed``) plus ``Generator`` objects."""

from __future__ import annotations

import numpy as np


class Generator:
    """A seeded source of random numbers, as ``torch.Generator`` (CPU only)."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        return self.manual_seed(np.random.SeedSequence().entropy % (2**63)).initial_seed()

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state) -> Generator:
        self._rng.bit_generator.state = state
        return self

    @property
    def device(self) -> str:
        return "cpu"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator, making ember's random functions reproducible."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state) -> None:
    default_generator.set_state(state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    return (generator or default_generator)._rng
