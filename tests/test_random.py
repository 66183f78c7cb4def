"""ember/_random.py: the global generator (manual_seed, seed, initial_seed, rng state) and
``Generator`` objects, as torch's."""

from __future__ import annotations

import ember
from helpers import torch


def test_different_seeds_give_different_values():
    ember.manual_seed(1)
    a = ember.rand(10)
    ember.manual_seed(2)
    assert a.tolist() != ember.rand(10).tolist()


def test_generator_argument_is_independent_of_global_seed():
    g = ember.Generator().manual_seed(5)
    a = ember.randn(4, generator=g)
    g.manual_seed(5)
    ember.randn(3)
    assert ember.randn(4, generator=g).tolist() == a.tolist()


def test_initial_seed_is_the_manual_seed_as_torch():
    for lib in (ember, torch):
        generator = lib.manual_seed(1234)
        assert lib.initial_seed() == 1234
        assert isinstance(generator, lib.Generator) and generator.initial_seed() == 1234


def test_seed_reseeds_and_returns_the_new_initial_seed():
    new = ember.seed()
    assert isinstance(new, int) and ember.initial_seed() == new
    a = ember.rand(5)
    ember.manual_seed(new)
    assert ember.rand(5).tolist() == a.tolist()


def test_rng_state_round_trip_repeats_the_draws():
    ember.manual_seed(7)
    ember.rand(3)
    state = ember.get_rng_state()
    a = ember.randn(6)
    ember.rand(10)
    ember.set_rng_state(state)
    assert ember.randn(6).tolist() == a.tolist()


def test_generator_state_round_trip_leaves_the_global_stream_alone():
    g = ember.Generator().manual_seed(3)
    state = g.get_state()
    a = ember.rand(4, generator=g)
    ember.manual_seed(0)
    b = ember.rand(4)
    assert g.set_state(state) is g
    assert ember.rand(4, generator=g).tolist() == a.tolist()
    ember.manual_seed(0)
    assert ember.rand(4).tolist() == b.tolist()
