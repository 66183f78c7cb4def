"""ember.onnx.export end to end: the issue's four models, dynamic axes, names, errors."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from _onnx_check import export_and_compare, onnx, ort
from _onnx_models import GPT, LSTMLanguageModel

import ember
import ember.onnx
from ember import nn
from ember.demo import DigitsCNN, DigitsMLP

BATCH = {"x": {0: "batch"}, "logits": {0: "batch"}}
BATCH_SEQ = {"idx": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}


def _trained_batchnorm(model, x):
    """A few train-mode passes so the running statistics are not the defaults."""
    model.train()
    with ember.no_grad():
        for _ in range(3):
            model(x)
    return model


# ======================================================================== the models


def test_demo_cnn_matches_onnxruntime_at_other_batch_sizes():
    model = _trained_batchnorm(DigitsCNN(), ember.randn(16, 1, 8, 8))
    export_and_compare(model, ember.randn(4, 1, 8, 8), ["x"], BATCH,
                       others=[ember.randn(1, 1, 8, 8), ember.randn(9, 1, 8, 8)],
                       output_names=["logits"])


def test_mlp_with_batchnorm_and_dropout_matches_onnxruntime():
    model = _trained_batchnorm(DigitsMLP(), ember.randn(16, 1, 8, 8))
    proto = export_and_compare(model, ember.randn(3, 1, 8, 8), ["x"], BATCH,
                               others=[ember.randn(11, 1, 8, 8)], output_names=["logits"])
    ops = {n.op_type for n in proto.graph.node}
    assert "BatchNormalization" in ops and "Dropout" not in ops  # eval: dropout is identity


def test_gpt_matches_onnxruntime_at_other_batch_and_sequence_lengths():
    model = GPT()
    export_and_compare(model, ember.randint(0, 50, (2, 7)), ["idx"], BATCH_SEQ,
                       others=[ember.randint(0, 50, (3, 12)), ember.randint(0, 50, (1, 32)),
                               ember.randint(0, 50, (5, 1))],
                       output_names=["logits"])


def test_lstm_language_model_matches_onnxruntime_at_other_lengths():
    model = LSTMLanguageModel()
    proto = export_and_compare(model, ember.randint(0, 40, (2, 7)), ["idx"], BATCH_SEQ,
                               others=[ember.randint(0, 40, (4, 13)),
                                       ember.randint(0, 40, (1, 2))],
                               output_names=["logits"])
    assert [n.op_type for n in proto.graph.node].count("LSTM") == 2  # one per layer


# ======================================================================== the file


def test_parameters_are_initializers_named_as_in_state_dict():
    model = DigitsMLP()
    f = io.BytesIO()
    ember.onnx.export(model, ember.randn(2, 1, 8, 8), f)
    proto = onnx.load_from_string(f.getvalue())
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    for name, value in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        np.testing.assert_array_equal(inits[name], value.numpy())


def test_default_names_come_from_forward_and_dims_are_named():
    f = io.BytesIO()
    ember.onnx.export(GPT(), ember.randint(0, 50, (2, 5)), f,
                      dynamic_axes={"idx": {0: "batch", 1: "seq"}})
    graph = onnx.load_from_string(f.getvalue()).graph
    assert [i.name for i in graph.input] == ["idx"]
    assert [o.name for o in graph.output] == ["output"]
    dims = graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param for d in dims] == ["batch", "seq"]
    out_dims = graph.output[0].type.tensor_type.shape.dim
    assert out_dims[2].dim_value == 50


def test_list_form_dynamic_axes_get_pytorch_names():
    f = io.BytesIO()
    ember.onnx.export(nn.Linear(3, 2), ember.randn(4, 3), f, input_names=["x"],
                      dynamic_axes={"x": [0]})
    dims = onnx.load_from_string(f.getvalue()).graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "x_dynamic_axes_1"


def test_without_dynamic_axes_the_shapes_are_fixed():
    f = io.BytesIO()
    ember.onnx.export(nn.Linear(3, 2), ember.randn(4, 3), f)
    dims = onnx.load_from_string(f.getvalue()).graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [4, 3]


def test_export_to_a_path_and_run(tmp_path):
    path = tmp_path / "linear.onnx"
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh())
    x = ember.randn(2, 3)
    ember.onnx.export(model, (x,), str(path))
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        None, {"input": x.numpy()})[0]
    with ember.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), atol=1e-6)


def test_export_params_false_makes_parameters_inputs():
    f = io.BytesIO()
    ember.onnx.export(nn.Linear(3, 2), ember.randn(4, 3), f, export_params=False)
    graph = onnx.load_from_string(f.getvalue()).graph
    assert not graph.initializer
    assert {i.name for i in graph.input} == {"input", "weight", "bias"}


def test_keyword_arguments_in_a_trailing_dict():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    f = io.BytesIO()
    ember.onnx.export(Scale(), (ember.randn(2, 2), {"factor": 3.0}), f, input_names=["x"])
    x = ember.randn(2, 2)
    got = ort.InferenceSession(f.getvalue(), providers=["CPUExecutionProvider"]).run(
        None, {"x": x.numpy()})[0]
    np.testing.assert_allclose(got, x.numpy() * 3.0, rtol=1e-6)


def test_training_mode_is_restored_after_export():
    model = DigitsMLP()
    model.train()
    ember.onnx.export(model, ember.randn(2, 1, 8, 8), io.BytesIO())
    assert all(m.training for m in model.modules())


def test_is_in_onnx_export_is_true_only_while_exporting():
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(ember.onnx.is_in_onnx_export())
            return x + 1

    ember.onnx.export(Probe(), ember.randn(2), io.BytesIO())
    assert seen and all(seen)
    assert not ember.onnx.is_in_onnx_export()


def test_model_writing_into_its_input_in_place():
    class Normalise(nn.Module):
        def forward(self, x):
            x /= 255.0
            x.clamp_(0.0, 0.5)
            return x * 2

    export_and_compare(Normalise(), ember.rand(2, 3) * 255, ["x"], {"x": {0: "b"}},
                       others=[ember.rand(4, 3) * 255])


def test_inplace_activation_exports():
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(inplace=True), nn.Linear(4, 2))
    export_and_compare(model, ember.randn(3, 4), ["x"], {"x": {0: "b"}},
                       others=[ember.randn(6, 4)])


# ======================================================================== errors


class _Inner(nn.Module):
    def forward(self, x):
        return ember.linalg.inv(x)


class _Outer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 3), _Inner())

    def forward(self, x):
        return self.body(x.reshape(3, 3))


def test_unmapped_op_fails_naming_op_and_module_path(tmp_path):
    path = tmp_path / "never.onnx"
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match=r"'Inv'.*'body\.1'"):
        ember.onnx.export(_Outer(), ember.randn(9), str(path))
    assert not path.exists()  # never a file that fails later


def test_constant_computed_outside_ops_from_the_input_is_an_error():
    class NumpyDetour(nn.Module):
        def forward(self, x):
            return x + ember.from_numpy(x.detach().numpy() * 2)

    with pytest.raises(ember.onnx.OnnxExporterError, match="no traced ember op produced"):
        ember.onnx.export(NumpyDetour(), ember.randn(3), io.BytesIO())


def test_output_computed_outside_ops_is_an_error():
    class NumpyOutput(nn.Module):
        def forward(self, x):
            return ember.from_numpy(x.detach().numpy().cumprod(0))

    with pytest.raises(ember.onnx.OnnxExporterError, match="output 0"):
        ember.onnx.export(NumpyOutput(), ember.randn(3), io.BytesIO())


def test_python_size_arithmetic_baked_into_an_op_is_an_error():
    class Half(nn.Module):
        def forward(self, x):
            return x * (1.0 / x.shape[0])  # a float: the exporter cannot trace it

    with pytest.raises(ember.onnx.OnnxExporterError, match="depends on the input's size"):
        ember.onnx.export(Half(), ember.randn(4, 2), io.BytesIO(), input_names=["x"],
                          dynamic_axes={"x": {0: "n"}})


def test_autograd_function_computing_in_numpy_is_an_error():
    class Double(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return ember.from_numpy(x.detach().numpy() * 2)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class M(nn.Module):
        def forward(self, x):
            return Double.apply(x)

    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="Double"):
        ember.onnx.export(M(), ember.randn(3), io.BytesIO())


def test_control_flow_on_a_dynamic_size_is_an_error():
    class Loop(nn.Module):
        def forward(self, x):
            out = x[:, 0]
            for t in range(1, x.shape[1]):
                out = out + x[:, t]
            return out

    with pytest.raises(ember.onnx.OnnxExporterError, match="control flow"):
        ember.onnx.export(Loop(), ember.randn(2, 3), io.BytesIO(), input_names=["x"],
                          dynamic_axes={"x": {1: "t"}})


def test_tied_weights_are_stored_once_under_the_first_name():
    class Tied(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(7, 4)
            self.head = nn.Linear(4, 7, bias=False)
            self.head.weight = self.emb.weight

        def forward(self, i):
            return self.head(self.emb(i))

    model = Tied()
    proto = export_and_compare(model, ember.tensor([[1, 2, 3]]), ["i"], {"i": {0: "b", 1: "t"}},
                               others=[ember.tensor([[6], [0]])])
    assert [i.name for i in proto.graph.initializer] == ["emb.weight"]


def test_dynamic_axes_must_name_inputs_or_outputs():
    with pytest.raises(ValueError, match="nope"):
        ember.onnx.export(nn.Linear(2, 2), ember.randn(1, 2), io.BytesIO(),
                          dynamic_axes={"nope": {0: "b"}})


def test_opset_below_14_is_refused():
    with pytest.raises(ValueError, match="opset_version"):
        ember.onnx.export(nn.Linear(2, 2), ember.randn(1, 2), io.BytesIO(), opset_version=11)


@pytest.mark.parametrize("opset", [14, 17, 18])
def test_other_opsets(opset):
    proto = export_and_compare(GPT(layers=1), ember.randint(0, 50, (2, 5)), ["idx"], BATCH_SEQ,
                               others=[ember.randint(0, 50, (3, 9))], opset_version=opset,
                               output_names=["logits"])
    assert proto.opset_import[0].version == opset
    export_and_compare(LSTMLanguageModel(layers=1), ember.randint(0, 40, (2, 5)), ["idx"],
                       BATCH_SEQ, others=[ember.randint(0, 40, (3, 9))], opset_version=opset,
                       output_names=["logits"])


def test_constant_folding_keeps_parameters_and_can_be_turned_off():
    model = GPT(layers=1)
    x = ember.randint(0, 50, (2, 5))
    sizes = {}
    for fold in (True, False):
        f = io.BytesIO()
        ember.onnx.export(model, x, f, do_constant_folding=fold, dynamic_axes=BATCH_SEQ,
                          input_names=["idx"], output_names=["logits"])
        graph = onnx.load_from_string(f.getvalue()).graph
        sizes[fold] = len(graph.node)
        assert set(model.state_dict()) <= {i.name for i in graph.initializer}
    assert sizes[True] < sizes[False]


def test_import_works_without_onnx_and_export_says_what_to_install():
    code = (
        "import sys; sys.modules['onnx'] = None\n"
        "import ember, ember.onnx\n"
        "try:\n"
        "    ember.onnx.export(ember.nn.Linear(2, 2), ember.randn(1, 2), 'x.onnx')\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "pip install ember[onnx]" in out
