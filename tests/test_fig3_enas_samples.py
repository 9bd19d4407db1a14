"""Figure 3's ENAS evaluation set (issue 21): `enas_samples` controller samples, the paper's
and the released script's 100, instead of the architecture set of the other methods."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch

from nb1s.enumerate import encode, get_space
from nb1s.harness.errors import UserError
from nb1s.harness.experiments.correlation import compute
from nb1s.harness.experiments.correlation.compute import Snapshot, controller_samples
from nb1s.harness.experiments.correlation.reproduce import _evaluate_run, enas_samples
from nb1s.harness.recipe.catalog import load_recipe
from nb1s.harness.recipe.plan import plan_recipe
from nb1s.harness.recipe.schema import ByProtocol
from nb1s.optimizers import Options, get_method
from nb1s.optimizers.search_loop import OneShotSearch


def _search(method: str = "enas") -> OneShotSearch:
    m = get_method(method)
    return OneShotSearch(m, get_space(2), m.hyperparameters(epochs=2, init_channels=4,
                                                             layers=3), Options(), seed=0)


def test_recipe_pins_100_under_both_protocols_with_the_papers_words() -> None:
    recipe = load_recipe("fig3")
    field = recipe.settings["enas_samples"]
    assert isinstance(field, ByProtocol)
    assert (field.paper, field.original) == (100, 100)
    assert "sampling 100 architectures" in field.source.paper
    assert "evaluate_one_shot_models_enas.py" in field.source.original
    assert not recipe.requires  # nothing of Figure 3 is left out any more
    for protocol in ("paper", "original"):
        plan = plan_recipe(recipe, "paper", protocol)
        spec = next(r for r in plan.runs if r.optimizer == "enas")
        assert enas_samples(spec, plan.settings) == 100
        other = next(r for r in plan.runs if r.optimizer == "darts")
        assert enas_samples(other, plan.settings) == 0  # only ENAS has a controller
    with pytest.raises(UserError, match="enas_samples must be 0 or more"):
        enas_samples(spec, {**plan.settings, "enas_samples": -1})


def test_controller_samples_are_the_controllers_draws_seeded_and_leave_rng_alone() -> None:
    search = _search()
    controller = search.update.ensure(search)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    ids = controller_samples(search, 100, seed=0)
    assert torch.equal(torch.get_rng_state(), before)  # the search's stream is untouched
    assert ids.shape == (100,) and ids.dtype == np.int64
    torch.manual_seed(0)
    with torch.no_grad():
        drawn = [controller().config for _ in range(100)]
    assert ids.tolist() == [encode(search.space, c.parents, c.ops) for c in drawn]
    assert np.array_equal(controller_samples(search, 100, seed=0), ids)
    assert not np.array_equal(controller_samples(search, 100, seed=1), ids)
    with pytest.raises(UserError, match="need an ENAS run"):
        controller_samples(_search("darts"), 10, seed=0)


class _Store:
    budgets = (108,)

    def space_errors(self, space: int, ids: Any, budget: int) -> Any:
        ids = np.asarray(ids)
        return SimpleNamespace(test_error=np.stack([ids % 97, ids % 89, ids % 83], 1) / 100.0)


@pytest.mark.parametrize("samples", [100, 0])
def test_the_enas_value_changes_the_architectures_scored(
        samples: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the recipe's 100 the ENAS snapshot is scored on 100 controller draws; with 0 on
    the architecture set (here the smoke-sized sample of 16) like every other method."""
    search = _search()
    scored: list[list[int]] = []

    def errors(model: Any, space: Any, ids: list[int], batches: Any, mode: str) -> Any:
        assert mode == "exact"  # ENAS's discrete evaluation
        scored.append(list(ids))
        return np.linspace(0.1, 0.9, len(ids))

    monkeypatch.setattr(compute, "load_snapshot",
                        lambda run, epoch, device: Snapshot(search, {}, epoch))
    monkeypatch.setattr("nb1s.optimizers.fixed_evaluation.architecture_errors", errors)
    plan = plan_recipe(load_recipe("fig3"), "paper", "paper")
    spec = next(r for r in plan.runs if r.optimizer == "enas" and r.space == 2)
    settings = {**plan.settings, "enas_samples": samples, "sample": 16,
                "nb101_budgets": [108]}
    run = tmp_path / "run"
    run.mkdir()
    row = _evaluate_run(spec, run, 5, settings, _Store(), [], "cpu")
    if samples:
        assert row["n_architectures"] == 100 and "controller" in row["architectures"]
        assert scored[0] == controller_samples(search, 100, 0).tolist()
    else:
        assert row["n_architectures"] == 16 and "controller" not in row["architectures"]
        assert scored[0] == compute.sample_architectures(2, settings["architecture_set"], 16,
                                                         0).tolist()
    # the cache remembers the count: another value is evaluated again
    again = _evaluate_run(spec, run, 5, {**settings, "enas_samples": 100 - samples}, _Store(),
                          [], "cpu")
    assert len(scored) == 2 and again["n_architectures"] != row["n_architectures"]
