"""KL(p || q) in closed form for pairs of the same family."""

from __future__ import annotations

from ..nn.functional import softplus
from ..tensor import Tensor
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .normal import Normal


def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    return (p.probs * (p.logits - q.logits)).sum(-1)


def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    return t1 + t2


_KL = {(Normal, Normal): _kl_normal_normal,
       (Categorical, Categorical): _kl_categorical_categorical,
       (Bernoulli, Bernoulli): _kl_bernoulli_bernoulli}


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q), batched over the distributions' batch shape.

    Raises:
        NotImplementedError: no closed form for this pair of families (as PyTorch).
    """
    fn = _KL.get((type(p), type(q)))
    if fn is None:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p={type(p).__name__}, q={type(q).__name__}")
    return fn(p, q)
