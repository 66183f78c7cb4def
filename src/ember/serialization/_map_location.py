"""``map_location`` as ``torch.load`` takes it, on a machine that has only a CPU.

Each storage in a PyTorch checkpoint records where it lived (``"cpu"``, ``"cuda:0"``...).
PyTorch restores it there unless ``map_location`` says otherwise (a device, a string, a dict
from saved to new locations, or a callable ``f(storage, location)``). Here every storage must
end on the CPU: one saved elsewhere without a mapping is refused, as PyTorch refuses CUDA
storages on a machine without CUDA.
"""

from __future__ import annotations

from collections.abc import Callable

from ..tensor import device
from ._errors import FormatError
from ._rebuild import Storage


def _is_cpu(location) -> bool:
    return str(location).split(":")[0] == "cpu"


def check_map_location(map_location) -> None:
    """Refuse a target that is not the CPU before reading anything."""
    if map_location is None or callable(map_location) and not isinstance(map_location, device):
        return
    if isinstance(map_location, dict):
        targets = map_location.values()
    elif isinstance(map_location, (str, device)):
        targets = [map_location]
    else:
        raise TypeError(f"map_location must be None, a str, a device, a dict or a callable, not "
                        f"{type(map_location).__name__}")
    for target in targets:
        if not _is_cpu(target):
            raise RuntimeError(f"ember runs on the CPU only; cannot map to {str(target)!r}")


def place(storage: Storage, location, map_location) -> Storage:
    """Apply ``map_location`` to a freshly read storage saved at ``location``."""
    if not isinstance(location, str):
        raise FormatError(f"a storage's location is a {type(location).__name__}, not a str")
    if isinstance(map_location, (str, device)):
        return storage
    if isinstance(map_location, dict):
        location = str(map_location.get(location, location))
    elif isinstance(map_location, Callable):
        result = map_location(storage, location)
        if result is not None:
            if not isinstance(result, Storage):
                raise TypeError(f"map_location returned a {type(result).__name__}, not a storage")
            return result
    if not _is_cpu(location):
        raise FormatError(f"it holds a storage saved on {location!r}; ember runs on the CPU "
                          "only: pass map_location='cpu' to load it there")
    return storage
