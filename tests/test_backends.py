"""``ember.backends``: the cudnn/mps flags scripts set behave as on CPU-only torch."""

from __future__ import annotations

import ember
from helpers import torch


def test_backends_flags_are_settable():
    ember.backends.cudnn.deterministic = True
    ember.backends.cudnn.benchmark = False
    assert ember.backends.cudnn.deterministic is True
    assert ember.backends.mps.is_available() is torch.backends.mps.is_available()
    assert ember.backends.cudnn.is_available() is torch.backends.cudnn.is_available()
    ember.backends.cudnn.deterministic = False
