"""The protocol switches of recipes/fig5.yaml change what the worker runs and how it is read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nb1s.harness.errors import UserError
from nb1s.harness.experiments.bohb import evaluation
from nb1s.harness.experiments.bohb.curves import (
    Evaluation,
    band,
    incumbent_regret,
    simulated_times,
    trajectory,
)
from nb1s.harness.experiments.bohb.evaluation import (
    EvaluationSpec,
    read_evaluation,
    search_command,
)
from nb1s.harness.experiments.bohb.protocol import BohbProtocol
from nb1s.harness.experiments.bohb.spaces import complete_config

PAPER = BohbProtocol()
ORIGINAL = BohbProtocol(cutout_applied=False, cs3_extra_hyperparameters_applied=False,
                        nb101_repeat="one_random", incumbent="test_oracle",
                        time_axis="sequential_sum", regret_reference="published_constants",
                        left_edge="backfill", evaluation_order="finish_plus_train",
                        gdas_arch_grad_clip="tied", band="2sem")
CS3 = {"arch_learning_rate": 1e-3, "arch_weight_decay": 1e-2, "batch_size": 64,
       "cutout_length": 12, "cutout_prob": 0.5, "grad_clip": 3, "learning_rate": 0.1,
       "momentum": 0.8, "weight_decay": 1e-4}


def sets(argv: list[str]) -> dict[str, str]:
    return dict(argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "--set")


def spec(protocol: BohbProtocol, cs: int = 3, folder: Path = Path("/x")) -> EvaluationSpec:
    return EvaluationSpec("darts", 1, cs, 2, folder, protocol, {}, {"data_split": "bohb_20k"})


def test_recipe_settings_map_onto_the_switches() -> None:
    from nb1s.harness.experiments.bohb.kind import KIND
    from nb1s.harness.recipe.catalog import load_recipe

    recipe = load_recipe("fig5")
    for name, expected in (("paper", PAPER), ("original", ORIGINAL)):
        plan = KIND.plan(recipe, "paper", name)  # type: ignore[arg-type]
        assert BohbProtocol.from_settings(plan.settings) == expected
    with pytest.raises(UserError):
        BohbProtocol(nb101_repeat="median")


def test_cutout_and_cs3_switches_change_the_search_command() -> None:
    paper = sets(search_command(spec(PAPER), CS3, 50, Path("/out")))
    original = sets(search_command(spec(ORIGINAL), CS3, 50, Path("/out")))
    assert paper["cutout"] == "true" and original["cutout"] == "false"
    for name in ("arch_learning_rate", "arch_weight_decay", "cutout_length", "grad_clip"):
        assert name in paper and name not in original
    for name in ("batch_size", "momentum", "learning_rate", "weight_decay", "cutout_prob"):
        assert paper[name] == original[name]  # the shipped worker passed these
    assert paper["init_channels"] == "16" and paper["layers"] == "9"
    argv = search_command(spec(PAPER), CS3, 50.0, Path("/out"))
    assert argv[argv.index("--epochs") + 1] == "50" and argv[argv.index("--seed") + 1] == "2"


def test_complete_config_fixes_what_each_space_leaves_out() -> None:
    cs1 = complete_config(1, {"weight_decay": 1e-4, "cutout_prob": 0.2}, True, True)
    assert cs1 == {"init_channels": 16, "layers": 9, "batch_size": 96, "momentum": 0.9,
                   "learning_rate": 0.025, "weight_decay": 1e-4, "cutout_prob": 0.2,
                   "cutout": True}
    cs2 = complete_config(2, {"weight_decay": 1e-4, "cutout_prob": 0.2, "learning_rate": 0.5},
                          False, True)
    assert cs2["learning_rate"] == 0.5 and cs2["batch_size"] == 96 and not cs2["cutout"]


class FakeStore:
    def row_of(self, _: str) -> int:
        return 0

    def metric(self, budget: int, name: str) -> np.ndarray:
        assert (budget, name) == (108, "final_training_time")
        return np.array([[100.0, 200.0, 300.0]])


def fake_run(folder: Path) -> Path:
    out = folder / "run"
    out.mkdir(parents=True)
    # a whole run.json / epochs.jsonl of the search contract (read through RunDirectory)
    (out / "run.json").write_text(json.dumps({
        "schema_version": 1, "optimizer": "darts", "space": 3, "seed": 0, "epochs": 2,
        "hyperparameters": {}, "options": {}, "status": "complete", "fixture": True,
        "tracking": {"regret_reference": "fixture",
                     "regret_minimum": {"reference": "fixture", "test": 0.05, "valid": 0.04,
                                        "source": "fixture"}},
        "data": {"nb101": {"synthetic": True},
                 "cifar10": {"path": "fixture", "kind": "digits", "synthetic": True}}}))
    record = {"epoch": 2, "config_id": 9, "nb101_hash": "h" * 32, "wall_time_s": 30.0,
              "valid_error_mean": 0.07, "test_error_mean": 0.08,
              "valid_error_repeats": [0.06, 0.07, 0.08], "test_error_repeats": [0.07, 0.08, 0.09],
              "test_regret": 0.03, "valid_regret": 0.03}
    (out / "epochs.jsonl").write_text(json.dumps(record) + "\n")
    return out


def test_repeat_policy_changes_the_loss(tmp_path: Path, monkeypatch: Any) -> None:
    import nb1s.harness.nb101.store as store_module

    monkeypatch.setattr(store_module, "open_store", lambda _: FakeStore())
    out = fake_run(tmp_path)
    mean = read_evaluation(spec(PAPER), out, CS3, 2, (0, 0, 1))
    assert mean["loss"] == pytest.approx(0.07)
    assert mean["info"]["nb101_train_time_s"] == pytest.approx(200.0)
    assert mean["info"]["test_regret"] == pytest.approx(0.03)
    assert mean["info"]["search_time_s"] == 30.0 and mean["info"]["synthetic"]
    picks = set()
    for cid in range(12):
        one = read_evaluation(spec(ORIGINAL), out, CS3, 2, (0, 0, cid))
        k = one["info"]["nb101_repeat"]
        picks.add(k)
        assert one["loss"] == pytest.approx([0.06, 0.07, 0.08][k])
        assert one["info"]["nb101_train_time_s"] == [100.0, 200.0, 300.0][k]
        # seeded: the same evaluation reads the same repeat again
        assert evaluation.repeat_index(spec(ORIGINAL), (0, 0, cid), 2) == k
    assert picks == {0, 1, 2}


def evals(losses: list[float], regrets: list[float], costs: list[float]) -> list[Evaluation]:
    return [Evaluation((0, 0, k), 1.0, loss, r, c, {})
            for k, (loss, r, c) in enumerate(zip(losses, regrets, costs, strict=True))]


def test_incumbent_switch_validation_vs_test_oracle() -> None:
    e = evals([0.3, 0.2, 0.25], [0.01, 0.05, 0.001], [1, 1, 1])
    assert incumbent_regret(e, "best_validation").tolist() == [0.01, 0.05, 0.05]
    assert incumbent_regret(e, "test_oracle").tolist() == [0.01, 0.01, 0.001]


def test_time_axis_switch_parallel_vs_sequential_sum() -> None:
    costs = np.array([4.0, 1.0, 1.0, 1.0])
    assert simulated_times(costs, "sequential_sum", 2).tolist() == [4, 5, 6, 7]
    assert simulated_times(costs, "parallel_workers", 2).tolist() == [4, 1, 2, 3]
    times, regrets = trajectory(evals([0.1, 0.3, 0.2, 0.4], [0.01, 0.03, 0.02, 0.04],
                                      [4, 1, 1, 1]), "best_validation", "parallel_workers", 2)
    assert times.tolist() == [1, 2, 3, 4] and regrets.tolist() == [0.03, 0.02, 0.02, 0.01]


def test_band_switch_std_vs_two_sem() -> None:
    matrix = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    mean, _, hi = band(matrix, "std")
    assert mean.tolist() == [3, 4] and (hi - mean).tolist() == [2, 2]
    _, _, hi2 = band(matrix, "2sem")
    assert (hi2 - mean) == pytest.approx(2 * 2 / np.sqrt(3))


def test_sequential_sum_is_the_paper_and_original_time_axis() -> None:
    # paper §5.4's "simulated 45 GPU days" and plots/util.py: the cumulative sum of every
    # evaluation's cost; both protocols use it, parallel_workers only when named
    assert PAPER.time_axis == ORIGINAL.time_axis == "sequential_sum"
    costs = np.full(16, 10.0)
    assert simulated_times(costs, PAPER.time_axis, 16)[-1] == 160.0
    assert simulated_times(costs, "parallel_workers", 16)[-1] == 10.0  # 16x further left
    with pytest.raises(UserError):
        BohbProtocol(time_axis="search_plus_train")


def test_time_axis_option_replaces_the_recipes_and_refuses_unknown_values() -> None:
    from nb1s.harness.experiments.bohb.kind import KIND
    from nb1s.harness.experiments.bohb.settings import with_options
    from nb1s.harness.recipe.catalog import load_recipe

    plan = KIND.plan(load_recipe("fig5"), "paper", "paper")
    assert with_options(plan, None) is plan
    chosen = with_options(plan, {"time_axis": "parallel_workers"})
    assert BohbProtocol.from_settings(chosen.settings).time_axis == "parallel_workers"
    with pytest.raises(UserError):
        with_options(plan, {"time_axis": "wall"})


def test_regret_is_rebased_on_the_protocols_reference() -> None:
    from nb1s.harness.experiments.bohb.curves import regret_of

    logged = [Evaluation((0, 0, 0), 1.0, 0.2, 0.01, 1.0, {}, test_error=0.06),
              Evaluation((0, 0, 1), 1.0, 0.1, 0.02, 1.0, {})]  # an old log: no test error
    rebased = regret_of(logged, 0.0545)
    assert rebased[0].test_regret == pytest.approx(0.06 - 0.0545)
    assert rebased[1].test_regret == 0.02


def test_left_edge_backfill_shows_the_first_value_before_the_first_result() -> None:
    from nb1s.harness.experiments.bohb.curves import nonpositive_seeds, on_grid

    runs = [(np.array([1.0, 3.0]), np.array([0.5, 0.2])),
            (np.array([2.0]), np.array([-0.1]))]
    grid = np.array([1.0, 2.0, 3.0])
    blank = on_grid(runs, grid, "blank")
    assert np.isnan(blank[1, 0]) and blank[0].tolist() == [0.5, 0.5, 0.2]
    filled = on_grid(runs, grid, "backfill")
    assert filled[1].tolist() == [-0.1, -0.1, -0.1]
    assert nonpositive_seeds(filled) == 1 and nonpositive_seeds(filled[:1]) == 0


def test_gdas_architecture_clip_is_tied_to_the_tuned_grad_clip() -> None:
    # the released GDAS: one --grad_clip clips the weights and the architecture gradient
    gdas = EvaluationSpec("gdas", 1, 3, 2, Path("/x"), PAPER, {}, {})
    tied = sets(search_command(gdas, CS3, 50, Path("/out")))
    assert tied["grad_clip"] == tied["arch_grad_clip"] == "3.0"
    fixed = EvaluationSpec("gdas", 1, 3, 2, Path("/x"),
                           BohbProtocol(gdas_arch_grad_clip="fixed"), {}, {})
    assert "arch_grad_clip" not in sets(search_command(fixed, CS3, 50, Path("/out")))
    # DARTS has no architecture clip; under `original` grad_clip is never forwarded
    assert "arch_grad_clip" not in sets(search_command(spec(PAPER), CS3, 50, Path("/out")))
    dropped = EvaluationSpec("gdas", 1, 3, 2, Path("/x"), ORIGINAL, {}, {})
    assert "arch_grad_clip" not in sets(search_command(dropped, CS3, 50, Path("/out")))


def test_original_orders_evaluations_by_finish_plus_training_time() -> None:
    from nb1s.harness.experiments.bohb.curves import in_order

    # logged (finish) order a, b; b's NB101 training time is shorter, so the original's
    # sort key (finished + t_train) puts it first
    a = Evaluation((0, 0, 0), 1.0, 0.2, 0.05, 110.0, {}, 0.1, finished=10.0, train_s=100.0)
    b = Evaluation((0, 0, 1), 1.0, 0.1, 0.01, 25.0, {}, 0.06, finished=20.0, train_s=5.0)
    assert in_order([a, b], "log") == [a, b]
    assert in_order([a, b], "finish_plus_train") == [b, a]
    times, regrets = trajectory([a, b], "test_oracle", "sequential_sum", 1,
                                "finish_plus_train")
    assert times.tolist() == [25.0, 135.0] and regrets.tolist() == [0.01, 0.01]
    # a log without time stamps keeps its order
    plain = Evaluation((0, 0, 2), 1.0, 0.3, 0.02, 1.0, {})
    assert in_order([a, plain], "finish_plus_train") == [a, plain]
