"""Thread-local grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode.

Function.apply reads ``state.enabled`` on every op, so it is a plain attribute of a
``threading.local`` (each thread starts with grad enabled, as in PyTorch).
"""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled = True
        self.inference = False


state = _State()


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for autograd in this thread."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode()`` block is active in this thread."""
    return state.inference


class _ModeContext:
    """Base for the mode switches: a context manager that also decorates functions."""

    def _enter(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self._saved = (state.enabled, state.inference)
        self._enter()
        return None

    def __exit__(self, *exc) -> bool:
        state.enabled, state.inference = self._saved
        return False

    def clone(self):
        return self.__class__()

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args, **kwargs):
                gen = func(*args, **kwargs)
                # re-enter around each resumption so the mode never leaks into the caller
                with self.clone():
                    value = next(gen)
                while True:
                    try:
                        with self.clone():
                            sent = yield value
                        with self.clone():
                            value = gen.send(sent)
                    except StopIteration:
                        return

            return generator

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_ModeContext):  # noqa: N801 - PyTorch's name
    """Disable gradient recording: ops build no graph and save nothing for backward."""

    def _enter(self) -> None:
        state.enabled = False


class enable_grad(_ModeContext):  # noqa: N801
    """Re-enable gradient recording, e.g. inside a ``no_grad`` block."""

    def _enter(self) -> None:
        state.enabled = True


class set_grad_enabled(_ModeContext):  # noqa: N801
    """Set grad mode; takes effect immediately, so it also works as a plain call."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._saved = (state.enabled, state.inference)
        state.enabled = self.mode

    def __enter__(self):
        return None

    def _enter(self) -> None:
        state.enabled = self.mode

    def clone(self):
        """A fresh context with the same mode, for reuse as a decorator."""
        # constructing switches the mode; undo that until the clone is entered
        prev = state.enabled
        other = set_grad_enabled(self.mode)
        state.enabled = prev
        return _Deferred(other)

    def __call__(self, func):
        # used as a decorator: the constructor already switched the mode, undo it
        state.enabled, state.inference = self._saved
        return super().__call__(func)


class _Deferred(_ModeContext):
    """A set_grad_enabled whose switch happens on entry (for decorators)."""

    def __init__(self, inner: set_grad_enabled) -> None:
        self.mode = inner.mode

    def _enter(self) -> None:
        state.enabled = self.mode

    def clone(self):
        return _Deferred(self)


class inference_mode(_ModeContext):  # noqa: N801
    """Like no_grad, and tensors made inside are marked as inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def _enter(self) -> None:
        if self.mode:
            state.enabled = False
            state.inference = True

    def clone(self):
        """A fresh context with the same mode, for reuse as a decorator."""
        return inference_mode(self.mode)

    def __call__(self, func):
        if isinstance(func, bool):
            return inference_mode(func)
        return super().__call__(func)
