"""The ``weights_only=False`` unpickler: Python's own, for files the user trusts.

It can build any object (a whole saved ``nn.Module``, for example), which means a hostile file
can run code: ember uses it only when asked, as PyTorch does. PyTorch's global names are
translated: the tensor and storage rebuilds to ember's (``_rebuild``), and any other
``torch.X`` to ember's ``ember.X`` where ember has it (``torch.nn.modules.linear.Linear`` ->
``ember.nn.modules.linear.Linear``).
"""

from __future__ import annotations

import importlib
import pickle
from collections.abc import Callable
from typing import BinaryIO

from ._rebuild import TORCH_GLOBALS


def _ember_equivalent(module: str, name: str):
    target = "ember" + module[len("torch"):]
    try:
        obj = importlib.import_module(target)
        for part in name.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"the file refers to `{module}.{name}`, which ember does "
                                     f"not provide (looked for `{target}.{name}`)") from None
    return obj


def full_load(fh: BinaryIO, persistent_load: Callable, pickle_module=None, **load_args):
    """Unpickle one object from ``fh`` with ``pickle_module``'s Unpickler (default pickle)."""
    base = (pickle_module or pickle).Unpickler

    class Unpickler(base):
        def find_class(self, module, name):
            full = f"{module}.{name}"
            if full in TORCH_GLOBALS:
                return TORCH_GLOBALS[full]
            if module == "torch" or module.startswith("torch."):
                return _ember_equivalent(module, name)
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return persistent_load(pid)

    return Unpickler(fh, **load_args).load()
