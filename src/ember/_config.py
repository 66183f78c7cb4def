"""Process-wide switches scripts set at the top: threads, determinism, matmul precision.

ember's kernels are NumPy's, which are deterministic and always float32-exact, so the
determinism and precision switches are recorded (and read back) without changing results.
"""

from __future__ import annotations

import os
import warnings

_state = {"threads": os.cpu_count() or 1, "deterministic": False, "warn_only": False,
          "matmul_precision": "highest"}


def get_num_threads() -> int:
    """The thread count last set by ``set_num_threads`` (the CPU count by default)."""
    return _state["threads"]


def set_num_threads(n: int) -> None:
    """Limit the BLAS threads (through threadpoolctl when installed) and record ``n``."""
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _state["threads"] = int(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=int(n), user_api="blas")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the determinism flag; ember's NumPy kernels are deterministic either way.

    Args:
        mode: the value ``are_deterministic_algorithms_enabled`` will report.
        warn_only: recorded for compatibility; never used.
    """
    _state["deterministic"] = bool(mode)
    _state["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """The flag last set by ``use_deterministic_algorithms``."""
    return _state["deterministic"]


def set_float32_matmul_precision(precision: str) -> None:
    """Record ``precision``; results are unchanged (NumPy always computes full float32).

    An unknown value warns and is ignored, as in PyTorch.
    """
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the "
                      "set_float32_matmul_precision call has no effect.", stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The precision last set (``"highest"`` by default)."""
    return _state["matmul_precision"]
