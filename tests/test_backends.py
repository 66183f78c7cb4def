"""``ember.backends``: the cudnn/mps/cuda flags scripts set behave as on CPU-only torch."""

from __future__ import annotations

import importlib

import ember
from helpers import torch


def test_backends_flags_are_settable():
    ember.backends.cudnn.deterministic = True
    ember.backends.cudnn.benchmark = False
    assert ember.backends.cudnn.deterministic is True
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available()
    assert ember.backends.cudnn.is_available() is torch.backends.cudnn.is_available()
    ember.backends.cudnn.deterministic = False


def test_backends_are_importable_modules():
    cudnn = importlib.import_module("ember.backends.cudnn")
    assert cudnn is ember.backends.cudnn
    assert importlib.import_module("ember.backends.mps").is_built() is False
    assert ember.backends.cudnn.version() is torch.backends.cudnn.version()
    assert ember.backends.cuda.is_built() is torch.backends.cuda.is_built()


def test_cudnn_flags_context_restores_previous_values():
    before = ember.backends.cudnn.benchmark
    with ember.backends.cudnn.flags(enabled=True, benchmark=True, deterministic=True):
        assert ember.backends.cudnn.benchmark is True
        assert ember.backends.cudnn.deterministic is True
    assert ember.backends.cudnn.benchmark is before
    assert ember.backends.cudnn.deterministic is False


def test_cuda_matmul_tf32_flag_is_stored():
    ember.backends.cuda.matmul.allow_tf32 = True
    assert ember.backends.cuda.matmul.allow_tf32 is True
    ember.backends.cuda.matmul.allow_tf32 = False
