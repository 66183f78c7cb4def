"""optim/_kernels.py: the in-place NumPy forms agree with the PyTorch tensor updates they stand
for (to the last bit or two: PyTorch fuses multiply-adds), and are exact where PyTorch is."""

from __future__ import annotations

import numpy as np
import pytest

from ember.optim._kernels import decay_square_, lerp_

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.normal(size=4096).astype(np.float32)
B = RNG.normal(size=4096).astype(np.float32)


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.5, 0.7, 1.0])
def test_lerp_matches_torch_lerp_(weight):
    got = A.copy()
    lerp_(got, B, weight, np.empty_like(A))
    want = torch.from_numpy(A.copy()).lerp_(torch.from_numpy(B), weight).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    if weight in (0.0, 1.0):  # the two-sided formula is exact at both ends
        np.testing.assert_array_equal(got, A if weight == 0.0 else B)


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9, 0.999])
def test_decay_square_matches_torch_mul_addcmul_(beta):
    got = np.abs(A)
    decay_square_(got, B, beta, np.empty_like(A))
    want = torch.from_numpy(np.abs(A)).mul_(beta)
    want.addcmul_(torch.from_numpy(B), torch.from_numpy(B), value=1 - beta)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6, atol=0)


def test_kernels_never_write_into_the_gradient():
    # the gradient passed in may be the user's p.grad array
    start, grad, tmp = A.copy(), B.copy(), np.empty_like(A)
    for weight in (0.3, 0.7):  # both branches of lerp_
        lerp_(start, grad, weight, tmp)
    decay_square_(start, grad, 0.9, tmp)
    np.testing.assert_array_equal(grad, B)
