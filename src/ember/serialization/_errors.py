"""The one internal exception of this package and how ``load`` reports it."""

from __future__ import annotations


class FormatError(Exception):
    """A problem inside a file (truncated, corrupted, hostile, unsupported).

    Raised deep in the readers without the file's name; ``ember.load`` re-raises it as a
    ``RuntimeError`` that names the file.
    """


def cannot_load(name: str, detail: str) -> RuntimeError:
    """The RuntimeError every damaged or unsupported file ends in."""
    return RuntimeError(f"ember.load: cannot load {name!r}: {detail}")
