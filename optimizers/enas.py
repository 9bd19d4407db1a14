"""ENAS (Pham et al., 2018) as in the NAS-Bench-1Shot1 code (paper Algorithm 5,
docs/original-code.md#enas).

Components on top of the shared loop: `SubnetMixing` (one discrete sub-network at a time),
`ControllerSampling` as the per-minibatch "architecture step" (a controller sample, no
learning) whose `end_epoch` trains the controller with REINFORCE after each child epoch,
and a `ScreenSelector` that screens controller samples on one batch each.

Per epoch, as the original: a full child epoch with a fresh controller sample per
minibatch; then `controller_steps` (300) REINFORCE steps, each on one architecture-split
batch with reward = accuracy in percent + `controller_entropy_weight` * entropy, the
baseline updated *before* the advantage (b <- 0.99 b + 0.01 R, from 0), loss
(-log p) * (R - b), Adam(3.5e-4, betas (0.1, 0.999), eps 1e-3), no clipping. The child
uses weight decay 1e-4 and gradient clip 0.25. `enas_lr_schedule` chooses between the
original's per-minibatch cosine (T_max = epochs, so the learning rate oscillates) and the
DARTS per-epoch schedule the paper's "adapted from DARTS" implies.

Not reproduced (documented in the README): the original's 45k/5k split with rewards from
the 5k part and selection on the CIFAR-10 *test* set; here rewards and selection both use
the architecture split of the shared data pipeline.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, ClassVar

import torch

from .config.hyperparameters import Hyperparameters
from .config.method_defaults import builtin_defaults
from .mixing import Mixing
from .registry import OneShotMethod, register_method
from .selection import ScreenSelector, endless_batches
from .subnetwork import SubnetMixing, activate
from .updates import ArchUpdate

if TYPE_CHECKING:
    from nb1s.enumerate import Config

    from .enas_controller import Controller
    from .search_loop import Batch, BatchSource, OneShotSearch

ADAM_BETAS = (0.1, 0.999)
ADAM_EPS = 1e-3


def reinforce_loss(neg_log_prob: torch.Tensor, reward: float, baseline: float) -> torch.Tensor:
    """(-log p) * (R - b): minimizing it raises log p of better-than-baseline samples."""
    return neg_log_prob * (reward - baseline)


class ControllerSampling(ArchUpdate):
    """Controller samples for the child steps; REINFORCE on the controller after each epoch."""

    def __init__(self, hp: Hyperparameters) -> None:
        self.hp = hp
        self.controller: Controller | None = None
        self.optimizer: torch.optim.Adam | None = None
        self.baseline = 0.0
        self.child_steps = 0
        self._pending: dict[str, Any] | None = None

    def ensure(self, search: OneShotSearch) -> Controller:
        """Build the controller on first use (it needs the space and the device)."""
        if self.controller is None:
            from .enas_controller import Controller

            hp = self.hp
            # Initialise from the current RNG state without advancing it: a resumed run
            # builds the controller at another point of the stream (and then loads it).
            with torch.random.fork_rng(devices=[]):
                controller = Controller(
                    search.space, hp.controller_lstm_size, hp.controller_temperature,
                    hp.controller_tanh_constant, hp.controller_op_tanh_reduce)
            self.controller = controller.to(search.device)
            self.optimizer = torch.optim.Adam(self.controller.parameters(),
                                              lr=hp.controller_learning_rate,
                                              betas=ADAM_BETAS, eps=ADAM_EPS)
            if self._pending is not None:
                self._restore(self._pending)
                self._pending = None
        return self.controller

    def sample(self, search: OneShotSearch) -> Config:
        """A controller sample without gradients (child training and screening)."""
        controller = self.ensure(search)
        with torch.no_grad():
            return controller().config

    def step(self, search: OneShotSearch, train: Batch, valid: Batch, lr: float) -> None:
        del train, valid, lr
        if search.options.enas_lr_schedule == "per_batch":
            from .search_loop import cosine_lr

            for group in search.weight_optimizer.param_groups:
                group["lr"] = cosine_lr(self.hp, self.child_steps)
        self.child_steps += 1
        activate(search, self.sample(search))

    def reinforce_step(self, search: OneShotSearch, batch: Batch) -> float:
        """One controller update on one reward batch; returns the reward."""
        controller = self.ensure(search)
        assert self.optimizer is not None
        sample = controller()
        activate(search, sample.config)
        error = search.evaluate([batch])
        assert error is not None
        reward = 100.0 * (1.0 - error) + self.hp.controller_entropy_weight * float(
            sample.entropy)
        decay = self.hp.controller_baseline_decay
        self.baseline = decay * self.baseline + (1 - decay) * reward
        self.optimizer.zero_grad(set_to_none=True)
        reinforce_loss(sample.neg_log_prob, reward, self.baseline).backward()
        self.optimizer.step()
        return reward

    def end_epoch(self, search: OneShotSearch, source: BatchSource, epoch: int) -> None:
        """`controller_steps` REINFORCE steps with the child in eval mode."""
        stream = endless_batches(source, epoch)
        for batch in itertools.islice(stream, self.hp.controller_steps):
            self.reinforce_step(search, batch)

    # checkpointing (the loop saves it with the search state) ----------------------------
    def state_dict(self) -> dict[str, Any] | None:
        state: dict[str, Any] = {"baseline": self.baseline, "child_steps": self.child_steps}
        if self.controller is not None and self.optimizer is not None:
            state["controller"] = self.controller.state_dict()
            state["optimizer"] = self.optimizer.state_dict()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.baseline = float(state["baseline"])
        self.child_steps = int(state["child_steps"])
        if "controller" in state:
            if self.controller is None:
                self._pending = state  # restored when `ensure` builds the controller
            else:
                self._restore(state)

    def _restore(self, state: dict[str, Any]) -> None:
        assert self.controller is not None and self.optimizer is not None
        self.controller.load_state_dict(state["controller"])
        self.optimizer.load_state_dict(state["optimizer"])


@register_method
class Enas(OneShotMethod):
    name = "enas"
    description = "ENAS, LSTM controller + REINFORCE; best of 1000 one-batch screens"
    defaults: ClassVar[dict[str, Any]] = builtin_defaults("enas")

    def make_mixing(self, hp: Hyperparameters) -> Mixing:
        del hp
        return SubnetMixing()

    def make_update(self, hp: Hyperparameters) -> ControllerSampling:
        return ControllerSampling(hp)

    def make_selector(self, hp: Hyperparameters) -> ScreenSelector:
        return ScreenSelector(controller_config, hp.selection_samples, hp.selection_batches,
                              hp.selection_top_k)


def controller_config(search: OneShotSearch) -> Config:
    """A sample of the search's controller (the selector's sampler)."""
    sampling = search.update
    if not isinstance(sampling, ControllerSampling):
        raise TypeError("controller samples need the ENAS update rule")
    return sampling.sample(search)
