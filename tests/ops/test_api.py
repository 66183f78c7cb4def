"""Every op in scope exists as ``ember.op(t)`` and ``t.op()`` wherever PyTorch has it."""

from __future__ import annotations

import pytest

import ember
from helpers import torch

SCOPE = """
add sub mul div pow neg exp log log1p expm1 sqrt rsqrt abs sign sin cos tan tanh sigmoid relu
clamp clip maximum minimum where floor ceil round reciprocal square lerp
sum mean prod var std max min amax amin argmax argmin logsumexp norm all any cumsum
matmul mm bmm mv dot outer einsum
reshape view flatten unflatten squeeze unsqueeze transpose permute t expand expand_as repeat cat
stack split chunk flip gather scatter index_select narrow masked_fill tril triu
add_ sub_ mul_ div_ pow_ zero_ fill_ copy_ clamp_ masked_fill_
detach detach_ clone contiguous requires_grad_ retain_grad register_hook to float double long int
bool type_as item tolist numpy size dim numel
eq ne lt le gt ge bitwise_and bitwise_or bitwise_xor bitwise_not logical_and logical_or
logical_not logical_xor isnan isinf isfinite
sort argsort topk unique roll repeat_interleave diff diagonal diag trace masked_select
asin acos atan atan2 sinh cosh log2 log10 exp2 clamp_min clamp_max fmod remainder floor_divide
nan_to_num count_nonzero allclose equal
""".split()


@pytest.mark.parametrize("name", SCOPE)
def test_op_exists_in_both_forms_where_torch_has_it(name):
    assert hasattr(torch, name) <= hasattr(ember, name), f"ember.{name} is missing"
    assert hasattr(torch.Tensor, name) <= hasattr(ember.Tensor, name), f"Tensor.{name} missing"


@pytest.mark.parametrize("name", ["abs", "exp", "sum", "flatten", "t", "argmax", "trace"])
def test_function_and_method_forms_agree(name):
    x = ember.tensor([[0.5, -1.0], [2.0, 3.0]])
    assert getattr(ember, name)(x).tolist() == getattr(x, name)().tolist()
