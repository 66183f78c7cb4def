"""Comparisons (ops/comparison.py) against PyTorch: promotion of the operands and errors."""

from __future__ import annotations

import numpy as np

import ember
from helpers import check_parity, torch


def test_comparisons_promote_numbers_like_any_binary_op():
    # issue 10 (fuzzer): torch compares a uint8 tensor with -8 wrapped to 248
    check_parity(lambda lib: lib.tensor([1], dtype=lib.uint8) < -8)
    check_parity(lambda lib: lib.tensor([1], dtype=lib.uint8) > -8)
    check_parity(lambda lib: lib.tensor([0.1, 0.2]) == 0.1)
    check_parity(lambda lib: lib.eq(lib.tensor([1, 2], dtype=lib.int32), np.float64(1.0)))
    check_parity(lambda lib: lib.tensor([1.5]) >= lib.tensor(1, dtype=lib.int64))


def test_comparison_functions_need_a_tensor_first():
    check_parity(lambda lib: lib.eq(2, lib.tensor([1.0, 2.0])))
    check_parity(lambda lib: lib.gt(np.float16(0.5), lib.tensor([1.0])))

    assert (ember.tensor([1.0]) == None) is (torch.tensor([1.0]) == None) is False  # noqa: E711
