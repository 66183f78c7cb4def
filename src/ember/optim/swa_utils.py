"""``ember.optim.swa_utils``: weight averaging (SWA) and EMA copies of a model.

``AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))`` keeps an exponential
moving average of a model's weights; ``update_bn`` recomputes BatchNorm statistics for the
averaged weights. The update rules and the state_dict layout (``n_averaged``,
``module.*``) are PyTorch's.
"""

from __future__ import annotations

import itertools
from copy import deepcopy

from .._creation import tensor
from .._dtype import int64
from .._grad_mode import no_grad
from ..nn.module import Module
from ..nn.modules.batchnorm import _BatchNorm

__all__ = ["AveragedModel", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn",
           "get_swa_multi_avg_fn", "update_bn"]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999):
    """In place: ``ema = decay * ema + (1 - decay) * current`` for lists of parameters."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
            if p_ema.is_floating_point():
                p_ema.lerp_(p_model, 1 - decay)
            else:
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """In place: the running mean of all the models seen, for lists of parameters."""

    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        weight = float(1 / (num_averaged + 1))
        for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
            if p_avg.is_floating_point():
                p_avg.lerp_(p_model, weight)
            else:
                p_avg.add_((p_model - p_avg) * weight)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999):
    """``decay * ema + (1 - decay) * current`` for one parameter."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """The running mean for one parameter."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters (and, with ``use_buffers``, buffers) are
    averaged by ``update_parameters(model)``: equal weights by default (SWA), or the given
    ``avg_fn`` (one tensor) / ``multi_avg_fn`` (lists, in place), e.g. an EMA.

    Raises:
        AssertionError: both avg_fn and multi_avg_fn given (PyTorch's check).
    """

    def __init__(self, model: Module, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        self.register_buffer("n_averaged", tensor(0, dtype=int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Call the averaged copy of the model (evaluate with the averaged weights)."""
        return self.module(*args, **kwargs)

    @no_grad()
    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current weights into the average (the first call copies them)."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        mine_list, theirs_list = [], []
        first = bool(self.n_averaged == 0)
        for p_avg, p_model in zip(mine, theirs, strict=False):
            mine_list.append(p_avg.detach())
            theirs_list.append(p_model.detach())
            if first:
                p_avg.detach().copy_(p_model.detach())
        if self.n_averaged > 0:
            if self.avg_fn is None:
                fn = self.multi_avg_fn or get_swa_multi_avg_fn()
                fn(mine_list, theirs_list, self.n_averaged)
            else:
                for p_avg, p_model in zip(mine_list, theirs_list, strict=True):
                    p_avg.copy_(self.avg_fn(p_avg, p_model, self.n_averaged))
        if not self.use_buffers:  # buffers (BatchNorm statistics) follow the model
            for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_avg.detach().copy_(b_model.detach())
        self.n_averaged += 1


@no_grad()
def update_bn(loader, model: Module, device=None) -> None:
    """Recompute every BatchNorm's running statistics with one pass over ``loader``
    (cumulative averages, as PyTorch); batches are tensors or tuples led by the input."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)
