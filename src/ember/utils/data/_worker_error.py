"""An exception raised in a worker, carried to the main process and raised there again.

The traceback object cannot cross a process boundary, so its text travels instead: the main
process raises the original exception type with a message holding the worker's formatted
traceback ("Caught ValueError in DataLoader worker process 1. Original Traceback ..."), as
PyTorch does. Types that cannot be rebuilt from one message argument become RuntimeError.
"""

from __future__ import annotations

import pickle
import sys
import traceback


class _KeyErrorMessage(str):
    """KeyError shows repr() of its argument; this str's repr is itself, keeping newlines."""

    __slots__ = ()

    def __repr__(self) -> str:
        return self


class WorkerError:
    """The exception being handled, as a picklable (type, traceback text, where)."""

    def __init__(self, where: str) -> None:
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.type_name = exc_type.__name__
        self.text = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where
        try:  # the type travels by reference: one the main process cannot import is lost
            pickle.dumps(exc_type)
        except Exception:
            self.exc_type = RuntimeError

    def reraise(self):
        """Raise the worker's exception type, its message holding the worker's traceback."""
        message = f"Caught {self.type_name} {self.where}.\nOriginal {self.text}"
        if self.exc_type is KeyError:
            message = _KeyErrorMessage(message)
        try:
            exception = self.exc_type(message)
        except Exception:
            raise RuntimeError(message) from None
        raise exception
