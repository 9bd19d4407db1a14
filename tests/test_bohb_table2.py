"""`reproduce table2 --configuration-from`: the SS3 BOHB incumbent at the recipe's epochs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nb1s.harness.errors import UserError
from nb1s.harness.experiments.search_curves.configuration_from import (
    bohb_incumbent,
    recipe_with_options,
)
from nb1s.harness.recipe.catalog import load_recipe
from nb1s.harness.recipe.plan import plan_recipe


def write_log(folder: Path, entries: list[tuple[list[int], float, float, dict[str, float]]],
              completed: dict[str, float] | None = None) -> None:
    folder.mkdir(parents=True)
    configs = {tuple(c): cfg for c, _, _, cfg in entries}
    (folder / "configs.json").write_text("".join(
        json.dumps([list(c), cfg, {}]) + "\n" for c, cfg in configs.items()))
    info = {} if completed is None else {"search_settings": completed}
    (folder / "results.json").write_text("".join(
        json.dumps([c, b, {}, {"loss": loss, "info": info}, None]) + "\n"
        for c, b, loss, _ in entries))


A = {"weight_decay": 2e-4, "cutout_prob": 0.4, "learning_rate": 0.05}
B = {"weight_decay": 5e-5, "cutout_prob": 0.9, "learning_rate": 0.3}
C = {"weight_decay": 1e-5, "cutout_prob": 0.1, "learning_rate": 0.9}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    root = tmp_path / "fig5"
    write_log(root / "bohb/cs2/ss3/darts/seed-1", [([0, 0, 0], 50.0, 0.08, A),
                                                   ([0, 0, 1], 50.0, 0.07, B),
                                                   ([1, 0, 0], 25.0, 0.01, C)])
    write_log(root / "bohb/cs2/ss3/darts/seed-2", [([0, 0, 0], 50.0, 0.075, C)])
    write_log(root / "bohb/cs2/ss1/darts/seed-1", [([0, 0, 0], 50.0, 0.001, C)])  # not SS3
    return root


def test_incumbent_is_the_lowest_ss3_loss_at_the_budget(results: Path) -> None:
    best = bohb_incumbent(results, "darts", 50)
    assert best is not None and best["config"] == B and best["loss"] == 0.07
    assert bohb_incumbent(results, "darts", 25)["config"] == C  # type: ignore[index]
    assert bohb_incumbent(results, "gdas", 50) is None


def test_table2_gets_a_bohb_variant_besides_the_published_one(results: Path) -> None:
    recipe = recipe_with_options(load_recipe("table2"), {"configuration_from": results})
    plan = plan_recipe(recipe, "paper", "paper")
    variants = {r.variant for r in plan.runs}
    assert {"darts-transferred", "darts-bohb"} <= variants and "gdas-bohb" not in variants
    run = next(r for r in plan.runs if r.variant == "darts-bohb")
    assert run.hyperparameters["weight_decay"] == B["weight_decay"]
    assert run.hyperparameters["learning_rate"] == B["learning_rate"]
    assert run.hyperparameters["cutout"] is True and run.epochs == 50
    assert "BOHB incumbent of CS2 at 50 epochs" in run.sources["weight_decay"]
    published = next(r for r in plan.runs if r.variant == "darts-transferred")
    assert published.hyperparameters["weight_decay"] == pytest.approx(0.00017949567554327632)


def test_smoke_profile_keeps_the_added_variant(tmp_path: Path) -> None:
    write_log(tmp_path / "bohb/cs2/ss3/darts/seed-1", [([0, 0, 0], 2.0, 0.1, A)])
    recipe = recipe_with_options(load_recipe("table2"), {"configuration_from": tmp_path},
                                 "smoke")
    plan = plan_recipe(recipe, "smoke", "paper")
    assert {r.variant for r in plan.runs} == {"darts-default", "darts-transferred",
                                              "darts-bohb"}


def test_no_ss3_run_at_the_budget_is_one_clear_error(tmp_path: Path, results: Path) -> None:
    with pytest.raises(UserError, match="no search-space-3 BOHB evaluation of configuration "
                                        "space 2 at 50 epochs"):
        recipe_with_options(load_recipe("table2"), {"configuration_from": tmp_path})
    with pytest.raises(UserError, match="search recipes"):
        recipe_with_options(load_recipe("fig5"), {"configuration_from": results})
    assert recipe_with_options(load_recipe("table2"), None) == load_recipe("table2")


def test_incumbent_comes_from_one_configuration_space(results: Path) -> None:
    # a better CS1 point (it never tuned the learning rate) is not pooled with CS2
    cs1 = {"weight_decay": 9e-4, "cutout_prob": 0.2}
    write_log(results / "bohb/cs1/ss3/darts/seed-1", [([0, 0, 0], 50.0, 0.01, cs1)])
    assert bohb_incumbent(results, "darts", 50)["config"] == B  # type: ignore[index]
    recipe = recipe_with_options(load_recipe("table2"), {"configuration_from": results,
                                                         "configuration_space": 1})
    run = next(r for r in plan_recipe(recipe, "paper", "paper").runs
               if r.variant == "darts-bohb")
    assert run.hyperparameters["weight_decay"] == 9e-4
    # the key CS1 does not tune is CS1's completion (the DARTS default), never the
    # published transferred learning rate
    assert run.hyperparameters["learning_rate"] == pytest.approx(0.025)
    assert "CS1" in run.sources["weight_decay"]
    with pytest.raises(UserError, match="choose 1, 2 or 3"):
        recipe_with_options(load_recipe("table2"), {"configuration_from": results,
                                                    "configuration_space": 4})
    with pytest.raises(UserError, match="needs --configuration-from"):
        recipe_with_options(load_recipe("table2"), {"configuration_space": 2})


def test_other_keys_come_from_the_default_variant_and_the_logged_completion(
        tmp_path: Path) -> None:
    completed = {**A, "batch_size": 96, "momentum": 0.9, "init_channels": 16, "layers": 9,
                 "cutout": False, "preset": "paper", "data_split": "bohb_20k",
                 "max_batches_per_epoch": 2}
    write_log(tmp_path / "bohb/cs2/ss3/pcdarts/seed-1", [([0, 0, 0], 50.0, 0.05, A)],
              completed)
    recipe = recipe_with_options(load_recipe("table2"), {"configuration_from": tmp_path})
    run = next(r for r in plan_recipe(recipe, "paper", "paper").runs
               if r.variant == "pcdarts-bohb")
    assert run.hyperparameters["partial_channels"] == 4  # pcdarts-default's pin
    assert run.hyperparameters["learning_rate"] == A["learning_rate"]
    assert run.hyperparameters["cutout"] is True  # baseline_script_trans.sh --cutout
    assert run.hyperparameters["momentum"] == 0.9
    assert run.hyperparameters.get("max_batches_per_epoch", 0) != 2  # sizes are not taken
    assert "data_split" not in run.hyperparameters
