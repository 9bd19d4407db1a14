"""The black-box side of fig5/14/15 is read through harness/blackbox_runs/ (below both kinds)."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nb1s.harness.blackbox_runs import curves as bb_curves
from nb1s.harness.experiments.bohb import blackbox_adapter


def test_curves_come_from_load_and_regret_curve(monkeypatch: Any) -> None:
    calls: list[tuple[Any, ...]] = []

    def load(folder: Path, damaged: Any = None) -> dict[tuple[int, str], Any]:
        return {(1, "RE"): types.SimpleNamespace(records="re-records"),
                (2, "RS"): types.SimpleNamespace(records="rs-records")}

    def regret_curve(records: str, best: float, incumbent: str, grid: Any,
                     left_edge: str = "blank") -> Any:
        calls.append((records, best, incumbent))
        return np.zeros((500, len(grid)))

    monkeypatch.setattr(bb_curves, "load_blackbox_results", load)
    monkeypatch.setattr(bb_curves, "regret_curve", regret_curve)
    monkeypatch.setattr(bb_curves, "best_test_error", lambda store, space: 0.04)
    out = blackbox_adapter.curves(Path("."), 1, "test_oracle", np.ones(4), 0.05)
    assert list(out) == ["RE"] and out["RE"].shape == (500, 4)
    assert calls == [("re-records", 0.05, "test_oracle")]
    assert blackbox_adapter.best_test_error(object(), 1) == 0.04
    # under `original` both sides subtract the original's single-repeat constant
    assert blackbox_adapter.best_test_error(object(), 1, "published_constants") == \
        pytest.approx(0.05448716878890991)


def test_an_empty_folder_has_no_blackbox_curves(tmp_path: Path) -> None:
    assert blackbox_adapter.curves(tmp_path, 1, "best_validation", np.ones(3), 0.05) == {}
