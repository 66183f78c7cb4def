"""Checkpoints: ``ember.save`` / ``ember.load`` in PyTorch's own file format, safe by default.

``ember.save`` writes what ``torch.save`` writes (a zip archive of a pickle plus one raw record
per storage), so ``torch.load`` reads ember's checkpoints and ``ember.load`` reads PyTorch's,
including its legacy format, ember's earlier format, ``.safetensors``, ``.npz`` and ``.npy``.
Loading is weights-only by default: pickles are interpreted with an allow-list
(``add_safe_globals`` / ``safe_globals`` extend it). docs/FORMAT.md describes the formats.

Modules: ``_save``/``_load`` (entry points), ``_torch_zip``/``_legacy``/``_ember_v1``/
``_numpy_formats``/``_safetensors`` (formats), ``_pickler`` (writing tensors as PyTorch does),
``_rebuild`` (reading them back), ``_weights_only_unpickler``/``_full_unpickler``,
``_zip_writer``/``_zip_reader``, ``_atomic`` (tidy atomic writes), ``_dtypes`` (the dtype table).
"""

from ._inspect import get_unsafe_globals_in_checkpoint
from ._load import load
from ._save import DEFAULT_PROTOCOL, save
from ._weights_only_unpickler import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    safe_globals,
)

__all__ = ["DEFAULT_PROTOCOL", "add_safe_globals", "clear_safe_globals", "get_safe_globals",
           "get_unsafe_globals_in_checkpoint", "load", "safe_globals", "save"]
