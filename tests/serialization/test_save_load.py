"""ember.save / ember.load round trips within ember: what a training script saves comes back
with its types, dtypes, flags and sharing."""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn

DTYPES = [ember.float16, ember.float32, ember.float64, ember.int8, ember.int16, ember.int32,
          ember.int64, ember.uint8, ember.bool]


def _same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_tensor_round_trip_keeps_dtype_shape_values(tmp_path, dtype):
    t = ember.tensor(np.arange(-3, 9).reshape(3, 4)).to(dtype)
    ember.save(t, tmp_path / "t.pt")
    _same(ember.load(tmp_path / "t.pt"), t)


def test_scalar_empty_and_non_contiguous_tensors_round_trip(tmp_path):
    objs = [ember.tensor(3.5), ember.zeros(0, 3), ember.arange(12).reshape(3, 4).t()]
    ember.save(objs, tmp_path / "x")
    for a, b in zip(objs, ember.load(tmp_path / "x")):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_nested_python_values_round_trip(tmp_path):
    obj = {
        "ints": [1, -2, 2**70], "floats": (0.1, float("inf"), float("-inf"), float("nan")),
        "s": "héllo", "b": b"\x00\xff", "flags": [True, False, None], "empty": ([], {}, ()),
        3: "int key", 2.5: "float key", (1, "a"): "tuple key", None: "none key",
        "set": {1, 2}, "frozen": frozenset({"a"}), "complex": 1 + 2j, "dtype": ember.float64,
    }
    ember.save(obj, tmp_path / "o")
    _same(ember.load(tmp_path / "o"), obj)


def test_numpy_values_round_trip_when_trusted(tmp_path):
    obj = {"np": np.arange(4, dtype=np.int16), "npscalar": np.float32(1.5)}
    ember.save(obj, tmp_path / "n")
    back = ember.load(tmp_path / "n", weights_only=False)
    _same(back, obj)
    assert isinstance(back["npscalar"], np.float32)


def test_cyclic_containers_round_trip(tmp_path):
    cyclic = [1]
    cyclic.append(cyclic)
    ember.save(cyclic, tmp_path / "c")
    back = ember.load(tmp_path / "c")
    assert back[0] == 1 and back[1] is back


def test_ordered_dict_order_and_type_are_kept(tmp_path):
    sd = OrderedDict((k, ember.randn(2)) for k in ["z.weight", "a.bias", "m.weight"])
    ember.save(sd, tmp_path / "sd")
    back = ember.load(tmp_path / "sd")
    assert type(back) is OrderedDict and list(back) == list(sd)
    _same(back, sd)


def test_requires_grad_and_parameters_round_trip(tmp_path):
    obj = {"p": nn.Parameter(ember.randn(3)), "f": nn.Parameter(ember.randn(3), False),
           "g": ember.randn(2, requires_grad=True), "t": ember.ones(1)}
    ember.save(obj, tmp_path / "p")
    back = ember.load(tmp_path / "p")
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    assert isinstance(back["f"], nn.Parameter) and not back["f"].requires_grad
    assert back["g"].requires_grad and back["g"].is_leaf
    assert not isinstance(back["t"], nn.Parameter) and not back["t"].requires_grad


def test_shared_tensor_loads_shared(tmp_path):
    w = ember.randn(4, 4)
    ember.save({"encoder": w, "decoder": w, "row": w[1]}, tmp_path / "tied")
    back = ember.load(tmp_path / "tied")
    assert back["encoder"] is back["decoder"]
    assert np.shares_memory(back["row"].numpy(), back["encoder"].numpy())


def test_file_objects_work(tmp_path):
    buf = io.BytesIO()
    ember.save({"a": ember.arange(3)}, buf)
    buf.seek(0)
    assert ember.load(buf)["a"].tolist() == [0, 1, 2]
    with open(tmp_path / "f", "wb") as fh:
        ember.save([1, 2], fh)
    with open(tmp_path / "f", "rb") as fh:
        assert ember.load(fh) == [1, 2]


def test_save_arguments_as_torch(tmp_path):
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        ember.save({"w": ember.ones(2)}, tmp_path / "p", pickle_protocol=protocol)
        assert ember.load(tmp_path / "p")["w"].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="pickle_protocol"):
        ember.save([1], tmp_path / "p", pickle_protocol=1)
    with pytest.raises(NotImplementedError, match="pickle_module"):
        ember.save([1], tmp_path / "p", pickle_module=io)
    ember.save([1], tmp_path / "nb", _disable_byteorder_record=True)
    assert ember.load(tmp_path / "nb") == [1]


def test_load_arguments_as_torch(tmp_path):
    ember.save([1], tmp_path / "a")
    assert ember.load(tmp_path / "a", map_location="cpu", weights_only=True) == [1]
    assert ember.load(tmp_path / "a", weights_only=False, encoding="latin1") == [1]
    with pytest.raises(TypeError, match="unexpected arguments"):
        ember.load(tmp_path / "a", fix_imports=False)


def test_unpicklable_objects_raise_and_write_nothing(tmp_path):
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        ember.save({"f": lambda: 0}, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_optimizer_checkpoint_resumes_the_same_trajectory(tmp_path):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(5, 3)).astype(np.float32)
    xs = [rng.normal(size=(8, 5)).astype(np.float32) for _ in range(4)]

    def step(w, opt, x):
        opt.zero_grad()
        loss = ((ember.tensor(x) @ w).tanh() ** 2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    w = ember.tensor(w0, requires_grad=True)
    opt = ember.optim.Adam([w], lr=0.05, amsgrad=True)
    straight = [step(w, opt, xs[i % 4]) for i in range(12)]

    w = ember.tensor(w0, requires_grad=True)
    opt = ember.optim.Adam([w], lr=0.05, amsgrad=True)
    first = [step(w, opt, xs[i % 4]) for i in range(6)]
    ember.save({"w": w, "opt": opt.state_dict(), "epoch": 6}, tmp_path / "ckpt")
    ckpt = ember.load(tmp_path / "ckpt")
    w2 = ckpt["w"]
    opt2 = ember.optim.Adam([w2], lr=0.05, amsgrad=True)
    opt2.load_state_dict(ckpt["opt"])
    assert set(ckpt["opt"]["state"]) == {0}
    second = [step(w2, opt2, xs[i % 4]) for i in range(6, 12)]
    np.testing.assert_allclose(first + second, straight, rtol=1e-6)
