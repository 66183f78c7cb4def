"""Export ember models to ONNX (PyTorch's ``torch.onnx`` surface).

``import ember.onnx`` needs nothing beyond ember; ``export`` needs the ``onnx`` package
(``pip install ember[onnx]``, which also installs onnxruntime to run the files).
"""

from ._export import export, is_in_onnx_export
from .errors import OnnxExporterError, UnsupportedOperatorError

__all__ = ["export", "is_in_onnx_export", "OnnxExporterError", "UnsupportedOperatorError"]
