"""`nb1s reproduce fig5 --profile smoke` end to end on CPU (synthetic index, digits images)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def reproduce(out: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    proc = subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", "reproduce", "fig5",
                           "--profile", "smoke", "--out", str(out), "--json"],
                          capture_output=True, text=True, timeout=3600, check=False)
    assert proc.stdout, proc.stderr[-3000:]
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.slow
def test_fig5_smoke_end_to_end_and_rerun(tmp_path: Path) -> None:
    from hpbandster.core.result import logged_results_to_HBS_result

    out = tmp_path / "fig5"
    code, result = reproduce(out)
    assert code == 0 and result["status"] == "complete"
    assert result["labels"] == ["smoke", "synthetic"]
    assert {r["optimizer"] for r in result["runs"]} == {"darts", "gdas", "pcdarts"}
    assert all(r["evaluations"] == 5 == r["expected_evaluations"] for r in result["runs"])
    assert all(row["outcome"] == "not checkable" for row in result["diff"]["rows"]
               if row["kind"] != "runs")
    assert result["diff"]["verdict"]["status"] == "not-checkable"
    assert (out / "plots" / "fig5.png").is_file() and (out / "bohb-summary.json").is_file()
    log = out / "bohb" / "cs2" / "ss3" / "darts" / "seed-1"
    hbs = logged_results_to_HBS_result(str(log))  # the format the fANOVA kind reads
    assert len(hbs.get_all_runs()) == 5
    first = json.loads((log / "configs.json").read_text().splitlines()[0])
    assert first[1] == {"cutout_prob": 0.0, "learning_rate": 0.025, "weight_decay": 3e-4}
    info = json.loads((log / "results.json").read_text().splitlines()[0])[3]["info"]
    assert info["synthetic"] and Path(info["run_directory"]).is_dir()
    assert info["search_settings"]["cutout"] is True  # paper protocol
    # the smoke profile exercises what Figures 5/14/15 and Table 2 need (issue 21):
    # losses that depend on the configuration ...
    losses = {r["optimizer"]: {round(x, 6) for x in r["regrets"]} for r in result["runs"]
              if r["cs"] == 2}
    assert any(len(v) > 1 for v in losses.values())
    # ... RE that mutates (its records are not RS's) ...
    from nb1s.harness.blackbox_runs.curves import load_blackbox_results

    found = load_blackbox_results(out)
    re_, rs = found[(3, "RE")].records, found[(3, "RS")].records
    assert len(re_) == 3 * 150 and not np.array_equal(re_["config_id"], rs["config_id"])
    # ... and SS3 incumbents at Table 2's smoke budget for --configuration-from
    from nb1s.harness.experiments.search_curves.configuration_from import recipe_with_options
    from nb1s.harness.recipe.catalog import load_recipe
    from nb1s.harness.recipe.plan import plan_recipe

    table2 = recipe_with_options(load_recipe("table2"), {"configuration_from": out}, "smoke")
    variants = {r.variant for r in plan_recipe(table2, "smoke", "paper").runs}
    assert {"darts-bohb", "gdas-bohb", "pcdarts-bohb"} <= variants
    # a second invocation trains nothing and gives the same numbers
    code2, again = reproduce(out)
    assert code2 == 0
    assert [r["final_regret"] for r in again["runs"]] == [r["final_regret"]
                                                         for r in result["runs"]]
