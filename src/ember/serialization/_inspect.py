"""``get_unsafe_globals_in_checkpoint``: which globals a checkpoint's pickles name that a
weights-only load would refuse, found by reading the opcodes without executing any."""

from __future__ import annotations

import io
import os
import pickletools
from typing import BinaryIO

from ._errors import FormatError, cannot_load
from ._legacy import SIGNATURE
from ._rebuild import DEFAULT_SAFE_GLOBALS
from ._torch_zip import find_prefix
from ._weights_only_unpickler import allowed_user_globals
from ._zip_reader import ZipReader

_STRINGS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING",
            "BINSTRING", "STRING"}


def _globals_in(fh: BinaryIO) -> list[str]:
    """The globals one pickle names (GLOBAL, and STACK_GLOBAL from its two strings)."""
    names: list[str] = []
    memo: dict[int, object] = {}
    recent: list[object] = []
    for opcode, arg, _ in pickletools.genops(fh):
        if opcode.name == "STOP":
            break
        value = None
        if opcode.name in ("GLOBAL", "INST"):
            module, name = arg.split(" ", 1)
            names.append(f"{module}.{name}")
        elif opcode.name == "STACK_GLOBAL" and len(recent) >= 2:
            names.append(f"{recent[-2]}.{recent[-1]}")
        elif opcode.name in _STRINGS:
            value = arg
        elif opcode.name in ("BINGET", "LONG_BINGET", "GET"):
            value = memo.get(arg)
        elif opcode.name in ("BINPUT", "LONG_BINPUT", "PUT", "MEMOIZE"):
            memo[len(memo) if opcode.name == "MEMOIZE" else arg] = recent[-1] if recent else None
            continue
        recent = (recent + [value])[-2:]
    return names


def get_unsafe_globals_in_checkpoint(f) -> list[str]:
    """The ``module.name`` globals in checkpoint ``f`` that ``ember.load(f)`` (weights-only)
    would refuse, given the default allow-list and ``add_safe_globals``.

    Args:
        f: a path or a seekable binary file object.

    Raises:
        RuntimeError: ``f`` is not a checkpoint whose pickles can be scanned.
    """
    if hasattr(f, "read"):
        return _scan(f, str(getattr(f, "name", None) or "<file object>"))
    path = os.fspath(f)
    with open(path, "rb") as fh:
        return _scan(fh, path)


def _scan(fh: BinaryIO, name: str) -> list[str]:
    allowed = set(DEFAULT_SAFE_GLOBALS) | set(allowed_user_globals())
    try:
        start = fh.tell()
        end = fh.seek(0, io.SEEK_END)
        fh.seek(start)
        head = fh.read(len(SIGNATURE))
        fh.seek(start)
        found: list[str] = []
        if head.startswith(b"PK"):
            reader = ZipReader(fh, end)
            prefix = find_prefix(reader)
            if prefix is None:
                return []
            record = reader.records[prefix + "data.pkl"]
            reader.require_stored(record)
            found = _globals_in(io.BytesIO(reader.read_bytes(record)))
        elif head == SIGNATURE:
            for _ in range(5):  # magic, protocol, system info, object, storage keys
                found += _globals_in(fh)
        else:
            return []
    except FormatError as e:
        raise cannot_load(name, str(e)) from None
    except (ValueError, EOFError, UnicodeDecodeError, OverflowError, MemoryError) as e:
        raise cannot_load(name, f"a malformed pickle ({type(e).__name__})") from None
    out = []
    for full in found:
        full = "builtins" + full[len("__builtin__"):] if full.startswith("__builtin__.") else full
        if full not in allowed and full not in out:
            out.append(full)
    return out
