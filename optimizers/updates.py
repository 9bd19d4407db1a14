"""How the architecture weights are updated each minibatch: first or second order.

Both take one Adam step on the architecture weights (betas 0.5/0.999, L2 weight decay) from
the validation batch, before the weight step, as the DARTS `Architect` does. The second-order
rule differentiates through one unrolled weight step (`second_order.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import torch

from .second_order import unrolled_arch_gradient

if TYPE_CHECKING:
    from .search_loop import BatchSource, OneShotSearch

Batch = tuple[torch.Tensor, torch.Tensor]


class ArchUpdate(ABC):
    """One architecture step per minibatch, and the hooks the search loop calls on every rule.

    The loop calls each hook on every rule; the defaults do nothing, so a rule overrides
    only what it needs (ENAS: `end_epoch` trains its controller, `state_dict` checkpoints
    it) and the loop never has to ask whether a rule has a hook.
    """

    @abstractmethod
    def step(self, search: OneShotSearch, train: Batch, valid: Batch, lr: float) -> None:
        """One architecture step on (train batch, valid batch) at the current weight LR."""

    def end_epoch(self, search: OneShotSearch, source: BatchSource, epoch: int) -> None:
        """After epoch `epoch`'s evaluation, before its architecture is chosen."""
        del search, source, epoch

    def state_dict(self) -> dict[str, Any] | None:
        """The rule's own state to checkpoint with the search; None: it has none."""
        return None

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` returned (called only when the checkpoint holds it)."""
        del state


def _finish(search: OneShotSearch) -> None:
    clip = search.hp.arch_grad_clip
    if clip > 0:
        torch.nn.utils.clip_grad_norm_(list(search.arch.parameters()), clip)
    search.arch_optimizer.step()


class FirstOrder(ArchUpdate):
    """grad_a L_val(w, a) at the current weights (DARTS 1st order, GDAS, PC-DARTS)."""

    def step(self, search: OneShotSearch, train: Batch, valid: Batch, lr: float) -> None:
        del train, lr
        search.arch_optimizer.zero_grad(set_to_none=True)
        search.arch_backward(search.loss(*valid))
        _finish(search)


class SecondOrder(ArchUpdate):
    """DARTS 2nd order: unrolled weight step, finite-difference Hessian-vector product.

    xi is the current weight learning rate; the unrolled step includes the SGD momentum
    buffer and weight decay. BN running statistics touched by the forward at the unrolled
    weights are restored afterwards, as the original evaluates it on a copy of the model.
    """

    def step(self, search: OneShotSearch, train: Batch, valid: Batch, lr: float) -> None:
        params = [p for p in search.model.parameters() if p.requires_grad]
        arch = list(search.arch.parameters())
        state = search.weight_optimizer.state
        buffers = [state.get(p, {}).get("momentum_buffer") for p in params]
        model = search.model
        originals: dict[tuple[torch.nn.Module, str], torch.Tensor] = {}

        def restore_buffers() -> None:
            for (module, name), buf in originals.items():
                module._buffers[name] = buf
            originals.clear()

        def train_loss() -> torch.Tensor:
            restore_buffers()
            return search.loss(*train)

        def valid_loss() -> torch.Tensor:
            # Forward the unrolled weights on copies of the BN buffers (the original runs a
            # model copy), so the real running statistics only see the training passes.
            for module in model.modules():
                for name, buf in module._buffers.items():
                    if buf is not None:
                        originals[(module, name)] = buf
                        module._buffers[name] = buf.clone()
            return search.loss(*valid)

        try:
            grads = unrolled_arch_gradient(
                params, arch, train_loss, valid_loss, xi=lr, momentum=search.hp.momentum,
                weight_decay=search.hp.weight_decay, momentum_buffers=buffers)
        finally:
            restore_buffers()
        search.arch_optimizer.zero_grad(set_to_none=True)
        for a, g in zip(arch, grads, strict=True):
            a.grad = g.detach().clone()
        _finish(search)
