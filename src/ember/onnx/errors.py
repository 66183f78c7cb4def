"""The exporter's exceptions (PyTorch's ``torch.onnx.errors`` names)."""

from __future__ import annotations


class OnnxExporterError(RuntimeError):
    """Export could not produce a correct ONNX model."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op ran during export that has no ONNX mapping; names the op and the module path."""

    def __init__(self, op: str, module_path: str, detail: str = "") -> None:
        where = module_path or "<top-level model>"
        msg = f"ember.onnx.export: the op '{op}' (run in module '{where}') "
        super().__init__(msg + (f"cannot be exported: {detail}" if detail else
                                "has no ONNX mapping"))
        self.op = op
        self.module_path = module_path
