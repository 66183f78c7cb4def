"""``ember.backends.cuda``: CUDA's math flags (``matmul.allow_tf32``...), stored; no CUDA here."""

from __future__ import annotations

from types import SimpleNamespace

__all__ = ["is_built", "matmul", "flash_sdp_enabled", "enable_flash_sdp",
           "mem_efficient_sdp_enabled", "enable_mem_efficient_sdp", "math_sdp_enabled",
           "enable_math_sdp"]

# nanoGPT and others write ``torch.backends.cuda.matmul.allow_tf32 = True`` unconditionally
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)

_sdp = {"flash": True, "mem_efficient": True, "math": True}


def is_built() -> bool:
    """Always False: ember is not built with CUDA."""
    return False


def flash_sdp_enabled() -> bool:
    """The stored flag (the kernel it selects exists only on CUDA)."""
    return _sdp["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """Store the flag; it selects a CUDA kernel, so nothing changes on the CPU."""
    _sdp["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    """The stored flag (the kernel it selects exists only on CUDA)."""
    return _sdp["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Store the flag; it selects a CUDA kernel, so nothing changes on the CPU."""
    _sdp["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    """The stored flag."""
    return _sdp["math"]


def enable_math_sdp(enabled: bool) -> None:
    """Store the flag (ember's CPU attention is always the math kernel)."""
    _sdp["math"] = bool(enabled)
