"""Curves, figures and claim rows from BOHB result logs (no training: fabricated logs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from blackbox_helpers import fabricate_blackbox_side

from nb1s.harness.experiments.bohb.kind import KIND
from nb1s.harness.experiments.bohb.settings import log_folder
from nb1s.harness.experiments.kind import Request
from nb1s.harness.recipe.catalog import load_recipe


def fabricate(results: Path, optimizer: str, regrets: list[float], budgets: list[float],
              synthetic: bool, cs: int = 2, space: int = 1,
              losses: list[float] | None = None) -> None:
    folder = log_folder(results, cs, space, optimizer, 1)
    folder.mkdir(parents=True)
    configs, lines = [], []
    for k, (regret, budget) in enumerate(zip(regrets, budgets, strict=True)):
        cid = [0, 0, k]
        config = {"weight_decay": 1e-4 * (k + 1), "cutout_prob": 0.1, "learning_rate": 0.025}
        configs.append(json.dumps([cid, config, {}]))
        info = {"config": config, "test_regret": regret, "search_time_s": 3600.0,
                "nb101_train_time_s": 1800.0, "synthetic": synthetic}
        loss = regret + 0.01 if losses is None else losses[k]
        lines.append(json.dumps([cid, budget, {}, {"loss": loss, "info": info}, None]))
    (folder / "configs.json").write_text("\n".join(configs) + "\n")
    (folder / "results.json").write_text("\n".join(lines) + "\n")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    for cs in (1, 2, 3):  # the smoke profile runs every configuration space on SS3
        for opt in ("darts", "gdas", "pcdarts"):
            fabricate(tmp_path, opt, [0.05, 0.004, 0.02, 0.03, 0.01], [1, 1, 2, 2, 2], True,
                      cs, space=3)
    fabricate_blackbox_side(tmp_path, KIND.plan(load_recipe("fig5"), "smoke", "paper"))
    return tmp_path


def request(results: Path, profile: Any = "smoke") -> Request:
    return Request(load_recipe("fig5"), profile, "paper", results)


def derive(req: Request) -> dict[str, Any]:
    """The kind's analysis of the logs (what `reproduce` returns after its runs)."""
    from nb1s.harness.experiments.bohb.reproduce import analyse
    from nb1s.harness.experiments.bohb.runs import data_inputs

    plan = KIND.plan(req.recipe, req.profile, req.protocol)
    return analyse(plan, req.results, data_inputs(plan, req.results, req, prepare=False), [],
                   {"ran": [], "blocked": []})


def test_smoke_logs_give_a_figure_and_only_not_checkable_rows(results: Path) -> None:
    out = derive(request(results))
    assert out["status"] == "complete" and len(out["runs"]) == 9
    darts = next(r for r in out["runs"] if r["optimizer"] == "darts")
    assert darts["best_budget"] == 1 and darts["best_loss"] == pytest.approx(0.014)
    assert darts["final_regret"] == pytest.approx(0.004)  # best validation = its regret
    assert darts["default_regret"] == pytest.approx(0.05)
    assert (results / "plots" / "fig5.png").is_file()
    assert {r["outcome"] for r in out["diff"]["rows"] if r["kind"] != "runs"} == \
        {"not checkable"}
    assert out["diff"]["verdict"]["status"] == "not-checkable"
    assert json.loads((results / "bohb-summary.json").read_text())["status"] == "complete"


def test_real_looking_logs_are_decided_and_a_wrong_count_fails(tmp_path: Path) -> None:
    for opt in ("darts", "gdas", "pcdarts"):
        fabricate(tmp_path, opt, [0.05, 0.004, 0.02, 0.03, 0.01], [25, 25, 50, 50, 100],
                  False)
    out = derive(request(tmp_path, "paper"))
    rows = {r.get("name", r["metric"]): r for r in out["diff"]["rows"]}
    assert rows["bohb_evaluations"]["outcome"] == "failed"  # 5, not 280
    # 3 of 3 runs at 25 epochs: a sign test cannot show "usually" on 3 runs (p = 0.125)
    assert rows["claims.bohb_budget_25"]["outcome"] == "underpowered"
    assert rows["claims.bohb_budget_25"]["p_holds"] == pytest.approx(0.125)
    # 0.05 / 0.004 = 12.5, but one run per space: too few seeds to show it
    assert rows["claims.bohb_factor_10"]["outcome"] == "underpowered"
    assert rows["claims.bohb_factor_10"]["measured"] == {"1": pytest.approx(12.5)}
    # no black-box data on real-looking logs: cannot test, undecided (not "not checkable")
    assert rows["claims.re_best_blackbox"]["outcome"] == "underpowered"
    assert "cannot test" in rows["claims.re_best_blackbox"]["note"]
    assert out["diff"]["verdict"]["status"] == "fail"
    assert out["status"] == "partial"  # 3 of the paper's 81 runs


@pytest.mark.parametrize("protocol", ["paper", "original"])
def test_claims_compare_best_validation_incumbents_whatever_the_figure_draws(
        tmp_path: Path, protocol: str) -> None:
    # the lowest loss (validation) is evaluation 2 (regret 0.02); the lowest test regret,
    # which the original protocol's test_oracle incumbent draws, is evaluation 1 (0.004)
    for opt in ("darts", "gdas", "pcdarts"):
        fabricate(tmp_path, opt, [0.05, 0.004, 0.02, 0.03, 0.01], [25, 25, 50, 50, 100],
                  False, losses=[0.2, 0.3, 0.1, 0.4, 0.5])
    out = derive(Request(load_recipe("fig5"), "paper", protocol, tmp_path))
    darts = next(r for r in out["runs"] if r["optimizer"] == "darts")
    drawn = {"paper": 0.02, "original": 0.004}[protocol]
    assert darts["final_regret"] == pytest.approx(drawn)
    assert darts["claim_final_regret"] == pytest.approx(0.02)
    rows = {r.get("name", r["metric"]): r for r in out["diff"]["rows"]}
    # each run's own default (evaluation 0, 0.05) over its best-validation incumbent
    assert rows["claims.bohb_factor_10"]["measured"] == {"1": pytest.approx(2.5)}
