"""The plan decides the profile once; `prepare_inputs` reads it; executors are registered.

Pins issue 9's execution part: what data a plan needs is part of the plan (and not of
plan.json, whose format stays), smoke data is built in this process by the library, the
executors form no import cycle with the runner, and an executor is one module plus one
registry line.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from nb1s.harness.errors import UserError
from nb1s.harness.execution.inputs import prepare_inputs
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.executors import DataInputs, Interrupted, Job, JobResult
from nb1s.harness.executors.base import ExecutorEntry, ExecutorSettings
from nb1s.harness.executors.pool import all_done, run_on_slots
from nb1s.harness.recipe.catalog import load_recipe
from nb1s.harness.recipe.plan import DataNeeds, Plan, plan_recipe

HARNESS = Path(__file__).resolve().parents[1] / "harness"


# ---------------------------------------------------------------- the plan carries the profile

def test_the_smoke_plan_says_it_reads_synthetic_data_for_its_spaces() -> None:
    plan = plan_recipe(load_recipe("fig2"), "smoke", "paper")
    assert plan.data == DataNeeds(synthetic=True, spaces=tuple(plan.spaces), images=True)
    assert plan.labels == ["smoke", "synthetic"]
    assert plan.profile_hyperparameters  # the smoke budgets it pins itself


def test_the_paper_plan_reads_the_users_data() -> None:
    plan = plan_recipe(load_recipe("fig2"), "paper", "paper")
    assert not plan.data.synthetic and plan.data.images and plan.labels == []
    assert plan.profile_hyperparameters == ()


def test_a_distribution_looks_up_the_spaces_of_its_settings_and_trains_nothing() -> None:
    plan = plan_recipe(load_recipe("fig6"), "smoke", "paper")
    assert plan.data == DataNeeds(synthetic=True, spaces=(1, 2, 3), images=False)


@pytest.mark.parametrize(("recipe", "profile", "needs"), [
    ("blackbox", "smoke",
     DataNeeds(synthetic=True, spaces=(1,), images=False, all_budgets=True)),
    ("blackbox", "paper",
     DataNeeds(synthetic=False, spaces=(1, 2, 3), images=False, all_budgets=True)),
    ("fig5", "smoke", DataNeeds(synthetic=True, spaces=(3,), images=True, all_budgets=True)),
    ("fig5", "paper",
     DataNeeds(synthetic=False, spaces=(1, 2, 3), images=True, all_budgets=True)),
    ("fig16", "smoke", DataNeeds(synthetic=True, spaces=(1, 2, 3), images=False)),
])
def test_the_newer_kinds_declare_their_data_in_the_plan(
        recipe: str, profile: str, needs: DataNeeds) -> None:
    """Black-box baselines and BOHB read the four-budget index; fanova reads no NB101 data."""
    from nb1s.harness.experiments.dispatch import plan_for

    assert plan_for(load_recipe(recipe), profile, "paper").data == needs


def test_plan_json_keeps_its_format() -> None:
    """plan.json and `nb1s plan --json` show the same keys as before the data needs."""
    out = plan_recipe(load_recipe("fig2"), "smoke", "paper").as_dict()
    assert "data" not in out and "profile_hyperparameters" not in out
    assert list(out) == ["recipe", "version", "title", "kind", "profile", "protocol", "runs",
                         "blocked", "final_epoch", "band", "spaces", "labels", "settings"]


# ---------------------------------------------------------------- prepare_inputs(plan)

def _plan(data: DataNeeds) -> Plan:
    return Plan(recipe="fig2", version=2, title="t", kind="search",
                profile="smoke" if data.synthetic else "paper", protocol="paper",
                spaces=list(data.spaces), data=data)


@pytest.fixture
def smoke_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, list[int], bool]]:
    calls: list[tuple[Path, list[int], bool]] = []

    def fake(folder: Path, spaces: list[int], images: bool = True,
             all_budgets: bool = False) -> DataInputs:
        calls.append((folder, spaces, images) + ((True,) if all_budgets else ()))
        return DataInputs(folder / "index", folder / "digits" if images else None)

    monkeypatch.setattr("nb1s.harness.execution.smoke_data.prepare_smoke_data", fake)
    return calls


def test_a_synthetic_plan_gets_the_smoke_data(tmp_path: Path, smoke_calls: list[Any]) -> None:
    data = prepare_inputs(_plan(DataNeeds(synthetic=True, spaces=(1, 2), images=True)),
                          tmp_path, ExecutionOptions())
    assert smoke_calls == [(tmp_path / "data", [1, 2], True)]
    assert data == DataInputs(tmp_path / "data" / "index", tmp_path / "data" / "digits")
    prepare_inputs(_plan(DataNeeds(synthetic=True, spaces=(3,), images=False)), tmp_path,
                   ExecutionOptions(smoke_data=tmp_path / "s", cifar_dir=tmp_path / "c"))
    assert smoke_calls[-1] == (tmp_path / "s", [3], False)  # cifar is not what it reads
    prepare_inputs(_plan(DataNeeds(synthetic=True, spaces=(1,), images=False,
                                   all_budgets=True)), tmp_path,
                   ExecutionOptions())
    assert smoke_calls[-1] == (tmp_path / "data", [1], False, True)  # the four-budget index


def test_user_folders_replace_the_smoke_data_and_are_checked_first(
        tmp_path: Path, smoke_calls: list[Any]) -> None:
    opts = ExecutionOptions(data_dir=tmp_path / "no-index")
    for needs in (DataNeeds(synthetic=True, spaces=(1,), images=True),
                  DataNeeds(synthetic=False, spaces=(1,), images=True)):
        with pytest.raises(UserError, match="no NAS-Bench-101 index"):
            prepare_inputs(_plan(needs), tmp_path, opts)
    assert smoke_calls == []


def test_smoke_data_is_built_in_process_by_the_library(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No `nb1s` subprocess: the library functions the commands call, with their values."""
    from nb1s.harness.execution import smoke_data

    def no_subprocess(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("smoke data must not start a process")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    calls: list[tuple[str, Any]] = []

    def synth(path: Path, models: int, seed: int, spaces: list[int], full: bool) -> None:
        assert not full  # the one-budget index unless a kind asks for all four
        calls.append(("synth", (models, seed, spaces)))
        path.write_bytes(b"record")

    def import_(source: Path, into: Path) -> None:
        calls.append(("import", source.name))
        into.mkdir(parents=True)
        (into / "provenance.json").write_text("{}")

    def digits(out: Path, seed: int) -> None:
        calls.append(("digits", seed))
        out.mkdir()
        (out / "nb1s_dataset.json").write_text("{}")

    monkeypatch.setattr("nb1s.harness.nb101.synthetic.write_synthetic_tfrecord", synth)
    monkeypatch.setattr("nb1s.harness.nb101.importer.import_tfrecord", import_)
    monkeypatch.setattr("nb1s.harness.images.digits.write_digits", digits)
    data = smoke_data.prepare_smoke_data(tmp_path, [2, 1])
    assert calls == [("synth", (1, 0, [1, 2])), ("import", "nb101-synthetic.tfrecord"),
                     ("digits", 0)]
    assert data == DataInputs(tmp_path / "nb101-synthetic", tmp_path / "digits")
    assert not (tmp_path / "nb101-synthetic.tfrecord").exists()
    smoke_data.prepare_smoke_data(tmp_path, [1])  # covered already: nothing is rebuilt
    assert len(calls) == 3


def test_a_failing_smoke_step_names_its_command_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.execution import smoke_data

    def broken(*args: Any, **kwargs: Any) -> None:
        raise UserError("disk full")

    monkeypatch.setattr("nb1s.harness.nb101.synthetic.write_synthetic_tfrecord", broken)
    with pytest.raises(UserError, match=r"preparing smoke data failed: `nb1s data synth "
                                         r".*--spaces 1 --seed 0`: disk full"):
        smoke_data.prepare_smoke_data(tmp_path, [1])


# ---------------------------------------------------------------- executors

def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_executors_never_import_the_layers_above_them() -> None:
    """The runner imports the executors, never the reverse (no execution <-> factory cycle)."""
    above = ("nb1s.harness.execution", "nb1s.harness.experiments", "nb1s.harness.cli")
    for module in sorted((HARNESS / "executors").glob("*.py")):
        bad = sorted(n for n in _imports(module) if n.startswith(above))
        assert not bad, f"{module.name} imports {bad}"


class _Fake:
    name = "fake"

    def __init__(self, results: Path, data: DataInputs, settings: ExecutorSettings) -> None:
        self.results, self.data, self.settings = results, data, settings

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        return [JobResult(j.key, 0, 0.0, str(j.log)) for j in jobs]

    def describe(self) -> dict[str, object]:
        return {"executor": self.name}


def _refuse_odd_timeouts(settings: ExecutorSettings) -> None:
    if settings.timeout_min % 2:
        raise UserError("fake: odd timeout")


FAKE_ENTRY = ExecutorEntry(build=_Fake, check=_refuse_odd_timeouts)


def test_an_executor_is_one_module_plus_one_registration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.executors import registry
    from nb1s.harness.executors.factory import check_executor_options, make_executor

    with pytest.raises(UserError, match=r"unknown executor 'fake': choose one of local, "
                                        r"docker, slurm$"):
        check_executor_options("fake", 60, None, None)
    monkeypatch.setitem(registry.EXECUTORS, "fake", f"{__name__}:FAKE_ENTRY")
    check_executor_options("fake", 60, None, "0")
    with pytest.raises(UserError, match="fake: odd timeout"):
        check_executor_options("fake", 61, None, None)
    ex = make_executor("fake", tmp_path, DataInputs(), workers=3, gpus=["1"])
    assert isinstance(ex, _Fake) and ex.settings.workers == 3 and ex.settings.gpus == ["1"]


def test_the_slot_pool_returns_job_order_and_never_shares_a_slot(tmp_path: Path) -> None:
    import threading
    import time

    held: set[str] = set()
    lock = threading.Lock()
    clashes: list[str] = []

    def run_one(job: Job, slot: str) -> JobResult:
        with lock:
            if slot in held:
                clashes.append(slot)
            held.add(slot)
        time.sleep(0.01 * (5 - int(job.key)))
        with lock:
            held.discard(slot)
        return JobResult(job.key, 0 if job.key != "3" else 1, 0.0, "")

    jobs = [Job(str(i), (), tmp_path / f"{i}.log") for i in range(5)]
    out = run_on_slots(jobs, ["a", "b"], run_one, lambda cancel, futures: "")
    assert [r.key for r in out] == ["0", "1", "2", "3", "4"] and not clashes
    assert [r.ok for r in out] == [True, True, True, False, True]


def test_the_slot_pool_stops_on_ctrl_c_with_the_executors_note(tmp_path: Path) -> None:
    import threading
    import time

    release = threading.Event()
    stopped: list[bool] = []

    def run_one(job: Job, slot: int) -> JobResult:
        if job.key != "0":
            release.wait(5)
        return JobResult(job.key, 0, 0.0, "")

    def interrupt(res: JobResult) -> None:
        raise KeyboardInterrupt

    def stop(cancel: Callable[[], None], futures: Sequence[Any]) -> str:
        cancel()
        release.set()
        # the queued jobs were cancelled and are never picked up: they still count as done
        deadline = time.monotonic() + 5
        while not all_done(futures) and time.monotonic() < deadline:
            time.sleep(0.01)
        stopped.append(all_done(futures))
        return "2 things were stopped"

    jobs = [Job(str(i), (), tmp_path / f"{i}.log") for i in range(4)]
    with pytest.raises(Interrupted) as caught:
        run_on_slots(jobs, [0, 1], run_one, stop, on_done=interrupt)
    assert stopped == [True] and caught.value.note == "2 things were stopped"
    # 0 finished; 1 (and 2, if a worker took it before the cancel) finished while stopping;
    # 3 was still queued: cancelled, never started
    finished = [r.key for r in caught.value.finished]
    assert finished[:2] == ["0", "1"] and "3" in caught.value.unfinished
    assert finished + caught.value.unfinished == ["0", "1", "2", "3"]


# ---------------------------------------------------------------- the plan is passed down

def test_a_given_plan_is_used_not_recomputed(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.experiments import analysis_run
    from nb1s.harness.experiments.search_curves import reproduce

    recipe = load_recipe("fig2")
    blocked = plan_recipe(recipe, "smoke", "paper", lambda opt: "not here")

    def no_replanning(*args: Any, **kwargs: Any) -> Plan:
        raise AssertionError("the plan was computed again")

    monkeypatch.setattr(reproduce, "plan_recipe", no_replanning)
    monkeypatch.setattr(analysis_run, "plan_recipe", no_replanning)
    result = reproduce.reproduce_recipe(recipe, tmp_path, None, "smoke", "paper", plan=blocked)
    assert result.status == "cannot-run" and len(result.to_json()["blocked"]) == 5
    runs = analysis_run.run_analysis_searches(recipe, tmp_path, None, "smoke", "paper", None,
                                              lambda opt: None, plan=blocked)
    assert runs.plan is blocked and runs.summary is None
