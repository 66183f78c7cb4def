"""CosineSimilarity and PairwiseDistance (and their functionals): parity with PyTorch."""

from __future__ import annotations

import numpy as np

import ember.nn as enn
from helpers import torch

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
