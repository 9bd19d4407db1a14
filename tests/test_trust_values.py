"""Results you can trust (issue 12): values, divergence, resume identity, stale aggregates,
folder ownership, executor options, recipe variants and index integrity.

Each test drives the real code path on small SYNTHETIC data (the shared index and digits,
or fixture run folders) and shows the guard FAILS the bad input; the case numbers refer
to issue 12's list.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nb1s.harness.errors import RunStopped, UserError
from nb1s.harness.search.runner import SearchRequest, run_search

TINY = ["batch_size=8", "init_channels=4", "layers=3", "max_batches_per_epoch=2",
        "max_eval_batches=1"]


def _request(data: dict[str, Path], out: Path, epochs: int = 2,
             extra: list[str] | None = None, **kw: Any) -> SearchRequest:
    values = {"optimizer": "darts", "space": 1, "out": out, "seed": 0, "epochs": epochs,
              "overrides": [*TINY, *(extra or [])], "data_dir": data["nb101"],
              "cifar_dir": data["cifar"], "device": "cpu"}
    values.update(kw)
    return SearchRequest(**values)  # type: ignore[arg-type]


class _Stop(Exception):
    pass


def _stop_after(epoch: int):  # type: ignore[no-untyped-def]
    def progress(e: int, total: int, record: dict[str, Any]) -> None:
        if e >= epoch:
            raise _Stop

    return progress


# ---------------------------------------------------------------- case 7: values

@pytest.mark.parametrize("setting, why", [
    ("learning_rate=nan", "finite"), ("learning_rate=-1", "> 0"), ("layers=0", ">= 1"),
    ("momentum=1.5", "< 1"), ("train_portion=0", "> 0"), ("batch_size=0", ">= 1"),
    ("tau_min=20", "tau_max"), ("architecture=99999999", "config id"),
])
def test_out_of_range_values_are_refused_before_anything_starts(
        search_data: dict[str, Path], tmp_path: Path, setting: str, why: str) -> None:
    out = tmp_path / "run"
    with pytest.raises(UserError, match="out of range") as err:
        run_search(_request(search_data, out, extra=[setting]))
    assert why in str(err.value)
    assert not out.exists()  # nothing written, not even the folder


def test_every_numeric_hyperparameter_has_a_range_and_every_default_is_inside_it() -> None:
    from dataclasses import fields

    from nb1s.optimizers import RANGES, Hyperparameters, get_method, method_names, range_problems

    numeric = [f.name for f in fields(Hyperparameters) if str(f.type) in ("int", "float")]
    assert sorted(numeric) == sorted(RANGES)
    for name in method_names():
        assert range_problems(get_method(name).hyperparameters().as_dict()) == [], name
    assert range_problems({"learning_rate": math.inf, "layers": 0}) == [
        "learning_rate=inf must be a finite number", "layers=0 must be >= 1"]


def test_a_search_whose_loss_becomes_non_finite_stops_as_diverged(
        search_data: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "run"
    with pytest.raises(RunStopped) as err:
        run_search(_request(search_data, out, epochs=4,
                            extra=["learning_rate=1e30", "grad_clip=1e30"]))
    assert err.value.exit_code == 1 and err.value.label == "diverged"
    text = (out / "run.json").read_text()
    meta = json.loads(text)  # strict JSON: no bare NaN
    assert meta["status"] == "diverged" and "non-finite" in meta["stop_reason"]
    assert "NaN" not in text and "Infinity" not in text
    for line in (out / "epochs.jsonl").read_text().splitlines():
        assert "NaN" not in line
        assert json.loads(line)["epoch"] < meta["stopped_at_epoch"]


def test_non_finite_epoch_results_are_caught() -> None:
    from types import SimpleNamespace

    from nb1s.harness.search.runner import Diverged, _check_finite

    good = SimpleNamespace(epoch=1, train_loss=0.5, arch_weights={"a": np.zeros(3)})
    _check_finite(good)
    with pytest.raises(Diverged, match="training loss"):
        _check_finite(SimpleNamespace(epoch=1, train_loss=math.nan, arch_weights={}))
    with pytest.raises(Diverged, match="architecture weights"):
        _check_finite(SimpleNamespace(epoch=2, train_loss=0.1,
                                      arch_weights={"a": np.array([0.0, math.inf])}))


def test_run_records_are_strict_json() -> None:
    from nb1s.harness.search.run_writer import strict_json

    assert strict_json({"x": 1.5}) == '{"x": 1.5}'
    with pytest.raises(UserError, match="non-finite"):
        strict_json({"x": math.nan})


# ---------------------------------------------------------------- case 3: resume identity

@pytest.fixture(scope="module")
def other_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second SYNTHETIC index (other seed): same format, other numbers."""
    from nb1s.harness.nb101.importer import import_tfrecord
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    root = tmp_path_factory.mktemp("other-index")
    write_synthetic_tfrecord(root / "b.tfrecord", models=5, seed=7, spaces=[1, 2, 3])
    import_tfrecord(root / "b.tfrecord", root / "nb101")
    return root / "nb101"


def test_a_resume_on_other_data_or_settings_is_refused_naming_only_what_differs(
        search_data: dict[str, Path], other_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    with pytest.raises(_Stop):
        run_search(_request(search_data, out, epochs=4), progress=_stop_after(1))
    with pytest.raises(UserError, match="data nb101") as err:
        run_search(_request(search_data, out, epochs=4, data_dir=other_index, resume=True))
    assert "source_sha256" in str(err.value)
    with pytest.raises(UserError) as err:
        run_search(_request(search_data, out, epochs=4, resume=True,
                            extra=["learning_rate=0.05"]))
    message = str(err.value)
    assert "hyperparameters.learning_rate: 0.025 -> 0.05" in message
    assert "momentum" not in message and len(message) < 300
    done = run_search(_request(search_data, out, epochs=4, resume=True))
    assert done["status"] == "complete"


def test_resume_compares_the_results_version_not_the_package_version(
        search_data: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nb1s
    from nb1s.optimizers import results_version

    out = tmp_path / "run"
    with pytest.raises(_Stop):
        run_search(_request(search_data, out, epochs=3), progress=_stop_after(1))
    stored = json.loads((out / "run.json").read_text())
    assert stored["results_version"] == results_version.RESULTS_VERSION
    assert stored["nb1s_version"] == nb1s.__version__
    # a release that changes no result: the older run resumes, and says who continued it
    monkeypatch.setattr(nb1s, "__version__", "99.0.0")
    done = run_search(_request(search_data, out, epochs=3, resume=True))
    assert done["status"] == "complete"
    meta = json.loads((out / "run.json").read_text())
    assert meta["nb1s_version"] == stored["nb1s_version"]  # the version that started it
    assert meta["resumed_with_nb1s_version"] == ["99.0.0"]
    # search code whose results changed: refused, naming only that key
    other = tmp_path / "other"
    with pytest.raises(_Stop):
        run_search(_request(search_data, other, epochs=3), progress=_stop_after(1))
    bumped = results_version.RESULTS_VERSION + 1
    monkeypatch.setattr(results_version, "RESULTS_VERSION", bumped)
    with pytest.raises(UserError) as err:
        run_search(_request(search_data, other, epochs=3, resume=True))
    message = str(err.value)
    assert f"results_version: {bumped - 1} -> {bumped}" in message
    assert "nb1s_version" not in message and ";" not in message
    # a run recorded before results versions existed proves nothing: refused
    monkeypatch.setattr(results_version, "RESULTS_VERSION", bumped - 1)
    old = json.loads((other / "run.json").read_text())
    del old["results_version"]
    (other / "run.json").write_text(json.dumps(old))
    with pytest.raises(UserError, match="results_version: not recorded"):
        run_search(_request(search_data, other, epochs=3, resume=True))


# ---------------------------------------------------------------- case 2: stale aggregates

def test_diff_rederives_the_aggregate_and_fails_on_missing_runs(tmp_path: Path) -> None:
    from harness_fixtures import write_results

    from nb1s.harness.experiments.search_curves.reproduce import diff_results
    from nb1s.harness.recipe.catalog import recipes_dir
    from nb1s.harness.recipe.schema import parse_recipe

    write_results(tmp_path, {("darts", 1): [[0.1, 0.02, 0.01], [0.3, 0.04, 0.03],
                                            [0.2, 0.03, 0.02]]})
    recipe = parse_recipe(recipes_dir() / "fig2.yaml")
    first = diff_results(tmp_path, recipe)
    runs_row = next(r for r in first["rows"] if r["kind"] == "runs")
    assert runs_row["pass"] and first["aggregate"]["runs_used"] == [
        "darts/space1/seed0", "darts/space1/seed1", "darts/space1/seed2"]
    (tmp_path / "aggregate.json").write_text("{ not json")  # a damaged cache is irrelevant
    shutil.rmtree(tmp_path / "runs" / "darts" / "space1" / "seed1")
    second = diff_results(tmp_path, recipe)
    runs_row = next(r for r in second["rows"] if r["kind"] == "runs")
    assert not runs_row["pass"] and "2 of 3" in runs_row["note"]
    assert second["verdict"]["status"] == "fail"
    assert second["aggregate"]["runs_used"] == ["darts/space1/seed0", "darts/space1/seed2"]
    assert json.loads((tmp_path / "aggregate.json").read_text())["missing_runs"] == [
        "darts/space1/seed1"]


# ---------------------------------------------------------------- case 4 + 7: folder ownership

def test_out_folders_of_other_commands_data_sets_files_and_cwd_are_refused(
        tmp_path: Path, search_data: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.guards.out_folder import check_out

    results = tmp_path / "fig2"
    results.mkdir()
    (results / "plan.json").write_text(json.dumps({"command": "run", "runs": []}))
    check_out(results, "results")  # its own kind: fine
    with pytest.raises(UserError, match="results of `nb1s run`"):
        check_out(results, "check")
    with pytest.raises(UserError, match="a search needs its own folder"):
        check_out(results, "search")
    with pytest.raises(UserError, match="data set"):
        check_out(search_data["cifar"], "search")
    with pytest.raises(UserError, match="data set"):
        check_out(search_data["nb101"], "results")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        check_out(tmp_path / "file", "search")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match="current directory"):
        check_out(Path(""), "search")
    with pytest.raises(UserError, match="empty"):
        check_out(Path(""), "search", raw="")
    # plans written before the `command` key: told apart by the candidate variant
    old = tmp_path / "old-check"
    old.mkdir()
    (old / "plan.json").write_text(json.dumps({"runs": [{"variant": "candidate"}]}))
    with pytest.raises(UserError, match="`nb1s check`"):
        check_out(old, "results")


def test_plan_json_records_the_command_that_owns_the_folder(tmp_path: Path) -> None:
    from harness_fixtures import spec

    from nb1s.harness.execution.runner import bind_results
    from nb1s.harness.recipe.plan import Plan

    plan = Plan(recipe="fig2", version=1, title="t", kind="search", profile="smoke",
                protocol="paper", runs=[spec("candidate", 1, 0, 1)], final_epoch="last",
                band="std", spaces=[1])
    bind_results(plan, tmp_path)
    assert json.loads((tmp_path / "plan.json").read_text())["command"] == "check"


# ---------------------------------------------------------------- case 5: locks

def test_the_folder_lock_is_exclusive_and_dies_with_its_holder(tmp_path: Path) -> None:
    from nb1s.harness.guards.folder_lock import FolderLock, is_held, read_holder

    first = FolderLock(tmp_path, "first")
    first.acquire()
    try:
        assert is_held(tmp_path) and read_holder(tmp_path)["command"] == "first"
        with pytest.raises(UserError, match="is in use by pid"):
            FolderLock(tmp_path, "second").acquire()
    finally:
        first.release()
    assert not is_held(tmp_path)
    second = FolderLock(tmp_path, "second")
    second.acquire()
    second.release()


# ---------------------------------------------------------------- case 6: executors

@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "slurm", "slurm_cluster": None}, "no Slurm is reachable"),
    ({"kind": "local", "timeout_min": -5}, "positive number of minutes"),
    ({"kind": "local", "timeout_min": 0}, "positive number of minutes"),
    ({"kind": "local", "gpus": "abc"}, "expected GPU ids"),
    ({"kind": "k8s"}, "unknown executor"),
    ({"kind": "slurm", "slurm_cluster": "nosuch"}, "unknown --slurm-cluster"),
])
def test_impossible_executor_options_are_refused(kwargs: dict[str, Any], message: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.executors.factory import check_executor_options

    monkeypatch.setenv("PATH", "/nonexistent")  # no sbatch anywhere
    args = {"timeout_min": 60, "slurm_cluster": None, "gpus": None, **kwargs}
    with pytest.raises(UserError, match=message):
        check_executor_options(args["kind"], args["timeout_min"], args["slurm_cluster"],
                               args["gpus"])


def test_slurm_cluster_local_is_the_explicit_way_to_run_slurm_jobs_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.executors.factory import check_executor_options, parse_gpus

    monkeypatch.setenv("PATH", "/nonexistent")
    check_executor_options("slurm", 60, "local", "0,1")
    assert parse_gpus("0, 1") == ["0", "1"] and parse_gpus(None) is None


# ---------------------------------------------------------------- case 8: unknown optimizers

def test_validate_rejects_a_variant_with_an_unknown_optimizer(tmp_path: Path) -> None:
    from nb1s.harness.cli.recipe_cmd import validate_files
    from nb1s.harness.recipe.catalog import recipes_dir

    text = (recipes_dir() / "fig2.yaml").read_text()
    assert "optimizer: gdas" in text
    bad = tmp_path / "fig2.yaml"
    bad.write_text(text.replace("optimizer: gdas", "optimizer: nosuch", 1))
    result = validate_files(str(bad))
    assert not result["ok"]
    assert any("unknown optimizer 'nosuch'" in p for p in result["files"][0]["problems"])
    assert validate_files(str(recipes_dir() / "fig2.yaml"))["ok"]


def test_validate_rejects_out_of_range_hyperparameters_with_the_search_check(
        tmp_path: Path) -> None:
    from nb1s.harness.cli.recipe_cmd import validate_files
    from nb1s.harness.recipe.catalog import recipes_dir

    text = (recipes_dir() / "fig2.yaml").read_text()
    assert "    layers: {value: 9," in text
    bad = tmp_path / "fig2.yaml"
    bad.write_text(text.replace("    layers: {value: 9,", "    layers: {value: 0,", 1))
    problems = validate_files(str(bad))["files"][0]["problems"]
    assert any("layers=0 must be >= 1" in p for p in problems), problems


# ---------------------------------------------------------------- case 9: index integrity

def test_a_damaged_index_column_is_refused_on_open(search_data: dict[str, Path],
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.nb101 import integrity as index_integrity
    from nb1s.harness.nb101.store import metric_file, open_store

    index = tmp_path / "nb101"
    shutil.copytree(search_data["nb101"], index)
    (index / index_integrity.VERIFIED_FILE).unlink(missing_ok=True)
    provenance = json.loads((index / "provenance.json").read_text())
    assert provenance["columns"]["hashes.npy"]["sha256"]
    open_store(index)  # intact: opens (and caches the verification)
    calls: list[Path] = []
    real = index_integrity.file_checksum
    monkeypatch.setattr(index_integrity, "file_checksum",
                        lambda p: calls.append(p) or real(p))
    open_store(index)
    assert calls == []  # cached: later opens only stat the files
    name = metric_file(108, "final_test_accuracy")
    column = np.load(index / name)
    column[:] = np.nan  # same shape, same size: only the checksum can tell
    np.save(index / name, column)
    with pytest.raises(UserError, match="re-run `nb1s data import`"):
        open_store(index)


def test_a_resumed_run_moves_its_stop_into_the_history(tmp_path: Path) -> None:
    from harness_fixtures import RUN_DATA

    from nb1s.harness.search.run_writer import RunWriter

    meta = {"optimizer": "darts", "space": 1, "seed": 0, "epochs": 3, "hyperparameters": {},
            "options": {}, "nb1s_version": "x", "data": RUN_DATA}
    writer = RunWriter.create(tmp_path, meta)
    writer.stop("interrupted", 1, "a signal")
    stored = json.loads((tmp_path / "run.json").read_text())
    assert stored["status"] == "interrupted" and stored["stopped_at_epoch"] == 1
    again = RunWriter.reopen(tmp_path, meta, reported=1)
    written = json.loads((tmp_path / "run.json").read_text())
    assert again.meta.status == "running" and again.meta.stopped_at_epoch is None
    assert written["status"] == "running" and "stopped_at_epoch" not in written
    assert written["stops"][0]["status"] == "interrupted"
    assert again.meta.stops[0].stopped_at_epoch == written["stops"][0]["stopped_at_epoch"] == 1
