"""Convolution ops against PyTorch: values, gradients, double backward, error messages."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ember
from helpers import assert_close, check_op, gradcheck64, make_inputs

torch = pytest.importorskip("torch")

# PyTorch warns that it copies the input for an even kernel with padding="same"
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def F(lib):
    return lib.nn.functional


# ======================================================================== conv2d

CONV2D_CASES = [
    # x shape, w shape, kwargs
    ((2, 3, 7, 9), (4, 3, 3, 3), {}),
    ((2, 3, 7, 9), (4, 3, 3, 3), {"padding": 1}),
    ((1, 4, 8, 8), (6, 2, 3, 2), {"stride": (2, 1), "padding": (0, 1), "dilation": (1, 2),
                                  "groups": 2}),
    ((3, 4, 10, 11), (4, 1, 3, 3), {"padding": 2, "dilation": 2, "groups": 4}),  # depthwise
    ((2, 4, 9, 9), (8, 1, 3, 3), {"padding": 1, "groups": 4}),  # depthwise multiplier 2
    ((2, 2, 5, 13), (3, 2, 1, 5), {"stride": (1, 3), "padding": (0, 2)}),
    ((2, 6, 9, 9), (3, 2, 2, 2), {"stride": 2, "padding": (1, 0), "groups": 3}),
    ((1, 3, 6, 7), (2, 3, 4, 4), {"padding": "same"}),  # even kernel: asymmetric padding
    ((1, 3, 6, 7), (2, 3, 3, 2), {"padding": "same", "dilation": 2}),
    ((2, 3, 6, 7), (2, 3, 3, 3), {"padding": "valid"}),
    ((1, 1, 1, 9), (2, 1, 1, 3), {}),
    ((2, 3, 11, 5), (5, 3, 5, 3), {"stride": 3, "padding": 2}),
    ((2, 16, 14, 14), (32, 16, 3, 3), {"padding": 1}),
    ((2, 5, 6, 7), (4, 5, 1, 1), {}),  # pointwise: matmul on the input as it lies
    ((2, 5, 6, 7), (4, 5, 1, 1), {"stride": 2}),
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xs,ws,kw", CONV2D_CASES)
def test_conv2d_matches_torch(xs, ws, kw, bias):
    shapes = [xs, ws] + ([(ws[0],)] if bias else [])
    check_op(shapes, lambda lib, x, w, *b: F(lib).conv2d(x, w, *b, **kw), atol=1e-4)


def test_conv2d_unbatched_input():
    check_op([(3, 6, 7), (4, 3, 3, 3), (4,)],
             lambda lib, x, w, b: F(lib).conv2d(x, w, b, padding=1), atol=1e-4)


def test_conv2d_keeps_float32_and_float64():
    x = ember.randn(1, 2, 5, 5)
    w = ember.randn(3, 2, 3, 3)
    assert F(ember).conv2d(x, w).dtype == ember.float32
    assert F(ember).conv2d(x.double(), w.double()).dtype == ember.float64


def test_conv2d_gradcheck_and_double_backward():
    gradcheck64(lambda x, w, b: F(ember).conv2d(x, w, b, stride=(2, 1), padding=1,
                                                 dilation=(1, 2)),
                [(2, 2, 5, 6), (3, 2, 2, 3), (3,)])


def test_pointwise_conv_gradcheck_and_transpose():
    gradcheck64(lambda x, w, b: F(ember).conv2d(x, w, b), [(2, 3, 3, 4), (2, 3, 1, 1), (2,)])
    check_op([(2, 4, 3, 5), (4, 3, 1, 1), (3,)],
             lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b), atol=1e-4)


def test_conv2d_grouped_gradcheck():
    gradcheck64(lambda x, w: F(ember).conv2d(x, w, padding=1, groups=2),
                [(1, 4, 4, 5), (4, 2, 3, 3)])


def test_conv2d_create_graph_matches_torch():
    """A gradient penalty (d/dw of |dy/dx|^2) needs the conv backward to be differentiable."""
    xa, wa = make_inputs([(2, 3, 6, 6), (4, 3, 3, 3)])
    grads = {}
    for lib in (torch, ember):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        y = F(lib).conv2d(x, w, padding=1, stride=2)
        (gx,) = lib.autograd.grad(y.pow(2).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        grads[lib] = w.grad
    assert_close(grads[ember], grads[torch], atol=1e-3, rtol=1e-4)


def test_interleaved_geometries_reuse_workspaces_correctly():
    """Scratch buffers are shared between calls: alternate shapes and compare each time."""
    cases = [((2, 3, 8, 8), (4, 3, 3, 3), 1), ((2, 3, 8, 8), (4, 3, 3, 3), 0),
             ((3, 2, 8, 8), (4, 2, 3, 3), 1), ((2, 3, 9, 7), (4, 3, 3, 3), 1)]
    for seed in range(2):
        for xs, ws, p in cases:
            xa, wa = make_inputs([xs, ws], seed=seed)
            check_op([xs, ws], lambda lib, x, w, p=p: F(lib).conv2d(x, w, padding=p),
                     arrays=[xa, wa], atol=1e-4)


# ======================================================================== conv1d


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 3, 10), (4, 3, 3), {}),
    ((1, 4, 11), (6, 2, 3), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2}),
    ((2, 3, 8), (2, 3, 4), {"padding": "same"}),
    ((3, 9), (2, 3, 3), {"padding": 1}),  # unbatched
])
def test_conv1d_matches_torch(xs, ws, kw):
    check_op([xs, ws, (ws[0],)], lambda lib, x, w, b: F(lib).conv1d(x, w, b, **kw), atol=1e-4)


def test_conv1d_gradcheck():
    gradcheck64(lambda x, w: F(ember).conv1d(x, w, stride=2, padding=1), [(2, 2, 7), (3, 2, 3)])


# ======================================================================== conv_transpose


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 4, 5, 5), (4, 3, 3, 3), {}),
    ((2, 4, 5, 6), (4, 3, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ((1, 4, 4, 5), (4, 2, 3, 2), {"stride": (2, 3), "padding": (1, 0), "groups": 2}),
    ((2, 3, 4, 4), (3, 2, 3, 3), {"stride": 1, "padding": 1, "dilation": 2}),
    ((1, 2, 3, 4), (2, 2, 2, 2), {"stride": 2, "dilation": 3, "output_padding": 2}),
    ((3, 4, 4), (3, 2, 3, 3), {"stride": 2}),  # unbatched
])
def test_conv_transpose2d_matches_torch(xs, ws, kw):
    out_c = ws[1] * kw.get("groups", 1)
    check_op([xs, ws, (out_c,)],
             lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, **kw), atol=1e-4)


def test_conv_transpose1d_matches_torch():
    check_op([(2, 4, 7), (4, 3, 3), (3,)],
             lambda lib, x, w, b: F(lib).conv_transpose1d(x, w, b, stride=2, padding=1,
                                                           output_padding=1), atol=1e-4)


def test_conv_transpose2d_gradcheck_and_double_backward():
    gradcheck64(lambda x, w, b: F(ember).conv_transpose2d(x, w, b, stride=2, padding=1,
                                                           output_padding=1),
                [(1, 2, 3, 3), (2, 3, 3, 3), (3,)])


# ======================================================================== unfold / fold


def test_unfold_and_fold_match_torch():
    kw = {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}
    check_op([(2, 3, 6, 7)], lambda lib, x: F(lib).unfold(x, **kw))
    cols = torch.nn.functional.unfold(torch.zeros(2, 3, 6, 7), **kw).shape
    check_op([tuple(cols)], lambda lib, c: F(lib).fold(c, (6, 7), **kw), atol=1e-4)


def test_unfold_fold_gradcheck():
    gradcheck64(lambda x: F(ember).unfold(x, 2, padding=1, stride=2), [(1, 2, 4, 5)])
    gradcheck64(lambda c: F(ember).fold(c, (4, 4), 2, stride=1), [(1, 8, 9)])


def test_fold_wrong_block_count_message():
    with pytest.raises(RuntimeError, match=r"4 \* 4 = 16, but got input.size\(2\)=10"):
        F(ember).fold(ember.randn(1, 12, 10), (5, 5), 2)


# ======================================================================== resampling


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 4, 5), {"scale_factor": 2, "mode": "nearest"}),
    ((2, 3, 4, 5), {"size": (7, 3), "mode": "nearest"}),
    ((2, 3, 4, 5), {"scale_factor": 1.7, "mode": "nearest"}),
    ((2, 3, 4, 5), {"size": (7, 9), "mode": "nearest-exact"}),
    ((2, 3, 4, 5), {"scale_factor": 2, "mode": "bilinear", "align_corners": False}),
    ((2, 3, 4, 5), {"scale_factor": 2, "mode": "bilinear", "align_corners": True}),
    ((2, 3, 4, 5), {"size": (7, 3), "mode": "bilinear", "align_corners": False}),
    ((2, 3, 6, 5), {"size": (1, 3), "mode": "bilinear", "align_corners": True}),
    ((2, 3, 4, 5), {"scale_factor": 1.5, "mode": "bilinear", "align_corners": False}),
    ((2, 3, 4, 5), {"scale_factor": 1.5, "mode": "bilinear",
                    "recompute_scale_factor": True}),
    ((2, 3, 6), {"scale_factor": 2.5, "mode": "linear"}),
    ((2, 3, 6), {"size": 4, "mode": "nearest"}),
    # a dimension whose size does not change: PyTorch skips it in the linear modes and 2-d
    # nearest, but not in 1-d nearest or nearest-exact
    ((1, 2, 6, 3), {"scale_factor": (0.5, 1.3), "mode": "bilinear"}),
    ((1, 2, 3, 2), {"scale_factor": (1.3, 2.0), "mode": "nearest"}),
    ((1, 2, 1, 3), {"scale_factor": (2.0, 1.3), "mode": "nearest-exact"}),
])
def test_interpolate_matches_torch(shape, kw):
    check_op([shape], lambda lib, x: F(lib).interpolate(x, **kw))


def test_nearest_1d_keeps_scale_factor_for_an_unchanged_length():
    # values as PyTorch; its backward here is the identity, which is not the adjoint of its
    # own forward, so ember's gradient is checked by gradcheck instead
    check_op([(1, 2, 3)], lambda lib, x: F(lib).interpolate(x, scale_factor=1.3), grad=False)
    gradcheck64(lambda x: F(ember).interpolate(x, scale_factor=1.3), [(1, 2, 3)])


def test_bilinear_gradcheck():
    gradcheck64(lambda x: F(ember).interpolate(x, size=(5, 4), mode="bilinear"), [(1, 2, 3, 3)])


def test_interpolate_argument_errors():
    x = ember.randn(1, 3, 4, 4)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F(ember).interpolate(x)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F(ember).interpolate(x, size=8, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F(ember).interpolate(x, size=8, align_corners=True)


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 4), 2), ((18, 2, 2), 3)])
def test_pixel_shuffle_and_unshuffle_match_torch(shape, r):
    check_op([shape], lambda lib, x: F(lib).pixel_shuffle(x, r))
    out = (shape[:-3] + (shape[-3] // (r * r), shape[-2] * r, shape[-1] * r))
    check_op([out], lambda lib, x: F(lib).pixel_unshuffle(x, r))


def test_pixel_shuffle_channel_error():
    with pytest.raises(RuntimeError, match=r"input.size\(-3\)=3 is not divisible by 4"):
        F(ember).pixel_shuffle(ember.randn(1, 3, 4, 4), 2)


# ======================================================================== errors


def _error(lib, fn):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.type, str(info.value).split("\n")[0]


@pytest.mark.parametrize("fn", [
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 2, 3, 3)),
    lambda lib: F(lib).conv2d(lib.randn(2, 4, 8, 8), lib.randn(4, 3, 3, 3), groups=2),
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 2, 2), lib.randn(4, 3, 3, 3)),
    lambda lib: F(lib).conv2d(lib.randn(8, 8), lib.randn(4, 3, 3, 3)),
    lambda lib: F(lib).conv2d(lib.randn(1, 2, 3, 8, 8), lib.randn(4, 3, 3, 3)),
    lambda lib: F(lib).conv1d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3)),
    lambda lib: F(lib).conv1d(lib.randn(2, 3, 2), lib.randn(4, 3, 3)),
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), stride=2,
                              padding="same"),
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), padding="foo"),
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3),
                              bias=lib.randn(3)),
    lambda lib: F(lib).conv_transpose2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3)),
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), stride=0),
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), padding=-1),
    lambda lib: F(lib).conv2d(lib.randn(2, 3, 8, 8).double(), lib.randn(4, 3, 3, 3)),
])
def test_conv_error_messages_match_torch(fn):
    assert _error(ember, fn) == _error(torch, fn)


def test_same_conv_applied_twice_before_backward_matches_torch():
    """Each graph node keeps its own im2col buffer: a siamese use must not mix them up."""
    xa, xb, wa = make_inputs([(2, 3, 8, 8), (2, 3, 8, 8), (4, 3, 3, 3)])
    grads = {}
    for lib in (torch, ember):
        w = lib.tensor(wa, requires_grad=True)
        ya = F(lib).conv2d(lib.tensor(xa), w, padding=1)
        yb = F(lib).conv2d(lib.tensor(xb), w, padding=1)
        (ya * yb).sum().backward()
        grads[lib] = w.grad
    assert_close(grads[ember], grads[torch], atol=1e-3)


def test_backward_twice_with_retain_graph_matches_torch():
    xa, wa = make_inputs([(2, 3, 6, 6), (4, 3, 3, 3)])
    grads = {}
    for lib in (torch, ember):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        y = F(lib).conv2d(x, w, padding=1).sum()
        y.backward(retain_graph=True)
        y.backward()
        grads[lib] = (x.grad, w.grad)
    assert_close(grads[ember][0], grads[torch][0], atol=1e-4)
    assert_close(grads[ember][1], grads[torch][1], atol=1e-3)


def test_conv2d_non_contiguous_input_and_weight():
    check_op([(2, 7, 3, 6), (4, 3, 3, 2)],
             lambda lib, x, w: F(lib).conv2d(x.permute(0, 2, 1, 3), w.transpose(2, 3),
                                             padding=1), atol=1e-4)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 2), c_per_group=st.integers(1, 3), groups=st.integers(1, 2),
       o_per_group=st.integers(1, 3), h=st.integers(1, 9), w=st.integers(1, 9),
       kh=st.integers(1, 3), kw=st.integers(1, 3), sh=st.integers(1, 3), sw=st.integers(1, 3),
       ph=st.integers(0, 2), pw=st.integers(0, 2), dh=st.integers(1, 2), dw=st.integers(1, 2))
def test_conv2d_shape_algebra_matches_torch(n, c_per_group, groups, o_per_group, h, w, kh, kw,
                                            sh, sw, ph, pw, dh, dw):
    assume(h + 2 * ph >= dh * (kh - 1) + 1 and w + 2 * pw >= dw * (kw - 1) + 1)
    kw_ = {"stride": (sh, sw), "padding": (ph, pw), "dilation": (dh, dw), "groups": groups}
    check_op([(n, c_per_group * groups, h, w), (o_per_group * groups, c_per_group, kh, kw)],
             lambda lib, x, wt: F(lib).conv2d(x, wt, **kw_), atol=1e-4)


def test_large_im2col_is_built_in_batch_chunks(monkeypatch):
    """Past MAX_COLS_BYTES the batch is processed in chunks: same values and gradients."""
    from ember.ops import conv as conv_ops

    monkeypatch.setattr(conv_ops, "MAX_COLS_BYTES", 1)  # one sample per chunk
    check_op([(5, 3, 6, 6), (4, 3, 3, 3), (4,)],
             lambda lib, x, w, b: F(lib).conv2d(x, w, b, padding=1), atol=1e-4)
    check_op([(5, 4, 3, 3), (4, 3, 3, 3)],
             lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2), atol=1e-4)
    gradcheck64(lambda x, w: F(ember).conv2d(x, w, stride=2, padding=1),
                [(5, 2, 4, 4), (3, 2, 3, 3)])
