"""CosineSimilarity and PairwiseDistance (and their functionals): parity with PyTorch."""

from __future__ import annotations

import numpy as np

import ember.nn as enn
from helpers import check_op, gradcheck64, torch

from ._parity import function_parity

RNG = np.random.default_rng(0)


def f32(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, shape).astype(np.float32)


def test_distance_modules_match_pytorch():
    function_parity(lambda a, b: enn.CosineSimilarity()(a, b),
                    lambda a, b: torch.nn.CosineSimilarity()(a, b),
                    [f32(4, 5), f32(4, 5)], grad_idx=(0, 1))
    function_parity(lambda a, b: enn.CosineSimilarity(dim=0)(a, b),
                    lambda a, b: torch.nn.CosineSimilarity(dim=0)(a, b),
                    [f32(4, 5), f32(1, 5)], grad_idx=(0, 1))
    function_parity(lambda a, b: enn.PairwiseDistance()(a, b),
                    lambda a, b: torch.nn.PairwiseDistance()(a, b),
                    [f32(4, 5), f32(4, 5)], grad_idx=(0, 1))
    function_parity(lambda a, b: enn.PairwiseDistance(p=1.0, keepdim=True)(a, b),
                    lambda a, b: torch.nn.PairwiseDistance(p=1.0, keepdim=True)(a, b),
                    [f32(4, 5), f32(4, 5)], grad_idx=(0, 1))


def test_cosine_similarity_of_a_zero_vector_has_pytorchs_finite_gradient():
    zero_rows = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    other = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    check_op(None, lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b),
             arrays=[zero_rows, other], rtol=1e-6)


def test_cosine_similarity_gradchecks_with_the_floored_norm():
    gradcheck64(lambda a, b: enn.functional.cosine_similarity(a, b), [(3, 4), (3, 4)])
