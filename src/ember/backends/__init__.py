"""``ember.backends``: the flags scripts set for speed or reproducibility (``cudnn.benchmark``...).

Each backend is a module, as in PyTorch, so ``import ember.backends.cudnn as cudnn`` works. ember
runs on the CPU only, where PyTorch's cuDNN/CUDA/MPS flags have no effect either: they are stored
and read back, and the ``is_available`` queries answer False.
"""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
