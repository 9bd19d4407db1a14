"""One-query-at-a-time evaluation for the library optimizers (TPE, SMAC, HB, BOHB).

The libraries call back with one configuration (name -> label) and, for HB/BOHB, a
budget. `SequentialEvaluator` converts it to a config id, draws the NB101 repeat from the
seed's own stream, queries the objective, keeps the record and returns the loss (the
validation error) that the library minimises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .encoding import DiscreteEncoding
from .objective import Evaluation, Objective
from .records import Trajectory, records_from_sequence
from .streams import REPEATS, generator


class SequentialEvaluator:
    """Callable loss for a library, recording every query in order."""

    def __init__(self, encoding: DiscreteEncoding, objective: Objective, seed: int,
                 optimizer: str) -> None:
        self.encoding = encoding
        self.objective = objective
        self.seed = int(seed)
        self._repeats = generator(self.seed, REPEATS, optimizer)
        self._ids: list[int] = []
        self._budgets: list[int] = []
        self._results: list[Evaluation] = []

    def __len__(self) -> int:
        return len(self._ids)

    def __call__(self, values: Mapping[str, Any], budget: int = 108) -> float:
        config_id = self.encoding.ids_from_values([values])
        result = self.objective(config_id, int(budget), np.asarray([self._repeats.random()]))
        self._ids.append(int(config_id[0]))
        self._budgets.append(int(budget))
        self._results.append(result)
        return float(result.valid_error[0])

    def trajectory(self, name: str, limit: int | None = None) -> Trajectory:
        """The records so far (the first `limit` of them when given)."""
        n = len(self._ids) if limit is None else min(limit, len(self._ids))
        results = self._results[:n]
        hashes = (None if not results or results[0].hashes is None
                  else np.concatenate([r.hashes for r in results if r.hashes is not None]))
        evaluation = Evaluation(
            valid_error=np.concatenate([r.valid_error for r in results]) if n else np.zeros(0),
            test_error=np.concatenate([r.test_error for r in results]) if n else np.zeros(0),
            train_time=np.concatenate([r.train_time for r in results]) if n else np.zeros(0),
            hashes=hashes)
        records = records_from_sequence(self.seed, self._ids[:n], self._budgets[:n], evaluation)
        return Trajectory(name, self.encoding.space.number, records)
