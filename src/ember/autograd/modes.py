"""Engine switches whose CPU behaviour is PyTorch's: multithreaded backward, view replay.

PyTorch's multithreading switch decides whether backward runs device work on per-device
threads; a CPU graph runs on the calling thread either way, as ember's engine always does, so
the switch changes nothing here but the flag it reports. View replay (re-running view ops
instead of ``as_strided`` in backward) is off by default in PyTorch, and ember never uses
``as_strided``, so it reports off.
"""

from __future__ import annotations

import functools
import threading

_engine = {"multithreading": True}
_lock = threading.Lock()


def is_multithreading_enabled() -> bool:
    """Whether backward may use device threads (True by default, as PyTorch)."""
    return _engine["multithreading"]


class set_multithreading_enabled:  # noqa: N801 - PyTorch's name
    """Set the multithreaded-backward flag now; restore it when used as a context manager
    exits. Also a decorator (the flag is set around each call)."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        with _lock:
            self.prev = _engine["multithreading"]
            _engine["multithreading"] = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> bool:
        _engine["multithreading"] = self.prev
        return False

    def clone(self) -> set_multithreading_enabled:
        return set_multithreading_enabled(self.mode)

    def __call__(self, func):
        _engine["multithreading"] = self.prev  # as a decorator the flag changes per call only

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper


def is_view_replay_enabled() -> bool:
    """Whether backward replays views instead of using ``as_strided`` (False, as PyTorch's
    default; ember has no ``as_strided`` path to replace)."""
    return False


def variable(*args, **kwargs):
    """``torch.autograd.variable``: removed by PyTorch, kept to say so.

    Raises:
        RuntimeError: always; use ``ember.tensor(...)``.
    """
    raise RuntimeError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) "
                       "instead")
