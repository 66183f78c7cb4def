"""safetensors files with the ``safetensors.torch`` API: ``save_file``, ``load_file``, ``save``,
``load``. The format is written and parsed by ember itself (``ember.serialization``), so no
extra package is needed; files interoperate with the ``safetensors`` package both ways.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping

from ..serialization import _safetensors
from ..serialization._atomic import atomic_write
from ..serialization._errors import FormatError, cannot_load
from ..tensor import Tensor, _check_device

__all__ = ["load", "load_file", "save", "save_file"]


def save(tensors: Mapping[str, Tensor], metadata: Mapping[str, str] | None = None) -> bytes:
    """The safetensors file for ``tensors`` as bytes.

    Raises:
        ValueError: a tensor is not contiguous.
        RuntimeError: two tensors share memory (save copies).
        TypeError: ``tensors`` or ``metadata`` has the wrong types, or a dtype safetensors lacks.
    """
    buf = io.BytesIO()
    _safetensors.write(buf, tensors, metadata)
    return buf.getvalue()


def save_file(tensors: Mapping[str, Tensor], filename, metadata: Mapping[str, str] | None = None
              ) -> None:
    """Write ``tensors`` (name -> contiguous Tensor) to ``filename`` (atomically).

    Args:
        tensors: the tensors; none may share memory with another.
        filename: the path to write.
        metadata: optional ``__metadata__`` (str -> str).

    Raises:
        As ``save``.
    """
    head, arrays = _safetensors.serialize(tensors, metadata)
    with atomic_write(os.fspath(filename)) as fh:
        fh.write(head)
        for arr in arrays:
            fh.write(memoryview(arr.reshape(-1).view("uint8")))


def _read(fh, size: int, name: str) -> dict[str, Tensor]:
    try:
        return _safetensors.read(fh, size)
    except FormatError as e:
        raise cannot_load(name, str(e)) from None


def load_file(filename, device="cpu") -> dict[str, Tensor]:
    """Read a safetensors file into name -> Tensor.

    Raises:
        FileNotFoundError: no such file.
        RuntimeError: the file is truncated, corrupted or holds a dtype ember lacks; or
            ``device`` is not the CPU.
    """
    _check_device(device)
    path = os.fspath(filename)
    with open(path, "rb") as fh:
        return _read(fh, os.fstat(fh.fileno()).st_size, path)


def load(data: bytes) -> dict[str, Tensor]:
    """Parse safetensors bytes into name -> Tensor (errors as ``load_file``)."""
    return _read(io.BytesIO(data), len(data), "<bytes>")
