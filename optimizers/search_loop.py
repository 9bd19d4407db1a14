"""The one search loop every method shares (DARTS-family: docs/original-code.md#search-loop).

Per minibatch: one architecture step on (train batch, valid batch) through the method's
update rule, then one SGD step on the weights with gradient-norm clipping. Per epoch: the
cosine learning rate (eta_min 0.001), the method's temperature, and after training an
evaluation of the one-shot model on the architecture split. The loop receives batches from
a `BatchSource` and reports each epoch, epoch 0 being the initial weights, to a callback;
it never touches files. `state_dict` holds everything needed to resume bit-identically on
CPU (weights, architecture logits, both optimizers, RNG state, progress).

Declared hooks with no-op defaults serve the sampling methods without a second loop: a
method's `make_selector` chooses the reported architecture by screening samples (Random-WS,
ENAS), an update rule's `end_epoch` runs after each epoch's evaluation (ENAS trains its
controller there), and its `state_dict` (None for most rules) is checkpointed with the
search.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from nb1s.enumerate import SearchSpace

from .arch_weights import ArchWeights
from .config.hyperparameters import Hyperparameters
from .config.options import Options
from .discretize import discrete_config_id
from .registry import OneShotMethod
from .subnetwork import write_config
from .supernet import Supernet

Batch = tuple[torch.Tensor, torch.Tensor]


class BatchSource(Protocol):
    """Where the search gets its data; the harness implements it (device-resident)."""

    def train_pairs(self, epoch: int, epochs: int) -> Iterable[tuple[Batch, Batch]]:
        """(weights batch, architecture batch) pairs for one training epoch."""
        ...

    def eval_batches(self, epoch: int) -> Iterable[Batch]:
        """Architecture-split batches for the one-shot validation error after `epoch`."""
        ...


@dataclass
class EpochResult:
    """What the loop measured at one epoch boundary (epoch 0 = before any training)."""

    epoch: int
    config_id: int
    arch_weights: dict[str, npt.NDArray[np.float32]]
    oneshot_train_error: float | None
    oneshot_valid_error: float | None
    train_loss: float | None
    lr: float | None
    temperature: float | None
    wall_time_s: float
    #: one-shot error of the reported architecture on the whole selection split, for
    #: methods that choose it by screening samples (Random-WS, ENAS); None otherwise
    selection_valid_error: float | None = None


EpochCallback = Callable[[EpochResult, "OneShotSearch"], None]


def zero_gradients(optimizer: torch.optim.Optimizer, mode: str) -> None:
    """Clear the weight gradients before a weight step, as option `zero_grad` says.

    It matters wherever an op can sit out a step (GDAS's unsampled ops, Random-WS/ENAS
    with `subnet_forward=sampled`): `in_place` (the authors' torch 1.3, whose
    `zero_grad` zeroed every existing gradient tensor) leaves a zero gradient on a weight
    that once had one, so SGD still applies weight decay and the momentum buffer to it;
    `none` leaves no gradient, so SGD skips that weight entirely.
    """
    if mode not in ("in_place", "none"):
        raise ValueError(f"unknown zero_grad mode {mode!r}: choose in_place or none")
    optimizer.zero_grad(set_to_none=mode == "none")


def cosine_lr(hp: Hyperparameters, index: int) -> float:
    """CosineAnnealingLR's closed form: eta_min + (lr - eta_min) * (1 + cos(pi i / E)) / 2."""
    return hp.learning_rate_min + (hp.learning_rate - hp.learning_rate_min) * (
        1 + math.cos(math.pi * index / hp.epochs)
    ) / 2


class OneShotSearch:
    """Supernet, architecture weights, optimizers and progress of one search run."""

    def __init__(self, method: OneShotMethod, space: SearchSpace, hp: Hyperparameters,
                 options: Options, seed: int, device: torch.device | str = "cpu",
                 lean_backward: bool = True) -> None:
        self.method = method
        #: skip gradients the step throws away (see `arch_backward`, `weight_backward`);
        #: False runs the plain backward of the original code (tests and benchmarks)
        self.lean_backward = lean_backward
        self.space = space
        self.hp = hp
        self.options = options
        self.device = torch.device(device)
        if hp.deterministic:
            # cuBLAS needs a fixed workspace to be deterministic (read at CUDA start-up).
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
        elif self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        torch.manual_seed(seed)
        self.model = Supernet(space, options, hp.init_channels, hp.layers,
                              partial=hp.partial_channels).to(self.device)
        if hp.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
        self.arch = ArchWeights(space).to(self.device)
        self.mixing = method.make_mixing(hp)
        self.update = method.make_update(hp)
        self.selector = method.make_selector(hp)
        self.weight_optimizer = torch.optim.SGD(
            self.model.parameters(), lr=hp.learning_rate, momentum=hp.momentum,
            weight_decay=hp.weight_decay)
        self.arch_optimizer = torch.optim.Adam(
            self.arch.parameters(), lr=hp.arch_learning_rate,
            betas=(hp.arch_beta1, hp.arch_beta2), weight_decay=hp.arch_weight_decay)
        self.criterion = nn.CrossEntropyLoss()
        self._weights = list(self.model.parameters())
        #: last epoch reported to the callback (-1: not even the initial weights yet)
        self.reported = -1
        self.wall_time_s = 0.0

    # --- building blocks ---------------------------------------------------------------
    def lr_for_epoch(self, epoch: int) -> float:
        shift = 1 if self.options.lr_schedule == "shifted" else 0
        return cosine_lr(self.hp, epoch + shift)

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.hp.amp_bf16 and self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        if self.hp.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        weights = self.mixing.cell_weights(self.arch, self.hp.layers)
        with self._autocast():
            out: torch.Tensor = self.model(x, weights)
        # back to float32 after bf16 autocast; a float64 model (equality tests) stays float64
        return out.float() if out.dtype in (torch.bfloat16, torch.float16) else out

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of the supernet under freshly mixed architecture weights."""
        out: torch.Tensor = self.criterion(self.logits(x), y)
        return out

    def arch_backward(self, loss: torch.Tensor) -> None:
        """Backward of an architecture step's loss into the architecture gradients.

        The original's plain backward also fills every weight gradient, which the weight
        step then clears: with `zero_grad=none` they are dropped, with `in_place` zeroed
        (leaving only the fact that a gradient tensor exists). Skipping them is therefore
        exactly equal whenever the weight step's own backward reaches every weight the
        architecture step reached, i.e. unless GDAS skips unsampled ops under `in_place`
        zeroing (there an op sampled only in the architecture step gets a zero gradient,
        and so SGD's decay and momentum, in the original). Only there is the plain
        backward kept.
        """
        if self.lean_backward and (self.options.zero_grad == "none"
                                   or not self.mixing.skip_unsampled):
            loss.backward(inputs=list(self.arch.parameters()))
        else:
            loss.backward()

    def weight_backward(self, loss: torch.Tensor) -> None:
        """Backward of a weight step's loss into the weight gradients.

        The plain backward also accumulates architecture gradients; every architecture
        update clears them before its own backward and nothing else reads them, so
        restricting the backward to the weights leaves every result unchanged.
        """
        if self.lean_backward:
            loss.backward(inputs=self._weights)
        else:
            loss.backward()

    def config_id(self) -> int:
        return discrete_config_id(self.space, self.arch.as_numpy())

    def choose_architecture(self, source: BatchSource, epoch: int) -> tuple[int, float | None]:
        """The config id to report after `epoch` and, when screened, its one-shot error.

        Without a selector it is the discretized logits. With one, the selected
        architecture's 0/1 weights are written into the logits, so `arch_weights` of the
        record discretizes back to the reported architecture.
        """
        if self.selector is None:
            return self.config_id(), None
        selection = self.selector.select(self, source, epoch)
        write_config(self.arch, selection.config)
        return selection.config_id, selection.valid_error

    def _set_temperature(self, epoch: float) -> float | None:
        tau = self.method.temperature(self.hp, epoch)
        if tau is not None:
            self.mixing.temperature = tau
        return tau

    @torch.no_grad()
    def evaluate(self, batches: Iterable[Batch]) -> float | None:
        """Top-1 error of the one-shot model in eval mode (None when there is no batch)."""
        self.model.eval()
        wrong = torch.zeros((), dtype=torch.int64, device=self.device)
        total = 0
        for x, y in batches:
            wrong += (self.logits(x).argmax(dim=1) != y).sum()
            total += int(y.shape[0])
        return float(wrong) / total if total else None

    def train_epoch(self, pairs: Iterable[tuple[Batch, Batch]], epoch: int
                    ) -> tuple[float | None, float | None, float]:
        """One epoch of alternating architecture and weight steps; (error, loss, lr)."""
        lr = self.lr_for_epoch(epoch)
        for group in self.weight_optimizer.param_groups:
            group["lr"] = lr
        self.model.train()
        wrong = torch.zeros((), dtype=torch.int64, device=self.device)
        loss_sum = torch.zeros((), dtype=torch.float64, device=self.device)
        total = 0
        for train, valid in pairs:
            if epoch >= self.hp.warm_start_epochs:
                self.update.step(self, train, valid, lr)
            zero_gradients(self.weight_optimizer, self.options.zero_grad)
            x, y = train
            logits = self.logits(x)
            loss = self.criterion(logits, y)
            self.weight_backward(loss)
            nn.utils.clip_grad_norm_(self.model.parameters(), self.hp.grad_clip)
            self.weight_optimizer.step()
            n = int(y.shape[0])
            wrong += (logits.detach().argmax(dim=1) != y).sum()
            loss_sum += loss.detach().double() * n
            total += n
        if not total:
            return None, None, lr
        return float(wrong) / total, float(loss_sum) / total, lr

    # --- the loop ------------------------------------------------------------------------
    def run(self, source: BatchSource, on_epoch: EpochCallback | None = None) -> None:
        """Report epoch 0, then train until `hp.epochs`, resuming after `self.reported`."""
        if self.reported < 0:
            start = time.perf_counter()
            self._set_temperature(0)
            valid_error = self.evaluate(source.eval_batches(0))
            config_id, selection_error = self.choose_architecture(source, 0)
            self.wall_time_s += time.perf_counter() - start
            self.reported = 0
            self._report(on_epoch, EpochResult(
                epoch=0, config_id=config_id, arch_weights=self.arch.as_numpy(),
                oneshot_train_error=None, oneshot_valid_error=valid_error, train_loss=None,
                lr=None, temperature=None, wall_time_s=self.wall_time_s,
                selection_valid_error=selection_error))
        for epoch in range(self.reported, self.hp.epochs):
            start = time.perf_counter()
            tau = self._set_temperature(epoch)
            train_error, train_loss, lr = self.train_epoch(
                source.train_pairs(epoch, self.hp.epochs), epoch)
            self._set_temperature(epoch + 1)
            valid_error = self.evaluate(source.eval_batches(epoch + 1))
            self.update.end_epoch(self, source, epoch + 1)  # ENAS: the controller's steps
            config_id, selection_error = self.choose_architecture(source, epoch + 1)
            self.wall_time_s += time.perf_counter() - start
            self.reported = epoch + 1
            self._report(on_epoch, EpochResult(
                epoch=epoch + 1, config_id=config_id, arch_weights=self.arch.as_numpy(),
                oneshot_train_error=train_error, oneshot_valid_error=valid_error,
                train_loss=train_loss, lr=lr, temperature=tau, wall_time_s=self.wall_time_s,
                selection_valid_error=selection_error))

    def _report(self, on_epoch: EpochCallback | None, result: EpochResult) -> None:
        if on_epoch is not None:
            on_epoch(result, self)

    # --- checkpointing -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "model": self.model.state_dict(),
            "arch": self.arch.state_dict(),
            "weight_optimizer": self.weight_optimizer.state_dict(),
            "arch_optimizer": self.arch_optimizer.state_dict(),
            "reported": self.reported,
            "wall_time_s": self.wall_time_s,
            "temperature": self.mixing.temperature,
            "torch_rng": torch.get_rng_state(),
            # which weights hold a gradient tensor: under zero_grad=in_place they get SGD's
            # decay/momentum step even when unused, so a resumed run must have the same set
            "grad_present": [p.grad is not None for p in self.model.parameters()],
        }
        update_state = self.update.state_dict()
        if update_state is not None:  # an update rule with state of its own
            state["update"] = update_state
        if self.device.type == "cuda":
            state["cuda_rng"] = torch.cuda.get_rng_state(self.device)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.arch.load_state_dict(state["arch"])
        self.weight_optimizer.load_state_dict(state["weight_optimizer"])
        self.arch_optimizer.load_state_dict(state["arch_optimizer"])
        self.reported = int(state["reported"])
        self.wall_time_s = float(state["wall_time_s"])
        self.mixing.temperature = state["temperature"]
        torch.set_rng_state(state["torch_rng"])
        for param, present in zip(self.model.parameters(), state.get("grad_present", []),
                                  strict=False):
            param.grad = torch.zeros_like(param) if present else None
        if "update" in state:
            self.update.load_state_dict(state["update"])
        if "cuda_rng" in state and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["cuda_rng"], self.device)
