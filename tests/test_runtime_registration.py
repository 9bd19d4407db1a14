"""A one-shot optimizer and an executor registered at run time, used through the CLI.

Kinds (tests/test_experiment_kinds.py) and black-box optimizers
(tests/test_kind_guarantees.py) have the same test. Each registration here is one call from
this module, nothing edited inside nb1s: `register_method` for the optimizer,
`register_executor` for the executor (docs/architecture.md).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from search_helpers import read_records
from typer.testing import CliRunner

from nb1s.harness.cli.app import app
from nb1s.harness.errors import UserError
from nb1s.harness.executors import registry
from nb1s.harness.executors.base import (
    DataInputs,
    ExecutorEntry,
    ExecutorSettings,
    Interrupted,
    Job,
    JobResult,
    child_env,
)
from nb1s.optimizers import (
    METHODS,
    GumbelMixing,
    Hyperparameters,
    OneShotMethod,
    register_method,
)
from nb1s.optimizers.mixing import Mixing

TINY = ["batch_size=8", "init_channels=4", "layers=3", "max_batches_per_epoch=2",
        "max_eval_batches=1"]


class SoftGumbelHalving(OneShotMethod):
    """Gumbel mixing whose temperature halves every epoch (a method nb1s does not ship)."""

    name = "test-soft-gumbel-halving"
    defaults: ClassVar[dict[str, Any]] = {"tau_max": 8.0}
    color = "black"
    marker = "8"

    def make_mixing(self, hp: Hyperparameters) -> Mixing:
        return GumbelMixing(hp.tau_max, skip_unsampled=False)

    def temperature(self, hp: Hyperparameters, epoch: float) -> float | None:
        return float(hp.tau_max) / 2.0 ** epoch


@pytest.fixture
def soft_gumbel() -> Iterator[str]:
    register_method(SoftGumbelHalving)
    try:
        yield SoftGumbelHalving.name
    finally:
        METHODS.pop(SoftGumbelHalving.name, None)


def test_a_one_shot_optimizer_registered_at_runtime_runs_through_nb1s_search(
        soft_gumbel: str, search_data: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["search", soft_gumbel, "--space", "2", "--epochs", "2", "--seed", "1",
            "--out", str(out), "--data-dir", str(search_data["nb101"]), "--cifar-dir",
            str(search_data["cifar"]), "--device", "cpu", "--json"]
    for item in TINY:
        args += ["--set", item]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["optimizer"] == soft_gumbel and summary["records"] == 3
    meta = json.loads((out / "run.json").read_text())
    assert meta["hyperparameters"]["tau_max"] == 8.0  # the method's own default
    records = read_records(out)
    # the method's schedule reached the search loop: 8 / 2**epoch while training epoch e
    assert [r["temperature"] for r in records[1:]] == [pytest.approx(8.0),
                                                      pytest.approx(4.0)]
    with pytest.raises(ValueError, match="already registered"):
        register_method(type("Other", (OneShotMethod,), {"name": soft_gumbel}))


def test_a_one_shot_optimizer_registered_at_runtime_brings_its_plot_style(
        soft_gumbel: str) -> None:
    """Its curve is drawn with the class's own colour and marker; a built-in keeps its
    entry's; once unregistered the name has no style (the plot picks one)."""
    from nb1s.harness.report.styles import Style, style_of

    assert style_of(soft_gumbel) == Style("black", "8")
    assert style_of("darts") == Style("dodgerblue", "^")
    METHODS.pop(soft_gumbel)
    assert style_of(soft_gumbel) is None


class Sequential:
    """Runs each job as a local process, one after the other (an executor nb1s lacks)."""

    name = "sequential"
    started: ClassVar[list[str]] = []

    def __init__(self, results: Path, settings: ExecutorSettings) -> None:
        self.results = results
        self.settings = settings

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        done: list[JobResult] = []
        for job in jobs:
            Sequential.started.append(job.key)
            job.log.parent.mkdir(parents=True, exist_ok=True)
            try:
                with job.log.open("w") as log:
                    proc = subprocess.run(job.argv(), stdout=log, stderr=subprocess.STDOUT,
                                          env=child_env({**os.environ, **job.env}),
                                          check=False)
            except KeyboardInterrupt:
                raise Interrupted(done, [j.key for j in jobs[len(done):]]) from None
            done.append(JobResult(job.key, proc.returncode, 0.0, str(job.log)))
            if on_done is not None:
                on_done(done[-1])
        return done

    def describe(self) -> dict[str, object]:
        return {"executor": self.name, "order": "one job after the other"}


def _build(results: Path, data: DataInputs, settings: ExecutorSettings) -> Sequential:
    del data
    return Sequential(results, settings)


def _check(settings: ExecutorSettings) -> None:
    if settings.gpus:
        raise UserError("sequential: runs on the CPU only, --gpus does not apply")


SEQUENTIAL = ExecutorEntry(build=_build, check=_check)


@pytest.fixture
def sequential(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(registry, "EXECUTORS", dict(registry.EXECUTORS))  # undone after
    monkeypatch.setattr(Sequential, "started", [])
    registry.register_executor("sequential", SEQUENTIAL)
    return "sequential"


def test_an_executor_registered_at_runtime_runs_a_recipe_through_nb1s_run(
        sequential: str, tmp_path: Path) -> None:
    out = tmp_path / "fig3"
    refused = CliRunner().invoke(app, ["run", "fig3", "--profile", "smoke", "--out", str(out),
                                       "--executor", sequential, "--gpus", "0"])
    # the entry's own check refuses before any data is built (the console script prints
    # this UserError as one line and exits 2; in-process it is the exception)
    assert isinstance(refused.exception, UserError)
    assert "--gpus does not apply" in str(refused.exception) and not out.exists()
    res = CliRunner().invoke(app, ["run", "fig3", "--profile", "smoke", "--out", str(out),
                                   "--executor", sequential, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["ok"] is True and doc["executor"]["executor"] == sequential
    assert Sequential.started == doc["started"] == ["darts/space1/seed0", "gdas/space1/seed0"]
    for key in doc["started"]:  # real searches wrote their run folders
        optimizer, space, seed = key.split("/")
        assert json.loads((out / "runs" / optimizer / space / seed / "run.json")
                          .read_text())["optimizer"] == optimizer
    with pytest.raises(ValueError, match="already registered"):
        registry.register_executor(sequential, ExecutorEntry(build=_build))
    assert registry.entry_for(sequential) is SEQUENTIAL


# --------------------------------------------------------- a black-box optimizer, with facts

def _one_seed_random_search(space: Any, objective: Any, seed: int, n: int) -> Any:
    """A sequential black-box optimizer nb1s does not ship (random search, one seed)."""
    import numpy as np

    from nb1s.optimizers.discrete.random_search import random_search

    return random_search(space, objective, np.array([seed]), n)


@pytest.fixture
def slow_search() -> Iterator[str]:
    """`SLOWRS` registered with every fact the harness reads from an entry."""
    from nb1s.optimizers.discrete import (
        BLACKBOX_OPTIMIZERS,
        BlackBoxOptimizer,
        register_blackbox,
    )

    entry = BlackBoxOptimizer(name="SLOWRS", vectorised=False, runner=_one_seed_random_search,
                              seconds_per_seed=120.0, libraries=("json",), min_evaluations=5,
                              color="black", marker="8")
    register_blackbox(entry)
    try:
        yield entry.name
    finally:
        BLACKBOX_OPTIMIZERS.pop(entry.name, None)


def test_a_black_box_optimizer_registered_at_runtime_brings_its_facts(
        slow_search: str, tmp_path: Path) -> None:
    """Cost, order, plot style, worker imports and the smallest run are read from the
    entry; a built-in name cannot be registered over; an unknown name is an error, not a
    default, wherever a fact is read."""
    from nb1s.harness.blackbox_runs import grid
    from nb1s.harness.blackbox_runs.budget import estimate, records_per_seed
    from nb1s.harness.blackbox_runs.cluster import estimated_seconds, seeds_per_task
    from nb1s.harness.cli.blackbox_cmd import optimizer_names
    from nb1s.harness.report.styles import Style, style_of
    from nb1s.optimizers.discrete import BlackBoxOptimizer, register_blackbox

    assert style_of(slow_search) == Style("black", "8")
    assert estimated_seconds(slow_search, 280, 3) == pytest.approx(360.0)
    assert estimate([(slow_search, 280)], 3).cpu_seconds == pytest.approx(360.0)
    assert seeds_per_task(slow_search, 280, False, 600.0) == 5  # 600 s / 120 s per seed
    assert records_per_seed(slow_search, 7) == 7
    assert optimizer_names().endswith(f"BOHB or {slow_search}")
    settings = [grid.GridSettings(name, 1, 280, "sample", "x", None, True)
                for name in ("RS", "SMAC", slow_search, "TPE")]
    tasks = [grid._Task(s, (0,), "x") for s in settings]
    assert [t.settings.optimizer for t in grid._slow_first(tasks)] == \
        [slow_search, "SMAC", "TPE", "RS"]
    assert grid.preload_modules({slow_search, "TPE", "RS"})[1:] == ["json", "hyperopt"]
    with pytest.raises(ValueError, match="already registered"):
        register_blackbox(BlackBoxOptimizer(name="RS", vectorised=True, runner=print,
                                            seconds_per_seed=1.0, color="k", marker="o"))
    for read in (lambda: estimated_seconds("NOPE", 280, 1), lambda: records_per_seed("NOPE", 1),
                 lambda: estimate([("NOPE", 280)], 1), lambda: grid.preload_modules({"NOPE"})):
        with pytest.raises(ValueError, match="unknown black-box optimizer 'NOPE'"):
            read()


def test_a_black_box_optimizer_registered_at_runtime_runs_through_nb1s_blackbox(
        slow_search: str, tmp_path: Path) -> None:
    from blackbox_helpers import build_full_index

    index = build_full_index(tmp_path / "index")
    out = tmp_path / "runs"
    base = ["blackbox", slow_search.lower(), "--space", "1", "--seeds", "0-1", "--out",
            str(out), "--data-dir", str(index), "--json"]
    too_few = CliRunner().invoke(app, [*base, "--evaluations", "4"])
    assert isinstance(too_few.exception, UserError)  # the CLI's main prints it, exit 2
    assert str(too_few.exception) == "SLOWRS needs at least 5 evaluations, got 4"
    result = CliRunner().invoke(app, [*base, "--evaluations", "6"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["optimizer"] == slow_search and summary["ran"] == 2
    import numpy as np

    records = np.load(out / "ss1" / slow_search / "seed-1.npy")
    assert len(records) == 6 and set(records["seed"]) == {1}


def test_figure5s_black_box_optimizers_are_a_recipe_setting_a_registered_one_can_join(
        slow_search: str) -> None:
    """fig5's seven black-box optimizers come from its recipe (no list in the code): the
    plan keeps them, in the figures' order and where plan.json has always had the key; a
    runtime-registered optimizer joins by being named; an unregistered name or a recipe
    without the setting is refused in one line before anything is planned."""
    from nb1s.harness.experiments.bohb.settings import blackbox_plan
    from nb1s.harness.experiments.dispatch import plan_for
    from nb1s.harness.recipe.catalog import load_recipe
    from nb1s.harness.recipe.schema import Sourced

    fig5 = load_recipe("fig5")
    seven = ["RE", "RS", "RL", "SMAC", "HB", "BOHB", "TPE"]
    assert fig5.settings["blackbox_optimizers"].value == seven  # type: ignore[union-attr]
    for profile in ("paper", "smoke"):
        plan = plan_for(fig5, profile, "paper")  # type: ignore[arg-type]
        assert plan.settings["blackbox_optimizers"] == seven
        assert next(iter(plan.settings)) == "blackbox_optimizers"

    def named(names: list[str] | None) -> Any:
        settings = {k: v for k, v in fig5.settings.items() if k != "blackbox_optimizers"}
        if names is not None:
            settings["blackbox_optimizers"] = Sourced[Any](value=names, source="test")
        return fig5.model_copy(update={"settings": settings})

    plan = plan_for(named([*seven, slow_search]), "smoke", "paper")
    runs, _ = blackbox_plan(plan)
    assert [name for name, _, _ in runs] == [*seven, slow_search]
    with pytest.raises(UserError, match="blackbox_optimizers: unknown black-box optimizer "
                                        "'NOPE'"):
        plan_for(named(["RE", "NOPE"]), "paper", "paper")
    with pytest.raises(UserError, match="fig5 needs the setting blackbox_optimizers"):
        plan_for(named(None), "paper", "paper")
