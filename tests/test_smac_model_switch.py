"""The recipe switch `smac_model` (issue 21): from the recipes through the grid's settings
and run file to SMAC itself. All NB101 numbers here are SYNTHETIC (the smoke index)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from blackbox_helpers import build_full_index

from nb1s.harness.blackbox_runs.grid import (
    RUN_FILE,
    _run_task,
    _Task,
    grid_settings,
    load_records,
    run_blackbox_grid,
    run_folder,
    seed_file,
)
from nb1s.harness.errors import UserError
from nb1s.harness.experiments.blackbox.kind import resolve_settings
from nb1s.harness.nb101.store import NB101Store
from nb1s.harness.recipe.catalog import load_recipe
from nb1s.harness.recipe.plan import plan_header
from nb1s.harness.recipe.schema import ByProtocol, Sourced
from nb1s.optimizers.discrete import registry

TRIALS = 25


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_index(tmp_path_factory.mktemp("smac-model-data"))


def test_recipes_name_the_switch_with_both_protocol_values() -> None:
    """Both recipes resolve `original` under both protocols, each with its own source."""
    from nb1s.harness.experiments.bohb.kind import KIND as BOHB

    recipe = load_recipe("blackbox")
    for protocol in ("paper", "original"):
        settings = resolve_settings(recipe, plan_header(recipe, "paper", protocol))
        assert settings.smac_model == "original"
        assert "run_smac.py" in settings.sources["smac_model"] or protocol == "paper"
        fig5 = BOHB.plan(load_recipe("fig5"), "paper", protocol).settings
        assert fig5["blackbox_smac_model"] == "original"
    pin = recipe.settings["smac_model"]
    assert isinstance(pin, ByProtocol) and pin.source.paper.startswith("paper silent")
    # `facade` is available by name; anything else is refused in one line
    facade = recipe.model_copy(update={"settings": {
        **recipe.settings, "smac_model": Sourced[Any](value="facade", source="test")}})
    assert resolve_settings(facade, plan_header(facade)).smac_model == "facade"
    bad = recipe.model_copy(update={"settings": {
        **recipe.settings, "smac_model": Sourced[Any](value="smac4", source="test")}})
    with pytest.raises(UserError, match="smac_model='smac4'"):
        resolve_settings(bad, plan_header(bad))


def test_the_model_reaches_smac_through_a_task(index_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A grid task (local worker or Slurm array task: the same `_run_task`) hands SMAC the
    model of its settings, and no other optimizer gets SMAC's option."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def fake(name: str, space: int, objective: Any, seeds: Any, n: int,
             options: dict[str, Any] | None = None) -> Any:
        seen.append((name, dict(options or {})))
        raise RuntimeError("stop")

    monkeypatch.setattr("nb1s.optimizers.discrete.run_blackbox", fake)
    store = NB101Store(index_dir)
    for name, model in (("SMAC", "facade"), ("SMAC", "original"), ("TPE", "facade")):
        settings = grid_settings(name, 1, 5, store, "one_random_repeat", model)
        with pytest.raises(RuntimeError, match="stop"):
            _run_task(_Task(settings, (0,), "unused"))
    assert seen == [("SMAC", {"model": "facade"}), ("SMAC", {"model": "original"}),
                    ("TPE", {})]
    assert registry.BLACKBOX_OPTIMIZERS["SMAC"].runner.__name__ == "smac"


def test_two_models_give_two_smac_trajectories_and_never_share_a_folder(
        index_dir: Path, tmp_path: Path) -> None:
    """`original` and `facade` choose different architectures for the same seed and data;
    the run file records the model, so a folder of one model is refused under the other
    (its seed files are never counted as finished there)."""
    runs = {}
    for model in ("original", "facade"):
        out = tmp_path / model
        result = run_blackbox_grid("SMAC", 1, [0], TRIALS, out, data_dir=index_dir,
                                   smac_model=model)
        assert result["smac_model"] == model and result["ran"] == 1
        run_file = json.loads((run_folder(out, 1, "SMAC") / RUN_FILE).read_text())
        assert run_file["smac_model"] == model
        runs[model] = load_records(seed_file(out, 1, "SMAC", 0))
    assert len(runs["original"]) == len(runs["facade"]) == TRIALS
    assert not np.array_equal(runs["original"]["config_id"], runs["facade"]["config_id"])
    with pytest.raises(UserError, match="smac_model: 'original' there, 'facade' now"):
        run_blackbox_grid("SMAC", 1, [0, 1], TRIALS, tmp_path / "original",
                          data_dir=index_dir, smac_model="facade")
    assert not seed_file(tmp_path / "original", 1, "SMAC", 1).exists()
    with pytest.raises(UserError, match="unknown SMAC model 'smac4'"):
        run_blackbox_grid("SMAC", 1, [0], TRIALS, tmp_path / "x", data_dir=index_dir,
                          smac_model="smac4")
