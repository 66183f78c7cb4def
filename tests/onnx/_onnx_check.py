"""Export a model, check the file, and compare ONNX Runtime with ember's eval outputs."""

from __future__ import annotations

import io

import numpy as np
import pytest

import ember
from ember.onnx._trace import flatten_tensors

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def export_and_compare(model, args, input_names, dynamic_axes=None, others=(), atol=1e-5,
                       **kwargs):
    """Export ``model`` on ``args``; check it (full_check) and compare ORT with ember on
    ``args`` and on every tuple in ``others`` (other batch sizes / sequence lengths).

    Returns:
        The loaded ModelProto.
    """
    args = args if isinstance(args, tuple) else (args,)
    f = io.BytesIO()
    ember.onnx.export(model, args, f, input_names=input_names, dynamic_axes=dynamic_axes,
                      **kwargs)
    proto = onnx.load_from_string(f.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(f.getvalue(), providers=["CPUExecutionProvider"])
    model.eval()
    for case in (args,) + tuple(o if isinstance(o, tuple) else (o,) for o in others):
        feeds = {n: t.numpy().copy() for n, t in zip(input_names, case)}  # (before any in-place)
        with ember.no_grad():
            expected = [t.numpy() for t in flatten_tensors(model(*[t.clone() for t in case]))]
        got = session.run(None, feeds)
        assert len(got) == len(expected)
        for e, g in zip(expected, got):
            assert e.shape == g.shape
            assert e.dtype == g.dtype
            np.testing.assert_allclose(g, e, rtol=0, atol=atol)
    return proto
