"""The recipe identity every recipe run records, and the checks diff/check make with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness_fixtures import aggregate_of, spec, write_results

from nb1s.harness.errors import UserError
from nb1s.harness.execution.runner import DataInputs, plan_recipe_meta, search_job
from nb1s.harness.recipe.identity import identity_check, parse_recipe_meta, recipe_identity
from nb1s.harness.recipe.schema import DiffSpec

FIG2 = {"name": "fig2", "version": 1, "profile": "smoke", "protocol": "paper"}


def test_parse_recipe_meta_accepts_exactly_the_identity() -> None:
    assert parse_recipe_meta(json.dumps(FIG2)) == FIG2
    for bad, why in (("{", "not valid JSON"), ('{"name": "fig2"}', "exactly the keys"),
                     (json.dumps({**FIG2, "version": "1"}), "version must be int"),
                     (json.dumps({**FIG2, "version": True}), "version must be int"),
                     (json.dumps({**FIG2, "extra": 1}), "exactly the keys")):
        with pytest.raises(UserError, match=why):
            parse_recipe_meta(bad)


def test_search_job_passes_the_identity_as_one_json_option() -> None:
    job = search_job(spec("darts", 1, 0, 2), Path("/r"), DataInputs(), resume=False,
                     recipe=FIG2)
    args = [str(a) for a in job.args]
    assert json.loads(args[args.index("--recipe-meta") + 1]) == FIG2
    assert "--recipe-meta" not in [str(a) for a in search_job(
        spec("darts", 1, 0, 2), Path("/r"), DataInputs(), resume=False).args]


def test_identity_check_lists_unrecorded_and_flags_mismatches() -> None:
    other = {**FIG2, "version": 2}
    check = identity_check(FIG2, {"a": FIG2, "b": None, "c": other})
    assert check["recorded"] == 2 and check["unrecorded"] == ["b"]
    assert check["mismatched"] == [{"run": "c", "recorded": other}] and not check["ok"]
    assert identity_check(FIG2, {"a": FIG2})["ok"]


def _results(tmp_path: Path) -> Path:
    results = tmp_path / "res"
    plan = write_results(results, {("darts", 1): [[0.02, 0.01], [0.03, 0.02]]})
    for run in plan.runs:
        meta_file = results / "runs" / run.key / "run.json"
        meta = json.loads(meta_file.read_text())
        meta_file.write_text(json.dumps({**meta, "recipe": plan_recipe_meta(plan)}))
    return results


def test_diff_fails_when_a_run_was_made_by_another_recipe_version(tmp_path: Path) -> None:
    from nb1s.harness.experiments.search_curves.reproduce import diff_results
    from nb1s.harness.recipe.catalog import load_recipe

    results = _results(tmp_path)
    agg = aggregate_of(results)
    assert agg["recipe_check"]["ok"]
    ref = tmp_path / "ref"
    ref.mkdir()
    (ref / "aggregate.json").write_text(json.dumps(agg))
    recipe = load_recipe("fig2")
    row = next(r for r in diff_results(results, recipe, against=ref)["rows"]
               if r["kind"] == "provenance")
    assert row["pass"]
    meta_file = results / "runs/darts/space1/seed1/run.json"
    meta = json.loads(meta_file.read_text())
    meta_file.write_text(json.dumps({**meta, "recipe": recipe_identity("fig2", 7, "smoke",
                                                                       "paper")}))
    diff = diff_results(results, recipe.model_copy(update={"diff": DiffSpec()}), against=ref)
    row = next(r for r in diff["rows"] if r["kind"] == "provenance")
    assert not row["pass"] and "darts/space1/seed1" in row["note"]
    assert diff["verdict"]["status"] == "fail"


def test_resume_keeps_the_identity_and_refuses_another(tmp_path: Path) -> None:
    from harness_fixtures import RUN_DATA

    from nb1s.harness.search.run_writer import RunWriter

    meta = {"optimizer": "darts", "space": 1, "seed": 0, "epochs": 2, "hyperparameters": {},
            "options": {}, "recipe": FIG2, "data": RUN_DATA}
    RunWriter.create(tmp_path, meta)
    assert RunWriter.reopen(tmp_path, meta, 0).meta.to_json()["recipe"] == FIG2
    assert RunWriter.reopen(tmp_path, {**meta, "recipe": None}, 0).meta.to_json()["recipe"] \
        == FIG2
    with pytest.raises(UserError, match="started by recipe"):
        RunWriter.reopen(tmp_path, {**meta, "recipe": {**FIG2, "version": 2}}, 0)


def test_snapshot_epochs_are_parsed_as_a_sorted_set() -> None:
    from nb1s.harness.recipe.search_settings import parse_set_arguments

    assert parse_set_arguments(["snapshot_epochs=45,5, 15,5"]) == {
        "snapshot_epochs": (5, 15, 45)}
    assert parse_set_arguments(["snapshot_epochs="]) == {"snapshot_epochs": ()}
    with pytest.raises(UserError, match="comma-separated"):
        parse_set_arguments(["snapshot_epochs=5;15"])
    with pytest.raises(UserError, match="comma-separated"):
        parse_set_arguments(["snapshot_epochs=-1,5"])
