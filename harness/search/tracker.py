"""The per-epoch NAS-Bench-101 tracker the harness injects into a one-shot search.

Each epoch's discrete architecture arrives as a config id; the tracker looks it up through
the enumerator's index and the NB101 store (mean and all three repeats of test and
validation error at 108 epochs, plus the means at every other budget the data has) and
computes the regret against the space's minimum. Which minimum is option
`regret_reference`:

- `min_of_means` (default): the best architecture by its 3-repeat mean, computed from the
  data, so a perfect search has regret 0;
- `min_single_repeat`: the best single training run, computed from the data (the rule
  behind the original code's constants);
- `published_constants`: the constants hard-coded in the original code (`paper.yaml`),
  for comparing with the published curves; they belong to the real NB101 data only.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from nb1s.enumerate import load_index
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.search_settings import REGRET_REFERENCES
from nb1s.harness.references import paper

MAIN_BUDGET = 108


class ErrorsLike(Protocol):
    test_error: np.ndarray
    valid_error: np.ndarray


class StoreLike(Protocol):
    """The part of `nb1s.harness.nb101.store.NB101Store` the tracker uses."""

    @property
    def budgets(self) -> list[int]: ...

    @property
    def provenance(self) -> dict[str, Any]: ...

    def space_errors(self, space: int, config_ids: np.ndarray,
                     budget: int = 108) -> ErrorsLike: ...

    def space_minimum(self, space: int, budget: int = 108) -> dict[str, float]: ...


def regret_minimum(store: StoreLike, space: int, reference: str) -> dict[str, Any]:
    """The test and validation minimum regrets are measured against, with their source."""
    if reference == "published_constants":
        constants = paper()["regret_constants"]
        return {"reference": reference, "test": float(constants["test_min_error"][space]),
                "valid": float(constants["valid_min_error"][space]),
                "source": constants["source"]}
    if reference not in REGRET_REFERENCES:
        raise UserError(f"unknown regret_reference {reference!r}: choose one of "
                        f"{', '.join(REGRET_REFERENCES)}")
    suffix = "min_of_means" if reference == "min_of_means" else "min_single_repeat"
    minimum = store.space_minimum(space, MAIN_BUDGET)
    return {"reference": reference, "test": float(minimum[f"test_{suffix}"]),
            "valid": float(minimum[f"valid_{suffix}"]),
            "source": f"computed from the NB101 data over every architecture of space {space}"}


class NB101Tracker:
    """Turns a config id into the NB101 part of an epoch record."""

    def __init__(self, store: StoreLike, space: int,
                 regret_reference: str = "min_of_means") -> None:
        self.store = store
        self.space = space
        self.index = load_index(space)
        self.minimum = regret_minimum(store, space, regret_reference)
        self.other_budgets = [b for b in store.budgets if b != MAIN_BUDGET]

    def lookup(self, config_id: int) -> dict[str, Any]:
        ids = np.asarray([config_id], dtype=np.int64)
        errors = self.store.space_errors(self.space, ids, MAIN_BUDGET)
        test = [float(v) for v in np.asarray(errors.test_error)[0]]
        valid = [float(v) for v in np.asarray(errors.valid_error)[0]]
        test_mean = float(np.mean(test))
        valid_mean = float(np.mean(valid))
        record: dict[str, Any] = {
            "config_id": int(config_id),
            "nb101_hash": self.index.hash_of(config_id),
            "test_error_mean": test_mean,
            "valid_error_mean": valid_mean,
            "test_error_repeats": test,
            "valid_error_repeats": valid,
            "test_regret": test_mean - self.minimum["test"],
            "valid_regret": valid_mean - self.minimum["valid"],
        }
        if self.other_budgets:
            by_budget = {}
            for budget in self.other_budgets:
                e = self.store.space_errors(self.space, ids, budget)
                by_budget[str(budget)] = {
                    "test_error_mean": float(np.mean(np.asarray(e.test_error)[0])),
                    "valid_error_mean": float(np.mean(np.asarray(e.valid_error)[0])),
                }
            record["budgets"] = by_budget
        return record
