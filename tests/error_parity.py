"""``raises_like_torch``: bad input raises PyTorch's exception type, with a message naming it."""

from __future__ import annotations

import pytest

import ember

torch = pytest.importorskip("torch")


def raises_like_torch(call, *mentions: str) -> Exception:
    """``call(torch)`` raises; ``call(ember)`` raises the same type, its message naming each of
    ``mentions`` (the argument, its value or shape). Returns ember's exception."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(Exception) as got:
        call(ember)
    assert type(got.value) is type(expected.value), (got.value, expected.value)
    for text in mentions:
        assert text in str(got.value), f"{text!r} not in {str(got.value)!r}"
    return got.value
