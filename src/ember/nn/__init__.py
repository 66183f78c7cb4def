"""``ember.nn``: modules, parameters, layers, losses, ``functional``, ``init`` and ``utils``."""

from . import functional, init, parallel, utils  # noqa: F401
from .module import Module  # noqa: F401
from .modules import *  # noqa: F403 - the layer classes are the public surface
from .parallel import DataParallel  # noqa: F401
from .parameter import Buffer, Parameter  # noqa: F401
