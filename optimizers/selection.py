"""Choosing the architecture a sampling method reports: screen many, fully score the best.

Random-WS and ENAS have no architecture logits to discretize. After each epoch the
original samples `selection_samples` architectures (uniformly for Random-WS, from the
controller for ENAS), scores each with the shared weights in eval mode on only
`selection_batches` minibatches of a persistent, shared batch stream (so candidates see
*different* batches, docs/original-code.md#screening-selection), keeps the `selection_top_k` lowest
errors and scores those on the whole selection split; the lowest of these is the epoch's
architecture (docs/original-code.md#screening-selection). The sampler is the only part that differs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nb1s.enumerate import Config, encode

from .subnetwork import activate

if TYPE_CHECKING:
    from .search_loop import Batch, BatchSource, OneShotSearch

Sampler = Callable[["OneShotSearch"], Config]


@dataclass(frozen=True)
class Selection:
    """The chosen architecture and its one-shot error on the full selection split."""

    config: Config
    config_id: int
    valid_error: float


def endless_batches(source: BatchSource, epoch: int) -> Iterator[Batch]:
    """The selection split over and over, a fresh draw each pass (a persistent iterator)."""
    while True:
        empty = True
        for batch in source.eval_batches(epoch):
            empty = False
            yield batch
        if empty:
            raise ValueError("the selection split yields no batches")


class ScreenSelector:
    """Sample, screen on a few batches each, fully evaluate the best few, return the best."""

    def __init__(self, sample: Sampler, samples: int, batches: int, top_k: int) -> None:
        if samples < 1 or batches < 1 or top_k < 1:
            raise ValueError("selection_samples, selection_batches and selection_top_k "
                             "must be at least 1")
        self.sample = sample
        self.samples = samples
        self.batches = batches
        self.top_k = top_k

    def _score(self, search: OneShotSearch, config: Config, batches: Iterator[Batch]
               ) -> float:
        activate(search, config)
        error = search.evaluate(batches)
        if error is None:
            raise ValueError("the selection split yields no batches")
        return error

    def select(self, search: OneShotSearch, source: BatchSource, epoch: int) -> Selection:
        stream = endless_batches(source, epoch)
        screened: list[tuple[float, Config]] = []
        for _ in range(self.samples):
            config = self.sample(search)
            error = self._score(search, config, itertools.islice(stream, self.batches))
            screened.append((error, config))
        # stable: among equal screening errors the earlier sample ranks first
        screened.sort(key=lambda pair: pair[0])
        finalists = [(self._score(search, config, iter(source.eval_batches(epoch))), config)
                     for _, config in screened[: self.top_k]]
        finalists.sort(key=lambda pair: pair[0])
        error, best = finalists[0]
        space = search.space
        return Selection(best, encode(space, best.parents, best.ops), error)
