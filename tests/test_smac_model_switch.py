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
from nb1s.harness.experiments.blackbox.settings import resolve_settings
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


def test_reproduce_option_replaces_the_recipes_model_and_is_recorded(
        index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`nb1s reproduce blackbox --smac-model facade`: every SMAC job of the grid gets
    `facade`, and plan.json records it with the option as its source; without the option
    the recipe's `original` is used."""
    from nb1s.harness.documents import parse_json
    from nb1s.harness.execution.options import ExecutionOptions
    from nb1s.harness.experiments.blackbox import kind as kind_module
    from nb1s.harness.experiments.blackbox import reproduce as blackbox_reproduce
    from nb1s.harness.experiments.kind import Request

    grids: list[list[Any]] = []

    def stop(jobs: list[Any], *args: Any, **kwargs: Any) -> int:
        grids.append(jobs)
        raise RuntimeError("grid reached")

    monkeypatch.setattr(blackbox_reproduce, "run_grid", stop)
    recipe = load_recipe("blackbox")
    for options, expected in (({"smac_model": "facade"}, "facade"), (None, "original")):
        results = tmp_path / str(expected)
        request = Request(recipe, "smoke", "paper", results,
                          ExecutionOptions(workers=1, smoke_data=index_dir.parent),
                          progress=False, options=options)
        with pytest.raises(RuntimeError, match="grid reached"):
            kind_module.KIND.reproduce(request)
        smac = [st for st, _ in grids[-1] if st.optimizer == "SMAC"]
        assert smac and {st.smac_model for st in smac} == {expected}
        # the other optimizers carry no SMAC model
        assert {st.smac_model for st, _ in grids[-1] if st.optimizer != "SMAC"} == {None}
        plan = parse_json((results / "plan.json").read_text(), "plan.json")
        assert plan["settings"]["smac_model"] == expected
        assert (plan["settings"]["sources"]["smac_model"] == "--smac-model") == bool(options)


def test_reproduce_option_reaches_the_fig5_black_box_side() -> None:
    from nb1s.harness.experiments.bohb.kind import KIND as BOHB
    from nb1s.harness.experiments.bohb.settings import with_options

    plan = BOHB.plan(load_recipe("fig5"), "paper", "original")
    assert with_options(plan, {"smac_model": "facade"}).settings["blackbox_smac_model"] \
        == "facade"
    assert with_options(plan, None).settings["blackbox_smac_model"] == "original"
    with pytest.raises(UserError, match="unknown SMAC model 'smac4'"):
        with_options(plan, {"smac_model": "smac4"})


@pytest.mark.parametrize(("recipe", "model", "message"), [
    ("fig2", "facade", "--smac-model applies to the recipes that run SMAC"),
    ("table1", "original", "--smac-model applies to the recipes that run SMAC"),
    ("blackbox", "smac4", "unknown SMAC model 'smac4'"),
])
def test_reproduce_refuses_the_option_in_one_line(recipe: str, model: str, message: str,
                                                  tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", "reproduce", recipe,
                           "--smac-model", model, "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()
