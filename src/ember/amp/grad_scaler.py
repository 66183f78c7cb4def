"""``GradScaler``: dynamic loss scaling, with PyTorch's scale sequence and step skipping.

Low-precision gradients underflow to zero; multiplying the loss by a large scale before
backward keeps them representable. The scaler then divides the gradients by the scale
(``unscale_``), skips the optimizer step when any gradient is inf/NaN (the scale was too
large), and adapts the scale: halved (``backoff_factor``) after an overflow, doubled
(``growth_factor``) after ``growth_interval`` clean steps in a row. The scale and its
arithmetic are float32, as PyTorch's, so the sequence of scales is bit-identical.
"""

from __future__ import annotations

import warnings
from enum import Enum

import numpy as np

from .._core import Tensor, _from_array


class _State(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state() -> dict:
    return {"stage": _State.READY, "found_inf": None}


class GradScaler:
    """Scale the loss, unscale the gradients, skip steps on overflow, adapt the scale.

    Args:
        device: ``"cpu"`` for a working scaler; ``"cuda"`` (PyTorch's default) warns and
            disables itself, as PyTorch does on a machine without CUDA.
        init_scale: the first scale.
        growth_factor: multiplies the scale after ``growth_interval`` steps without inf/NaN.
        backoff_factor: multiplies the scale after a step with inf/NaN gradients.
        growth_interval: clean steps needed before the scale grows.
        enabled: False makes every method a pass-through (``scale`` returns its input).
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise ValueError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise ValueError("The backoff factor must be < 1.0.")
        self._init_scale = init_scale
        self._scale = None  # float32 array of shape (), created by the first scale()
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        self._growth_tracker = None
        self._per_optimizer: dict = {}

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False for a disabled or CUDA scaler)."""
        return self._enabled

    def _lazy_init(self) -> None:
        self._scale = np.array(self._init_scale, dtype=np.float32)
        self._growth_tracker = self._init_growth_tracker

    def _require_scale(self, funcname: str) -> None:
        if self._scale is None:
            raise AssertionError(  # PyTorch's type for this misuse
                f"Attempted {funcname} but _scale is None.  This may indicate your script did "
                "not use scaler.scale(loss or outputs) earlier in the iteration."
            )

    def _state(self, optimizer) -> dict:
        state = self._per_optimizer.get(id(optimizer))
        if state is None or state["optimizer"] is not optimizer:
            state = self._per_optimizer[id(optimizer)] = _fresh_state()
            state["optimizer"] = optimizer  # keeps the id valid until update()
        return state

    # ---------------------------------------------------------------- the loop's calls
    def scale(self, outputs):
        """``outputs * scale`` (a tensor, or any nesting of lists/tuples of tensors)."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._lazy_init()
        factor = _from_array(self._scale)
        if isinstance(outputs, Tensor):
            return outputs * factor
        if isinstance(outputs, (list, tuple)):
            scaled = [self.scale(o) for o in outputs]
            return type(outputs)(scaled) if isinstance(outputs, tuple) else scaled
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        """Divide the optimizer's gradients by the scale in place, noting any inf/NaN.

        Raises:
            RuntimeError: called twice, or after ``step``, before ``update``.
            ValueError: a float16 gradient (PyTorch refuses to unscale those too).
        """
        if not self._enabled:
            return
        self._require_scale("unscale_")
        state = self._state(optimizer)
        if state["stage"] is _State.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] is _State.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # the reciprocal in float64, rounded to float32 (as PyTorch's double().reciprocal())
        inv_scale = np.float32(1.0 / np.float64(self._scale))
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if g._data.dtype == np.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                data = g._data
                if not np.isfinite(data).all():
                    found = True
                # multiply in float32 (the scale's dtype), store in the gradient's dtype
                np.copyto(data, (data.astype(np.float32) * inv_scale).astype(data.dtype))
                g._bump_version()
        state["found_inf"] = found
        state["stage"] = _State.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)`` unless a gradient was inf/NaN (then None).

        Unscales first if ``unscale_`` was not called this iteration.
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._require_scale("step")
        state = self._state(optimizer)
        if state["stage"] is _State.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _State.READY:
            self.unscale_(optimizer)
        retval = None
        if not state["found_inf"]:
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = _State.STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Adapt the scale (backoff after inf/NaN, growth after enough clean steps).

        Args:
            new_scale: a float or one-element tensor to set the scale to instead.
        """
        if not self._enabled:
            return
        self._require_scale("update")
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                if new_scale.numel() != 1:
                    raise ValueError("new_scale should be a float or a 1-element tensor.")
                value = new_scale._data.reshape(())
            else:
                value = new_scale
            self._scale = np.array(value, dtype=np.float32)
        else:
            found = [s["found_inf"] for s in self._per_optimizer.values()
                     if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                self._scale = (self._scale * np.float32(self._backoff_factor)).astype(np.float32)
                self._growth_tracker = 0
            else:
                successful = self._growth_tracker + 1
                if successful == self._growth_interval:
                    grown = (self._scale * np.float32(self._growth_factor)).astype(np.float32)
                    if np.isfinite(grown):
                        self._scale = grown
                    self._growth_tracker = 0
                else:
                    self._growth_tracker = successful
        self._per_optimizer = {}

    # ---------------------------------------------------------------- accessors
    def get_scale(self) -> float:
        """The current scale (``init_scale`` before the first ``scale``; 1.0 if disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale)

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else \
            self._growth_tracker

    def state_dict(self) -> dict:
        """PyTorch's keys: scale, growth/backoff factors, interval, growth tracker ({} if off)."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._get_growth_tracker(),
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a ``state_dict`` (ignored by a disabled scaler, as PyTorch).

        Raises:
            RuntimeError: an empty dict (saved from a disabled scaler).
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = np.array(state_dict["scale"], dtype=np.float32)
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = state_dict["_growth_tracker"]
