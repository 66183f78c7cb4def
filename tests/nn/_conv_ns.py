"""``nn(lib)``: torch.nn, or ember.nn completed with the conv/pooling layers even before
``ember.nn`` re-exports them."""

from __future__ import annotations

import types

import ember
import ember.nn
from ember.nn import _functional_conv
from ember.nn.modules import conv, fold, pixelshuffle, pooling, upsampling
from helpers import torch

_LAYERS = {}
for _mod in (conv, fold, pixelshuffle, pooling, upsampling):
    _LAYERS.update({name: getattr(_mod, name) for name in _mod.__all__})


def nn(lib):
    if lib is torch:
        return torch.nn
    ns = types.SimpleNamespace(**{k: getattr(ember.nn, k) for k in dir(ember.nn)
                                  if not k.startswith("_")})
    for name, cls in _LAYERS.items():
        setattr(ns, name, getattr(ember.nn, name, cls))
    fns = types.SimpleNamespace(**{k: getattr(ember.nn.functional, k)
                                   for k in dir(ember.nn.functional) if not k.startswith("_")})
    for name in _functional_conv.__all__:
        setattr(fns, name, getattr(ember.nn.functional, name,
                                   getattr(_functional_conv, name)))
    ns.functional = fns
    return ns
