"""The black-box side is read through the blackbox kind's names, and is optional."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nb1s.harness.experiments.bohb import blackbox_adapter


def test_without_the_blackbox_kind_the_bohb_side_still_runs(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "nb1s.harness.experiments.blackbox.curves", None)
    assert not blackbox_adapter.available()
    assert blackbox_adapter.curves(Path("."), 1, "best_validation", np.ones(3), 0.05) == {}


def test_curves_come_from_load_and_regret_curve(monkeypatch: Any) -> None:
    calls: list[tuple[Any, ...]] = []
    fake = types.ModuleType("nb1s.harness.experiments.blackbox.curves")

    def load(folder: Path) -> dict[tuple[int, str], Any]:
        return {(1, "RE"): types.SimpleNamespace(records="re-records"),
                (2, "RS"): types.SimpleNamespace(records="rs-records")}

    def regret_curve(records: str, best: float, incumbent: str, grid: Any,
                     left_edge: str = "blank") -> Any:
        calls.append((records, best, incumbent))
        return np.zeros((500, len(grid)))

    fake.load_blackbox_results = load  # type: ignore[attr-defined]
    fake.regret_curve = regret_curve  # type: ignore[attr-defined]
    fake.best_test_error = lambda store, space: 0.04  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nb1s.harness.experiments.blackbox.curves", fake)
    assert blackbox_adapter.available()
    out = blackbox_adapter.curves(Path("."), 1, "test_oracle", np.ones(4), 0.05)
    assert list(out) == ["RE"] and out["RE"].shape == (500, 4)
    assert calls == [("re-records", 0.05, "test_oracle")]
    assert blackbox_adapter.best_test_error(object(), 1) == 0.04
    # under `original` both sides subtract the original's single-repeat constant
    assert blackbox_adapter.best_test_error(object(), 1, "published_constants") == \
        pytest.approx(0.05448716878890991)
