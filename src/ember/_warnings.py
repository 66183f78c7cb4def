"""Warnings that point at the user's line, however deep inside ember they are raised."""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_stacklevel() -> int:
    """The ``stacklevel`` of the first caller frame outside the ember package."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def warn_user(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the user's code that called into ember."""
    warnings.warn(message, category, stacklevel=user_stacklevel())


# NumPy's floating-point warnings, as its ufuncs word them
_NUMPY_FP_MESSAGE = r"(divide by zero|invalid value|overflow|underflow) encountered"


def silence_numpy_float_warnings() -> None:
    """Ignore NumPy's floating-point RuntimeWarnings raised by ember's own code.

    ``log(0)`` in a causal mask, ``1 / 0``, ``inf - inf``: PyTorch computes the IEEE result
    (``-inf``, ``inf``, ``nan``) and prints nothing; NumPy computes the same result and warns.
    The filter matches only warnings whose location is an ember module, so NumPy code of the
    user's own still warns; it costs nothing per op (an ``np.errstate`` around every kernel
    would), and a user's own ``warnings.simplefilter("error")`` still takes precedence.
    """
    warnings.filterwarnings("ignore", message=_NUMPY_FP_MESSAGE, category=RuntimeWarning,
                            module=r"ember(\.|$)")
