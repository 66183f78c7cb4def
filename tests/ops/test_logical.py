"""Logical and bitwise ops (ops/logical.py) against PyTorch: dtypes and errors."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import check_parity

INTS, F, B = [1, 2], [1.0, 2.0], [True, False]


def test_logical_ops_need_tensors():
    for name in ("logical_and", "logical_or", "logical_xor"):
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.tensor(B), True))
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.tensor(B), None))
        check_parity(lambda lib, name=name: getattr(lib, name)(lib.tensor(F), lib.tensor(INTS)))


@pytest.mark.parametrize("name,op", [("bitwise_and", "&"), ("bitwise_or", "|"),
                                     ("bitwise_xor", "^")])
def test_bitwise_ops_promote_and_refuse_floats(name, op):
    check_parity(lambda lib: getattr(lib, name)(lib.tensor([1], dtype=lib.int32),
                                                lib.tensor(-1)))
    check_parity(lambda lib: getattr(lib, name)(lib.tensor(INTS), 2.5))  # NotImplementedError
    check_parity(lambda lib: getattr(lib, name)(lib.tensor(F), lib.tensor(INTS)))
    check_parity(lambda lib: getattr(lib, name)(2, lib.tensor(INTS)))
    check_parity(lambda lib: eval(f"t {op} np.int64(3)", {"t": lib.tensor(INTS), "np": np}))
    check_parity(lambda lib: eval(f"2 {op} t", {"t": lib.tensor(INTS)}))


def test_invert_operator_is_a_type_error_for_floats_and_bitwise_not_not_implemented():
    check_parity(lambda lib: ~lib.tensor(F))
    check_parity(lambda lib: lib.bitwise_not(lib.tensor(F)))
    check_parity(lambda lib: ~lib.tensor(B))
    check_parity(lambda lib: ~lib.tensor(INTS))


def test_bitwise_with_a_python_bool_keeps_the_tensor_dtype():
    check_parity(lambda lib: lib.bitwise_and(lib.ones(3, dtype=lib.uint8), False))
    check_parity(lambda lib: lib.ones(3, dtype=lib.int32) ^ True)
