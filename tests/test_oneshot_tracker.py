"""The per-epoch NB101 tracker: lookup, regret references, other budgets (fake store)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from nb1s.enumerate import load_index
from nb1s.harness.errors import UserError
from nb1s.harness.references import paper
from nb1s.harness.search.tracker import NB101Tracker, regret_minimum


@dataclass
class FakeErrors:
    test_error: np.ndarray
    valid_error: np.ndarray


class FakeStore:
    """Errors as a deterministic function of the config id; two budgets."""

    def __init__(self) -> None:
        self.provenance: dict[str, Any] = {"synthetic": True}
        self.budgets = [36, 108]

    def space_errors(self, space: int, config_ids: np.ndarray, budget: int = 108) -> FakeErrors:
        ids = np.asarray(config_ids, dtype=np.float64)[:, None]
        base = 0.05 + (ids % 97) / 1000.0 + (0.1 if budget == 36 else 0.0)
        return FakeErrors(test_error=base + np.array([0.0, 0.01, 0.02]),
                          valid_error=base + np.array([0.005, 0.0, -0.005]))

    def space_minimum(self, space: int, budget: int = 108) -> dict[str, float]:
        return {"test_min_of_means": 0.06, "valid_min_of_means": 0.05,
                "test_min_single_repeat": 0.05, "valid_min_single_repeat": 0.045}


def test_lookup_record_and_regret() -> None:
    tracker = NB101Tracker(FakeStore(), 1)
    rec = tracker.lookup(200)
    base = 0.05 + (200 % 97) / 1000.0
    assert rec["config_id"] == 200
    assert rec["nb101_hash"] == load_index(1).hash_of(200)
    assert rec["test_error_repeats"] == pytest.approx([base, base + 0.01, base + 0.02])
    assert rec["test_error_mean"] == pytest.approx(base + 0.01)
    assert rec["test_regret"] == pytest.approx(base + 0.01 - 0.06)
    assert rec["valid_regret"] == pytest.approx(base - 0.05)
    assert rec["budgets"]["36"]["test_error_mean"] == pytest.approx(base + 0.11)
    assert "108" not in rec["budgets"]


def test_regret_references() -> None:
    store = FakeStore()
    assert regret_minimum(store, 2, "min_single_repeat")["test"] == 0.05
    assert regret_minimum(store, 2, "min_of_means")["valid"] == 0.05
    published = regret_minimum(store, 3, "published_constants")
    assert published["test"] == paper()["regret_constants"]["test_min_error"][3]
    assert "nasbench-1shot1" in published["source"]
    with pytest.raises(UserError, match="regret_reference"):
        regret_minimum(store, 1, "best_guess")
