"""Figure 16 re-checks the BOHB runs it is given before it analyses them.

fANOVA reads another recipe's output (fig5's BOHB runs), so nothing else guarantees that
a run folder is what the fig16 recipe expects. What a run must be comes from the fig16
recipe (configuration space, optimizer, seed, budgets) and from the fig5 recipe under the
same profile and protocol (`expected_of`: BOHB's iterations, the evaluations of a whole
run, the loss switches). Each run found is checked here, on its files
(`harness/blackbox_runs/bohb_log.py`):

- incomplete: fewer successful evaluations than a whole fig5 run and no `bohb.json`
  (interrupted, failed evaluations, a folder copied half-way), or a `bohb.json` that does
  not say `complete`. The space is not analysed; it is listed under `missing_runs`, so
  the result and its figures say `partial` (with no usable run at all, the kind answers
  cannot-run). A log without `bohb.json` that holds every evaluation a whole fig5 run
  plans (hpbandster logs of the original code, or of an nb1s run whose record was lost)
  is analysed, and listed as judged by its count alone (its settings are unrecorded);
- damaged: a log line or `bohb.json` that does not validate, or a `results.json` whose
  successful evaluations are not the count `bohb.json` recorded when the run finished
  (lines lost or added since). One UserError line, exit 2;
- other settings: a run of another configuration space, optimizer, seed or search space
  than its path says, BOHB budgets or iterations other than the recipes', loss switches
  (`LOSS_SWITCHES`) other than fig5's under the same protocol, evaluations at budgets
  the recipe does not have, or a results folder whose `plan.json` is not a BOHB
  recipe's of the same profile and protocol. One UserError line, exit 2: analysing it
  would answer a different question than the recipe asks.

The smoke profile's synthetic logs (`smoke.py`, `bohb.json` marked `synthetic`) are
checked the same way, except against fig5's iterations: they are longer on purpose, so
the forest has data.

`nb1s diff` on a fig16 results folder re-derives its rows from `fanova.json`, whose
numbers came from runs in another folder. `changed_since` repeats these checks on the runs
the analysis read, and compares each run's log with the sha256 `fanova.json` recorded
(`log_sha256`), so a run deleted, damaged or rewritten after the analysis fails the diff's
bookkeeping row instead of passing unseen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb1s.harness.blackbox_runs.bohb_log import (
    CONFIGS_FILE,
    RECORD_FILE,
    RESULTS_FILE,
    BohbLog,
    planned_evaluations,
)
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.plan import Plan
from nb1s.harness.search.results_directory import ResultsDirectory

#: the recipe whose BOHB runs Figure 16 analyses (its results folder is the default input)
BOHB_RECIPE = "fig5"
#: fig5's protocol switches that change what a CS2 DARTS evaluation's loss is: whether the
#: tuned cutout probability was applied at all (the shipped worker never applied it, so
#: the cutout axis of Figure 16 carries no signal) and which NB101 repeat the loss reads
LOSS_SWITCHES = ("cutout_applied", "nb101_repeat")


@dataclass(frozen=True)
class Expected:
    """What a whole fig5 BOHB run of the plan's profile and protocol is."""

    iterations: int
    evaluations: int
    switches: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedRuns:
    """The runs fit for analysis, why a found run is not, and which usable runs were
    judged by their evaluation count alone (no `bohb.json`)."""

    usable: dict[int, Path]
    incomplete: dict[int, str]
    unrecorded: list[int] = field(default_factory=list)


def expected_of(plan: Plan) -> Expected:
    """The fig5 recipe's BOHB settings under the plan's profile and protocol."""
    from nb1s.harness.recipe.catalog import load_recipe
    from nb1s.harness.recipe.plan import plan_header

    # fig5's settings as its own plan resolves them (the profile applied in plan_header)
    values = plan_header(load_recipe(BOHB_RECIPE), plan.profile, plan.protocol).settings
    budgets = [float(b) for b in values["budgets"]]
    iterations = int(values["iterations"])
    return Expected(iterations, planned_evaluations(min(budgets), max(budgets),
                                                    float(values["eta"]), iterations),
                    {k: values[k] for k in LOSS_SWITCHES if k in values})


def check_source(plan: Plan, source: Path) -> None:
    """Refuse a results folder made by another kind, profile or protocol (its plan.json;
    a bare folder of runs has none and is judged by its runs alone)."""
    folder = ResultsDirectory(source)
    if not folder.has_plan():
        return
    theirs = folder.read_plan()
    differ = [f"{name} {got!r}, expected {want!r}" for name, got, want in (
        ("kind", theirs.kind, "bohb"), ("profile", theirs.profile, plan.profile),
        ("protocol", theirs.protocol, plan.protocol)) if got != want]
    if differ:
        raise UserError(f"{source} holds BOHB runs of recipe {theirs.recipe} with other "
                        f"settings than {plan.recipe} ({plan.profile}, {plan.protocol}) "
                        f"expects: {'; '.join(differ)}; give the fig5 results of the same "
                        "profile and protocol (--bohb-results)")


def _other_settings(run: Path, differ: list[str]) -> UserError:
    return UserError(f"{run} was run with other settings than the recipe expects "
                     f"({'; '.join(differ)}): analysing it would answer another question")


def run_problem(run: Path, space: int, settings: dict[str, Any],
                expected: Expected) -> str | None:
    """Why `run` is incomplete (None: fit for analysis); UserError when it is damaged or
    was run with other settings (see the module docstring)."""
    log = BohbLog(run)
    results = log.read_results()  # every line validated (one line when damaged)
    log.read_configs()
    finished = sum(r.ok for r in results)
    budgets = [float(b) for b in settings["budgets"]]
    stray = sorted({r.budget for r in results} - set(budgets))
    strays = [f"evaluations at budgets {_shown(stray)}, the recipe has {_shown(budgets)}"]
    record = log.read_record()
    if record is None:
        if stray:
            raise _other_settings(run, strays)
        if finished == expected.evaluations:
            return None  # a whole run's log without nb1s's record (`CheckedRuns.unrecorded`)
        return (f"the BOHB run in {run} is incomplete (no {RECORD_FILE}; {finished} of "
                f"{expected.evaluations} evaluations logged)")
    if record.status != "complete":
        return f"the BOHB run in {run} is incomplete ({RECORD_FILE} says {record.status!r})"
    want = {"cs": int(settings["configuration_space"]), "optimizer": str(settings["optimizer"]),
            "seed": int(settings["bohb_seed"]), "space": int(space)}
    got = {"cs": record.cs, "optimizer": record.optimizer, "seed": record.seed,
           "space": record.space}
    differ = [f"{k} {got[k]!r}, expected {want[k]!r}" for k in want if got[k] != want[k]]
    if record.settings.budgets() != budgets:
        differ.append(f"budgets {_shown(record.settings.budgets())}, expected "
                      f"{_shown(budgets)}")
    elif stray:
        differ += strays
    if not record.synthetic and record.settings.iterations != expected.iterations:
        differ.append(f"iterations {record.settings.iterations}, expected "
                      f"{expected.iterations}")
    for name, value in expected.switches.items():
        if name in record.protocol and record.protocol[name] != value:
            differ.append(f"{name} {record.protocol[name]!r}, expected {value!r}")
    if differ:
        raise _other_settings(run, differ)
    if finished != record.evaluations:
        raise UserError(f"{log.results_file} is damaged: {finished} successful evaluations, "
                        f"but {RECORD_FILE} recorded {record.evaluations} when the run "
                        "finished")
    return None


def check_runs(plan: Plan, settings: dict[str, Any], source: Path,
               found: dict[int, Path | None]) -> CheckedRuns:
    """Every found run checked (`run_problem`), after the folder's own plan."""
    if not any(found.values()):
        return CheckedRuns({}, {})
    check_source(plan, source)
    expected = expected_of(plan)
    usable: dict[int, Path] = {}
    incomplete: dict[int, str] = {}
    unrecorded: list[int] = []
    for space, run in found.items():
        if run is None:
            continue
        problem = run_problem(run, space, settings, expected)
        if problem is not None:
            incomplete[space] = problem
            continue
        usable[space] = run
        if not BohbLog(run).has_record():
            unrecorded.append(space)
    return CheckedRuns(usable, incomplete, unrecorded)


def log_sha256(run: Path) -> str:
    """sha256 of the run's hpbandster log (configs.json, then results.json): which data an
    analysis read, so that `changed_since` can tell a rewritten log."""
    digest = hashlib.sha256()
    for name in (CONFIGS_FILE, RESULTS_FILE):
        digest.update(name.encode() + b"\0")
        digest.update((run / name).read_bytes())
    return digest.hexdigest()


def changed_since(plan: Plan, settings: dict[str, Any], source: Path,
                  analysed: dict[int, Path], digests: dict[str, str]) -> list[str]:
    """Why each analysed run is no longer what the analysis read (empty: all unchanged).

    `analysed`: space -> the run folder read; `digests`: str(space) -> its `log_sha256`
    then (absent in results written before it was recorded: those runs are re-checked
    but not compared byte for byte). A gone `source` folder is one reason for all runs.
    """
    if not analysed:
        return []
    if not source.is_dir():
        where = "" if source.is_absolute() else f" (read from {Path.cwd()})"
        return [f"the BOHB results folder {source} that fanova.json records is gone{where}: "
                f"the {len(analysed)} analysed runs cannot be re-checked"]
    problems: list[str] = []
    try:
        check_source(plan, source)
    except UserError as exc:
        problems.append(str(exc))
    expected = expected_of(plan)
    for space, run in sorted(analysed.items()):
        if not BohbLog(run).has_log():
            problems.append(f"SS{space}: the BOHB run {run} is gone")
            continue
        try:
            problem = run_problem(run, space, settings, expected)
            if problem is None and str(space) in digests \
                    and log_sha256(run) != digests[str(space)]:
                problem = f"the log of {run} changed since the analysis (sha256)"
        except (UserError, OSError) as exc:
            problem = str(exc)
        if problem is not None:
            problems.append(f"SS{space}: {problem}")
    return problems


def _shown(budgets: list[float]) -> str:
    return "/".join(f"{b:g}" for b in budgets)
