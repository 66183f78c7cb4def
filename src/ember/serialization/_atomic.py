"""Atomic, tidy file writes: a checkpoint at a path is either the old one or the new one.

The data goes to a temporary file in the destination's directory (same filesystem, so the final
``os.replace`` is an atomic rename), is fsynced, then renamed over the path, and the directory is
fsynced so the rename survives a power cut. Any failure removes the temporary file.

A process killed with SIGKILL cannot clean up, so temporary names carry the writer's pid:
``.<name>.<pid>.<random>.ember-tmp``. The next save to the same path removes those whose process
is gone. The final file gets the mode a plain ``open(path, "w")`` would give: an existing file's
mode is kept; a new file gets 0o666 minus the umask (the kernel applies it at creation).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import threading
from collections.abc import Iterator
from typing import BinaryIO

_SUFFIX = ".ember-tmp"
_active: set[str] = set()  # temporaries this process is writing right now
_active_lock = threading.Lock()


def _temp_pattern(base: str) -> re.Pattern:
    return re.compile(re.escape(f".{base}.") + r"(\d+)\.[0-9a-f]+" + re.escape(_SUFFIX) + "$")


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process (or cannot tell): leave its file alone
    return True


def remove_stale_temporaries(directory: str, base: str) -> list[str]:
    """Remove temporaries of earlier saves to ``directory/base`` whose writer is gone."""
    pattern = _temp_pattern(base)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        path = os.path.join(directory, name)
        pid = int(match.group(1))
        with _active_lock:
            mine_and_live = path in _active
        stale = not mine_and_live if pid == os.getpid() else not _process_alive(pid)
        if stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                removed.append(path)
    return removed


def _open_temporary(directory: str, base: str) -> tuple[int, str]:
    while True:
        name = f".{base}.{os.getpid()}.{secrets.token_hex(4)}{_SUFFIX}"
        path = os.path.join(directory, name)
        try:
            # 0o666 and O_EXCL: the kernel applies the umask, as for a plain open(path, "w")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
        except FileExistsError:
            continue
        return fd, path


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str) -> Iterator[BinaryIO]:
    """Yield a binary file whose content replaces ``path`` only if the block succeeds."""
    target = os.path.realpath(path)  # write through a symlink, as open() would
    directory, base = os.path.split(target)
    remove_stale_temporaries(directory, base)
    try:
        existing_mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        existing_mode = None
    fd, tmp = _open_temporary(directory, base)
    with _active_lock:
        _active.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            if existing_mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), existing_mode)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        with _active_lock:
            _active.discard(tmp)
    _fsync_directory(directory)
