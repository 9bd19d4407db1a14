"""Turn a resolved plan into `nb1s search` jobs and run the ones not finished yet.

Results layout (the same for every executor):

    RESULTS/plan.json                      the resolved plan (recipe, version, profile, protocol)
    RESULTS/runs/VARIANT/spaceN/seedS/     one `nb1s search --out` directory per run
    RESULTS/logs/VARIANT/spaceN/seedS.log  that run's console output

Resumability comes from the run directories themselves: a run whose `run.json` says
`complete` is skipped, one that started is continued with `nb1s search --resume`, and a
missing one is started. A results folder is bound to one recipe version, profile and
protocol; reusing it for another is refused instead of mixing incomparable runs.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import (
    DataInputs,
    Executor,
    Interrupted,
    Job,
    JobResult,
)
from nb1s.harness.recipe.identity import recipe_identity
from nb1s.harness.recipe.plan import Plan, RunSpec
from nb1s.harness.search.results_directory import PLAN_FILE as PLAN_FILE  # re-exported
from nb1s.harness.search.results_directory import ResultsDirectory
from nb1s.harness.search.run_directory import run_status


def run_dir(results: Path, spec: RunSpec) -> Path:
    return ResultsDirectory(results).run(spec.key).path


def search_job(spec: RunSpec, results: Path, data: DataInputs, resume: bool,
               program: tuple[str, ...] | None = None,
               recipe: dict[str, Any] | None = None) -> Job:
    """The `nb1s search` command line of one run (`program` replaces `nb1s` for plugins).

    `recipe` (see `recipe_meta.recipe_identity`) is passed as `--recipe-meta` so the run
    records which recipe, version, profile and protocol produced it.
    """
    args: list[str | Path] = ["search", spec.optimizer, "--space", str(spec.space),
                              "--epochs", str(spec.epochs), "--seed", str(spec.seed)]
    for setting in spec.set_arguments():
        args += ["--set", setting]
    if recipe is not None:
        args += ["--recipe-meta", json.dumps(recipe, separators=(",", ":"))]
    args += ["--out", run_dir(results, spec)]
    if data.nb101_dir is not None:
        args += ["--data-dir", data.nb101_dir]
    if data.cifar_dir is not None:
        args += ["--cifar-dir", data.cifar_dir]
    if resume:
        args.append("--resume")
    args.append("--json")
    return Job(spec.key, tuple(args), ResultsDirectory(results).logs / f"{spec.key}.log",
               program=program)


def _plan_identity(plan: Plan) -> dict[str, Any]:
    """`plan_recipe_meta` under plan.json's keys (the name is stored as `recipe` there)."""
    meta = plan_recipe_meta(plan)
    return {"recipe": meta.pop("name"), **meta}


def plan_recipe_meta(plan: Plan) -> dict[str, Any]:
    """The `recipe` object every run of `plan` records in its run.json."""
    return recipe_identity(plan.recipe, plan.version, plan.profile, plan.protocol)


def bind_results(plan: Plan, results: Path) -> None:
    """Record the plan in `results`, refusing a folder made for another recipe/version."""
    folder = ResultsDirectory(results)
    if folder.has_plan():
        old = folder.read_plan().to_json()
        mine = _plan_identity(plan)
        theirs = {k: old.get(k) for k in mine}
        if theirs != mine:
            raise UserError(f"{results} holds results of {theirs}, not {mine}: choose "
                            "another --out")
    folder.write_plan(plan.but(command=plan_command_of(plan)))


def plan_command_of(plan: Plan) -> Literal["run", "check"]:
    """`check` for a candidate plan (`nb1s check`), else `run` (run and reproduce share a
    layout); recorded in plan.json so no other command can take the folder over."""
    return "check" if plan.runs and all(r.variant == "candidate" for r in plan.runs) else "run"


@dataclass
class RunSummary:
    """What `nb1s run` did: per run, skipped / started / resumed and the outcome."""

    results: str
    executor: dict[str, object]
    skipped: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    blocked: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: set when Ctrl-C/SIGTERM stopped the run: which runs finished and which did not
    interrupted: bool = False
    finished: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    #: what the executor did to the unfinished runs (containers stopped, tasks cancelled)
    stop_note: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    def as_dict(self) -> dict[str, Any]:
        out = {"results": self.results, "executor": self.executor, "skipped": self.skipped,
               "started": self.started, "resumed": self.resumed, "failed": self.failed,
               "blocked": self.blocked, "seconds": self.seconds, "ok": self.ok}
        if self.interrupted:
            out.update({"interrupted": True, "finished": self.finished,
                        "unfinished": self.unfinished, "stop_note": self.stop_note})
        return out


def interrupt_line(summary: dict[str, Any], resume: str) -> str:
    """The one line printed after Ctrl-C (from `RunSummary.as_dict`): what finished, what
    did not, and the command that resumes."""
    done = len(summary["skipped"]) + len(summary["finished"])
    unfinished = summary["unfinished"]
    total = done + len(unfinished)
    more = ", ..." if len(unfinished) > 4 else ""
    note = f"; {summary['stop_note']}" if summary.get("stop_note") else ""
    return (f"stopped: {done} of {total} runs complete, {len(unfinished)} not finished "
            f"({', '.join(unfinished[:4])}{more}){note}; the finished ones are kept and "
            f"aggregated as partial; resume with: {resume}")


def run_plan(plan: Plan, results: Path, executor: Executor, data: DataInputs,
             on_done: Callable[[JobResult], None] | None = None,
             on_start: Callable[[int], None] | None = None,
             program: tuple[str, ...] | None = None) -> RunSummary:
    """Run every unfinished run of `plan` into `results` (see module docstring)."""
    import time

    started_at = time.perf_counter()
    results.mkdir(parents=True, exist_ok=True)
    with _exclusive(results):
        return _run_locked(plan, results, executor, data, on_done, on_start, program,
                           started_at)


@contextlib.contextmanager
def _exclusive(results: Path) -> Iterator[None]:
    """One `nb1s run`/`reproduce`/`check` per results folder at a time (two would resume
    the same run twice); a second invocation fails at once instead of waiting. The lock
    is an flock (`folder_lock`): a killed process never leaves the folder locked."""
    from nb1s.harness.guards.folder_lock import folder_lock

    with folder_lock(results, "nb1s run/reproduce/check"):
        yield


def _run_locked(plan: Plan, results: Path, executor: Executor, data: DataInputs,
                on_done: Callable[[JobResult], None] | None,
                on_start: Callable[[int], None] | None, program: tuple[str, ...] | None,
                started_at: float) -> RunSummary:
    import time

    bind_results(plan, results)
    summary = RunSummary(str(results), executor.describe(),
                         blocked=[{"variant": b.variant, "label": b.label, "reason": b.reason}
                                  for b in plan.blocked])
    jobs: list[Job] = []
    for spec in plan.runs:
        status = run_status(run_dir(results, spec))
        if status == "complete":
            summary.skipped.append(spec.key)
            continue
        (summary.resumed if status == "partial" else summary.started).append(spec.key)
        jobs.append(search_job(spec, results, data, resume=status == "partial", program=program,
                               recipe=plan_recipe_meta(plan)))
    if on_start is not None:
        on_start(len(jobs))
    try:
        outcomes = executor.run(jobs, on_done) if jobs else []
    except Interrupted as stop:
        summary.interrupted = True
        summary.finished = [r.key for r in stop.finished]
        summary.unfinished = list(stop.unfinished)
        summary.stop_note = stop.note
        outcomes = []
    for res in outcomes:
        if not res.ok:
            summary.failed.append({"run": res.key, "returncode": res.returncode,
                                   "log": res.log})
    summary.seconds = round(time.perf_counter() - started_at, 3)
    return summary
