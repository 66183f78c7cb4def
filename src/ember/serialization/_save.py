"""``ember.save``: PyTorch's file format, whatever the path's extension says."""

from __future__ import annotations

import os
import pickle
from typing import Any, BinaryIO

from . import _legacy, _torch_zip
from ._atomic import atomic_write

DEFAULT_PROTOCOL = 2  # as torch.save


def _archive_name(path: str) -> str:
    """The archive's top-level folder: the file's stem, as PyTorch names it."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return stem if stem and stem.isascii() and stem.isprintable() else "archive"


def save(obj: Any, f, pickle_module: Any = pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` in PyTorch's checkpoint format, which ``torch.load`` reads.

    Tensors, Parameters, dtypes and ``Size`` are written as PyTorch writes its own, so a
    state_dict, an optimizer's state_dict or any nest of dicts/lists/tuples/numbers/strings
    around them loads with ``torch.load(f)`` (weights-only). Other objects (a whole
    ``nn.Module``) are pickled as is and need ``ember.load(f, weights_only=False)``.

    Args:
        obj: what to save.
        f: a path (written atomically: a temporary file in the same directory, fsynced, then
            renamed over ``f``) or a writable binary file object. The extension does not
            matter: ``.safetensors`` paths get PyTorch's format too (use
            ``ember.utils.safetensors.save_file`` for safetensors).
        pickle_module: Python's ``pickle`` (the only one supported).
        pickle_protocol: the pickle protocol, 2 (PyTorch's default) to 5.
        _use_new_zipfile_serialization: False writes PyTorch's legacy (pre-1.6) format.
        _disable_byteorder_record: leave out the ``byteorder`` record (as PyTorch's flag).

    Raises:
        NotImplementedError: a ``pickle_module`` other than ``pickle``.
        ValueError: an unsupported ``pickle_protocol``.
        pickle.PicklingError, TypeError, AttributeError: ``obj`` cannot be pickled (nothing
            is written then).
    """
    if pickle_module is not None and pickle_module is not pickle:
        module = getattr(pickle_module, "__name__", pickle_module)
        raise NotImplementedError(f"ember.save pickles with Python's pickle module only; "
                                  f"pickle_module={module} is not supported")
    if type(pickle_protocol) is not int or not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"pickle_protocol must be an int from 2 to {pickle.HIGHEST_PROTOCOL}, "
                         f"got {pickle_protocol!r}")
    if _use_new_zipfile_serialization:
        pickled, table = _torch_zip.encode(obj, pickle_protocol)

        def write(fh: BinaryIO, name: str) -> None:
            _torch_zip.write(fh, pickled, table, name, not _disable_byteorder_record)
    else:
        pickled, table = _legacy.encode(obj, pickle_protocol)

        def write(fh: BinaryIO, name: str) -> None:
            _legacy.write(fh, pickled, table)

    if hasattr(f, "write"):
        write(f, "archive")
        return
    path = os.fspath(f)
    with atomic_write(path) as fh:
        write(fh, _archive_name(path))
