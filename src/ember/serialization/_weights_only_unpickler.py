"""The ``weights_only=True`` unpickler: a pickle interpreter that can only build data.

Python's own unpickler will call any global a pickle names. This one interprets the binary
pickle opcodes itself (protocols 2-5) and resolves a global only if it is on an allow-list:
PyTorch's tensor and storage rebuilds (mapped to ember's), dtypes, ``Size``, ``OrderedDict``,
builtin containers and scalars, and whatever the user allows with ``add_safe_globals`` /
``safe_globals``. Calls (REDUCE, NEWOBJ) and state-setting (BUILD) are restricted to those
objects, so no code from the file can run.

Every length in the stream is checked against the bytes that remain before anything is
allocated, so a hostile pickle can fail only with ``pickle.UnpicklingError``.
"""

from __future__ import annotations

import pickle
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import BinaryIO

from ..nn.parameter import Parameter
from ..tensor import Tensor
from ._errors import FormatError
from ._rebuild import DEFAULT_SAFE_GLOBALS, rebuild_parameter

# ---------------------------------------------------------------------- user allow-list
_user_globals: dict[str, object] = {}
_scoped = threading.local()  # stack of dicts from active ``safe_globals`` blocks


def _full_name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _entries(globals_: Iterable) -> dict[str, object]:
    out = {}
    for item in globals_:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
            obj, name = item
        else:
            obj, name = item, None
        if name is None:
            if not hasattr(obj, "__module__") or not hasattr(obj, "__qualname__"):
                raise TypeError(f"add_safe_globals: {obj!r} has no __module__/__qualname__; "
                                "pass (obj, 'module.name') instead")
            name = _full_name(obj)
        out[name] = obj
    return out


def add_safe_globals(safe_globals: list[Callable | tuple[Callable, str]]) -> None:
    """Allow ``weights_only`` loads to use these globals (classes, functions).

    Args:
        safe_globals: objects, or ``(object, "module.qualname")`` pairs when the name in the
            checkpoint differs from the object's own ``__module__.__qualname__``.
    """
    _user_globals.update(_entries(safe_globals))


def get_safe_globals() -> list[Callable | tuple[Callable, str]]:
    """The globals allowed by ``add_safe_globals`` (and active ``safe_globals`` blocks)."""
    out = []
    for name, obj in allowed_user_globals().items():
        has_name = hasattr(obj, "__module__") and hasattr(obj, "__qualname__")
        out.append(obj if has_name and _full_name(obj) == name else (obj, name))
    return out


def clear_safe_globals() -> None:
    """Forget every global allowed with ``add_safe_globals``."""
    _user_globals.clear()


class safe_globals:  # noqa: N801 - PyTorch's name
    """Context manager allowing ``safe_globals`` for ``weights_only`` loads in its block.

    Args:
        safe_globals: as for ``add_safe_globals``.
    """

    def __init__(self, safe_globals: list[Callable | tuple[Callable, str]]) -> None:
        self._entries = _entries(safe_globals)

    def __enter__(self) -> safe_globals:
        if not hasattr(_scoped, "stack"):
            _scoped.stack = []
        _scoped.stack.append(self._entries)
        return self

    def __exit__(self, *exc) -> None:
        _scoped.stack.remove(self._entries)


def allowed_user_globals() -> dict[str, object]:
    merged = dict(_user_globals)
    for entries in getattr(_scoped, "stack", ()):
        merged.update(entries)
    return merged


# ---------------------------------------------------------------------- the interpreter
class _Mark:
    pass


_MARK = _Mark()


class RefusedGlobal(pickle.UnpicklingError):
    """A global that is not on the allow-list (the message explains how to allow it)."""


def _refusal(full_name: str) -> str:
    return (f"the checkpoint names the global `{full_name}`, which is not allowed with "
            "weights_only=True. If (and only if) you trust the file's source, either load it "
            "with weights_only=False (which can run arbitrary code from the file), or allow "
            f"this global with `ember.serialization.add_safe_globals([{full_name}])` or within "
            f"`with ember.serialization.safe_globals([{full_name}]):`.")


class WeightsOnlyUnpickler:
    """Interpret one pickle from ``fh`` (at most ``limit`` bytes of it)."""

    def __init__(self, fh: BinaryIO, limit: int, persistent_load: Callable,
                 encoding: str = "ASCII") -> None:
        self._fh = fh
        self._left = limit
        self._persistent_load = persistent_load
        self._encoding = encoding
        self._allowed = {**DEFAULT_SAFE_GLOBALS, **allowed_user_globals()}
        self._allowed_ids = {id(v) for v in self._allowed.values()}
        self._user_types = {id(v) for v in allowed_user_globals().values()
                            if isinstance(v, type)}

    def _read(self, n: int) -> bytes:
        if n > self._left:
            raise pickle.UnpicklingError(f"the pickle is truncated (an item of {n} bytes, "
                                         f"{self._left} left)")
        data = self._fh.read(n)
        if len(data) != n:
            raise pickle.UnpicklingError("the pickle is truncated")
        self._left -= n
        return data

    def _readline(self) -> bytes:
        line = bytearray()
        while True:
            c = self._read(1)
            if c == b"\n":
                return bytes(line)
            line += c
            if len(line) > 1024:
                raise pickle.UnpicklingError("an over-long name in a GLOBAL opcode")

    def _uint(self, n: int) -> int:
        return int.from_bytes(self._read(n), "little")

    def _resolve(self, module: str, name: str):
        if module == "__builtin__":  # protocol-2 pickles use Python 2's module name
            module = "builtins"
        full = f"{module}.{name}"
        if full in self._allowed:
            return self._allowed[full]
        raise RefusedGlobal(_refusal(full))

    def load(self):
        stack: list = []
        marks: list[int] = []
        memo: dict[int, object] = {}

        def pop_mark() -> list:
            if not marks:
                raise pickle.UnpicklingError("a MARK is missing")
            start = marks.pop()
            items = stack[start:]
            del stack[start:]
            return items

        while True:
            op = self._read(1)
            if op == b".":  # STOP
                if len(stack) != 1 or marks:
                    raise pickle.UnpicklingError("the pickle ends with a malformed stack")
                return stack[0]
            if op == b"\x80":  # PROTO
                if self._uint(1) > 5:
                    raise pickle.UnpicklingError("unsupported pickle protocol")
            elif op == b"\x95":  # FRAME: a hint only
                self._uint(8)
            elif op == b"(":
                marks.append(len(stack))
            elif op == b"0":
                stack.pop()
            elif op == b"1":
                pop_mark()
            elif op == b"2":
                stack.append(stack[-1])
            elif op == b"N":
                stack.append(None)
            elif op == b"\x88":
                stack.append(True)
            elif op == b"\x89":
                stack.append(False)
            elif op == b"J":
                stack.append(struct.unpack("<i", self._read(4))[0])
            elif op == b"K":
                stack.append(self._uint(1))
            elif op == b"M":
                stack.append(self._uint(2))
            elif op == b"\x8a":
                stack.append(int.from_bytes(self._read(self._uint(1)), "little", signed=True))
            elif op == b"\x8b":
                stack.append(int.from_bytes(self._read(self._uint(4)), "little", signed=True))
            elif op == b"G":
                stack.append(struct.unpack(">d", self._read(8))[0])
            elif op in (b"X", b"\x8c", b"\x8d"):
                n = self._uint({b"X": 4, b"\x8c": 1, b"\x8d": 8}[op])
                stack.append(self._read(n).decode("utf-8", "surrogatepass"))
            elif op in (b"B", b"C", b"\x8e", b"\x96"):
                n = self._uint({b"B": 4, b"C": 1, b"\x8e": 8, b"\x96": 8}[op])
                data = self._read(n)
                stack.append(bytearray(data) if op == b"\x96" else data)
            elif op in (b"T", b"U"):  # Python 2 str
                n = self._uint(4 if op == b"T" else 1)
                data = self._read(n)
                stack.append(data if self._encoding == "bytes" else data.decode(self._encoding))
            elif op == b"]":
                stack.append([])
            elif op == b"l":
                stack.append(pop_mark())
            elif op == b"a":
                item = stack.pop()
                self._list(stack[-1]).append(item)
            elif op == b"e":
                items = pop_mark()
                self._list(stack[-1]).extend(items)
            elif op == b")":
                stack.append(())
            elif op == b"t":
                stack.append(tuple(pop_mark()))
            elif op in (b"\x85", b"\x86", b"\x87"):
                n = op[0] - 0x84
                if len(stack) < n:
                    raise pickle.UnpicklingError("stack underflow")
                items = tuple(stack[len(stack) - n:])
                del stack[len(stack) - n:]
                stack.append(items)
            elif op == b"}":
                stack.append({})
            elif op == b"d":
                items = pop_mark()
                stack.append(dict(zip(items[::2], items[1::2])))
            elif op == b"s":
                value = stack.pop()
                key = stack.pop()
                self._dict(stack[-1])[key] = value
            elif op == b"u":
                items = pop_mark()
                target = self._dict(stack[-1])
                for i in range(0, len(items) - 1, 2):
                    target[items[i]] = items[i + 1]
            elif op == b"\x8f":
                stack.append(set())
            elif op == b"\x90":
                items = pop_mark()
                if not isinstance(stack[-1], set):
                    raise pickle.UnpicklingError("ADDITEMS on a non-set")
                stack[-1].update(items)
            elif op == b"\x91":
                stack.append(frozenset(pop_mark()))
            elif op == b"c":
                module = self._readline().decode("ascii")
                name = self._readline().decode("ascii")
                stack.append(self._resolve(module, name))
            elif op == b"\x93":
                name = stack.pop()
                module = stack.pop()
                if not isinstance(module, str) or not isinstance(name, str):
                    raise pickle.UnpicklingError("STACK_GLOBAL needs two strings")
                stack.append(self._resolve(module, name))
            elif op == b"R":
                args = stack.pop()
                func = stack.pop()
                stack.append(self._call(func, args))
            elif op == b"\x81":  # NEWOBJ
                args = stack.pop()
                cls = stack.pop()
                stack.append(self._new(cls, args, {}))
            elif op == b"\x92":  # NEWOBJ_EX
                kwargs = stack.pop()
                args = stack.pop()
                cls = stack.pop()
                if not isinstance(kwargs, dict):
                    raise pickle.UnpicklingError("NEWOBJ_EX keyword arguments are not a dict")
                stack.append(self._new(cls, args, kwargs))
            elif op == b"b":
                state = stack.pop()
                self._build(stack[-1], state)
            elif op == b"Q":
                stack.append(self._persistent_load(stack.pop()))
            elif op in (b"h", b"j"):
                key = self._uint(1 if op == b"h" else 4)
                if key not in memo:
                    raise pickle.UnpicklingError(f"memo key {key} is undefined")
                stack.append(memo[key])
            elif op in (b"q", b"r"):
                memo[self._uint(1 if op == b"q" else 4)] = stack[-1]
            elif op == b"\x94":
                memo[len(memo)] = stack[-1]
            else:
                raise pickle.UnpicklingError(
                    f"unsupported pickle opcode {op!r} for a weights-only load")

    @staticmethod
    def _list(target) -> list:
        if type(target) is not list:
            raise pickle.UnpicklingError(f"APPEND on a {type(target).__name__}")
        return target

    @staticmethod
    def _dict(target) -> dict:
        if not isinstance(target, dict):
            raise pickle.UnpicklingError(f"SETITEM on a {type(target).__name__}")
        return target

    def _check_allowed(self, obj, what: str) -> None:
        if id(obj) not in self._allowed_ids:
            raise pickle.UnpicklingError(f"{what} of a {type(obj).__name__}, which is not an "
                                         "allowed global")

    def _call(self, func, args):
        self._check_allowed(func, "a call")
        if not isinstance(args, tuple):
            raise pickle.UnpicklingError("REDUCE arguments are not a tuple")
        if isinstance(func, type) and issubclass(func, Tensor):
            return self._tensor_class(func, args, {})
        return func(*args)

    @staticmethod
    def _tensor_class(cls, args, kwargs):
        """Only ``Parameter(tensor, requires_grad)`` (``Tensor(10**12)`` would allocate)."""
        if cls is Parameter and not kwargs and 1 <= len(args) <= 2:
            return rebuild_parameter(args[0], args[1] if len(args) == 2 else True, None)
        raise pickle.UnpicklingError(f"constructing a {cls.__name__} directly is refused")

    def _new(self, cls, args, kwargs):
        self._check_allowed(cls, "NEWOBJ")
        if not isinstance(cls, type) or not isinstance(args, tuple):
            raise pickle.UnpicklingError("NEWOBJ needs a class and a tuple")
        if issubclass(cls, Tensor):
            return self._tensor_class(cls, args, kwargs)
        return cls.__new__(cls, *args, **kwargs)

    def _build(self, inst, state) -> None:
        """BUILD: set state on an allowed kind of object only."""
        if type(inst) in (OrderedDict, dict) or isinstance(inst, Tensor):
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            for part in (state, slots):
                if part is None:
                    continue
                if not isinstance(part, dict):
                    raise pickle.UnpicklingError("BUILD state is not a dict")
                for key, value in part.items():
                    if not isinstance(key, str) or key.startswith("__") or (
                            isinstance(inst, Tensor)
                            and (key.startswith("_") or hasattr(type(inst), key))):
                        raise pickle.UnpicklingError(f"BUILD sets the attribute {key!r}, which "
                                                     "is refused")
                    setattr(inst, key, value)
            return
        if id(type(inst)) in self._user_types:
            setstate = getattr(type(inst), "__setstate__", None)
            if setstate is not None and setstate is not getattr(object, "__setstate__", None):
                inst.__setstate__(state)
                return
            slots = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slots = state
            if state:
                inst.__dict__.update(state)
            for key, value in (slots or {}).items():
                setattr(inst, key, value)
            return
        raise pickle.UnpicklingError(f"BUILD on a {type(inst).__name__}, which is not an allowed "
                                     "type")


def weights_only_load(fh: BinaryIO, limit: int, persistent_load: Callable, encoding: str):
    """Unpickle one object; refusals and malformed pickles raise ``pickle.UnpicklingError``
    (FormatError from the rebuild functions passes through)."""
    try:
        return WeightsOnlyUnpickler(fh, limit, persistent_load, encoding).load()
    except (pickle.UnpicklingError, FormatError):
        raise
    except (IndexError, KeyError, TypeError, ValueError, AttributeError, UnicodeError,
            RecursionError, OverflowError, struct.error) as e:
        raise pickle.UnpicklingError(f"a malformed pickle ({type(e).__name__}: {e})") from None

