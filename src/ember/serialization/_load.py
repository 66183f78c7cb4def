"""``ember.load``: recognise a file by its content and read it with bounded work.

Formats: PyTorch's zip archives and its legacy stream (pickles, read by the weights-only
unpickler unless the user passes ``weights_only=False``), ember's earlier checkpoints,
``.safetensors``, ``.npz`` and ``.npy`` (none of which can hold code).

Every failure caused by the file's content ends in one of two exceptions that name the file:
``pickle.UnpicklingError`` when a weights-only load meets something it may not build, and
``RuntimeError`` for anything truncated, corrupted, hostile or unsupported.
"""

from __future__ import annotations

import io
import mmap as _mmap
import os
import pickle
from typing import Any, BinaryIO

from ..tensor import _from_array
from . import _ember_v1, _legacy, _safetensors, _torch_zip
from ._errors import FormatError, cannot_load
from ._full_unpickler import full_load
from ._map_location import check_map_location
from ._numpy_formats import MAGIC as NPY_MAGIC
from ._numpy_formats import read_npy_file, read_npz
from ._weights_only_unpickler import weights_only_load
from ._zip_reader import ZipReader

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def load(f, map_location=None, pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args) -> Any:
    """Load an object saved by ``ember.save`` or ``torch.save`` (or a ``.safetensors``,
    ``.npz`` or ``.npy`` file).

    Args:
        f: a path or a readable binary file object.
        map_location: as ``torch.load``: None, ``"cpu"``, a ``device``, a dict from saved
            locations to new ones, or a callable ``f(storage, location)``. Every storage must
            end on the CPU; one saved on ``"cuda:0"`` needs ``map_location="cpu"``.
        pickle_module: the module whose ``Unpickler`` reads pickles (weights_only=False only).
        weights_only: True (the default unless ``pickle_module`` is given) unpickles tensors,
            dtypes and plain containers only, plus globals allowed with
            ``ember.serialization.add_safe_globals``; False unpickles anything, which can run
            code from the file: use it only for files you trust.
        mmap: map storages from the file instead of reading them (PyTorch zip files opened by
            path or from a real file); writes to the tensors stay private (copy-on-write).
        pickle_load_args: passed to the unpickler (``encoding`` for Python 2 pickles).

    Returns:
        The saved object; ``.safetensors`` and ``.npz`` files load as dicts of tensors,
        ``.npy`` as a tensor.

    Raises:
        FileNotFoundError: (and other ``OSError``) the path cannot be opened.
        pickle.UnpicklingError: a weights-only load met a global it may not use (the message
            says how to allow it) or a malformed pickle.
        RuntimeError: the file is truncated, corrupted, hostile, of an unknown format, holds
            a dtype ember lacks, or needs a device other than the CPU.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("ember.load: weights_only=True cannot be combined with an explicit "
                           "pickle_module (it could not be trusted to stay safe)")
    if weights_only and set(pickle_load_args) - {"encoding"}:
        raise TypeError(f"ember.load: unexpected arguments {sorted(pickle_load_args)} for a "
                        "weights-only load")
    check_map_location(map_location)

    def unpickle(fh: BinaryIO, limit: int, persistent_load):
        if weights_only:
            return weights_only_load(fh, limit, persistent_load,
                                     pickle_load_args.get("encoding", "utf-8"))
        return full_load(fh, persistent_load, pickle_module,
                         **{"encoding": "utf-8", **pickle_load_args})

    if hasattr(f, "read"):
        name = str(getattr(f, "name", None) or "<file object>")
        if mmap:
            _check_fileno(f)
        seekable = getattr(f, "seekable", lambda: False)()
        fh = f if seekable else io.BytesIO(f.read())
        return _guarded(fh, name, unpickle, map_location, weights_only, mmap)
    path = os.fspath(f)
    with open(path, "rb") as fh:  # FileNotFoundError names the path
        return _guarded(fh, path, unpickle, map_location, weights_only, mmap)


def _guarded(fh, name, unpickle, map_location, weights_only, mmap):
    """Run the reader; turn every failure the file can cause into a documented exception."""
    try:
        return _dispatch(fh, unpickle, map_location, weights_only, mmap)
    except FormatError as e:
        raise cannot_load(name, str(e)) from None
    except pickle.UnpicklingError as e:
        how = "weights-only load" if weights_only else "load"
        raise pickle.UnpicklingError(f"ember.load: {how} of {name!r} failed: {e}") from None
    except Exception as e:  # e.g. MemoryError for a legitimately huge tensor: still named
        raise cannot_load(name, f"{type(e).__name__}: {e}") from e


def _dispatch(fh: BinaryIO, unpickle, map_location, weights_only: bool, mmap: bool | None):
    start = fh.tell()
    end = fh.seek(0, io.SEEK_END)
    fh.seek(start)
    size = end - start
    head = fh.read(512)
    fh.seek(start)
    if not head:
        raise FormatError("the file is empty")
    if head[:4] in _ZIP_MAGIC:
        reader = ZipReader(fh, end)
        prefix = _torch_zip.find_prefix(reader)
        if prefix is not None:
            if prefix + "constants.pkl" in reader.records:
                raise FormatError("a TorchScript archive (torch.jit.save); ember cannot load "
                                  "TorchScript programs")
            mapped = _map_file(fh) if mmap else None
            return _torch_zip.read(reader, prefix, unpickle, map_location, mapped)
        _refuse_mmap(mmap)
        if _ember_v1.MANIFEST in reader.records:
            return _ember_v1.read(reader)
        if reader.records and all(n.endswith(".npy") for n in reader.records):
            return {k: _from_array(v) for k, v in read_npz(reader).items()}
        raise FormatError("a ZIP archive that is neither a PyTorch checkpoint, an ember "
                          "checkpoint nor an .npz")
    _refuse_mmap(mmap)
    if head[:6] == NPY_MAGIC:
        return _from_array(read_npy_file(fh, size, "the .npy array"))
    if head[:1] == b"\x80":
        return _legacy.read(fh, size, unpickle, map_location, weights_only)
    if _safetensors.looks_like_safetensors(head):
        return _safetensors.read(fh, size)
    if head[257:262] == b"ustar":
        raise FormatError("PyTorch's tar checkpoint format (before 0.4) is not supported")
    raise FormatError("unrecognised format (expected a PyTorch or ember checkpoint, "
                      ".safetensors, .npz or .npy file)")


def _refuse_mmap(mmap: bool | None) -> None:
    if mmap:
        raise FormatError("mmap=True needs a file in PyTorch's zip format (torch.save / "
                          "ember.save with _use_new_zipfile_serialization=True)")


def _check_fileno(fh) -> int:
    try:
        return fh.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        raise ValueError("mmap=True needs a file path or a real file, not an in-memory "
                         "stream") from None


def _map_file(fh: BinaryIO) -> _mmap.mmap:
    """A private (copy-on-write) mapping of the whole file."""
    return _mmap.mmap(_check_fileno(fh), 0, access=_mmap.ACCESS_COPY)
