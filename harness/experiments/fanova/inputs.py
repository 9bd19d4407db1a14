"""Figure 16 re-checks the BOHB runs it is given before it analyses them.

fANOVA reads another recipe's output (fig5's BOHB runs), so nothing else guarantees that
a run folder is what the fig16 recipe expects. Each run found is checked here, on its
files (`harness/blackbox_runs/bohb_log.py`):

- incomplete: no `bohb.json` (the BOHB run never finished: interrupted, failed
  evaluations, or a folder copied half-way) or one that does not say `complete`. The
  space is not analysed; it is listed under `missing_runs`, so the result and its
  figures say `partial` (or, with no usable run at all, the kind answers cannot-run);
- damaged: a log line or `bohb.json` that does not validate, or a `results.json` whose
  successful evaluations are not the count `bohb.json` recorded when the run finished
  (lines lost or added since). One UserError line, exit 2;
- other settings: a run of another configuration space, optimizer, seed or search space
  than its path says, BOHB budgets other than the recipe's `budgets`, loss switches
  (`LOSS_SWITCHES`) other than the fig5 recipe's under the same protocol, or a results
  folder whose `plan.json` is not a BOHB recipe's of the same profile and protocol. One
  UserError line, exit 2: analysing it would answer a different question than the
  recipe asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb1s.harness.blackbox_runs.bohb_log import RECORD_FILE, BohbLog
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.plan import Plan
from nb1s.harness.recipe.schema import Protocol
from nb1s.harness.search.results_directory import ResultsDirectory

#: the recipe whose BOHB runs Figure 16 analyses (its results folder is the default input)
BOHB_RECIPE = "fig5"
#: fig5's protocol switches that change what a CS2 DARTS evaluation's loss is: whether the
#: tuned cutout probability was applied at all (the shipped worker never applied it, so
#: the cutout axis of Figure 16 carries no signal) and which NB101 repeat the loss reads
LOSS_SWITCHES = ("cutout_applied", "nb101_repeat")


@dataclass(frozen=True)
class CheckedRuns:
    """The runs fit for analysis and, per space, why a found run is not."""

    usable: dict[int, Path]
    incomplete: dict[int, str]


def check_source(plan: Plan, source: Path) -> None:
    """Refuse a results folder made by another kind, profile or protocol (its plan.json;
    a bare folder of runs has none and is judged by its runs' records alone)."""
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


def expected_switches(protocol: Protocol) -> dict[str, Any]:
    """The fig5 recipe's `LOSS_SWITCHES` under `protocol` (what its runs record)."""
    from nb1s.harness.recipe.catalog import load_recipe
    from nb1s.harness.recipe.schema import resolve

    recipe = load_recipe(BOHB_RECIPE)
    return {k: resolve(recipe.settings[k], protocol)[0] for k in LOSS_SWITCHES
            if k in recipe.settings}


def run_problem(run: Path, space: int, settings: dict[str, Any],
                switches: dict[str, Any] | None = None) -> str | None:
    """Why `run` is incomplete (None: fit for analysis); UserError when it is damaged or
    was run with other settings (see the module docstring). `switches`: the loss
    switches the run must have recorded (a record without them, e.g. fig16's synthetic
    smoke logs, is not judged on them)."""
    log = BohbLog(run)
    results = log.read_results()  # every line validated (one line when damaged)
    log.read_configs()
    record = log.read_record()
    if record is None:
        return (f"the BOHB run in {run} is incomplete (no {RECORD_FILE}: it did not "
                f"finish; {sum(r.ok for r in results)} evaluations logged)")
    if record.status != "complete":
        return f"the BOHB run in {run} is incomplete ({RECORD_FILE} says {record.status!r})"
    want = {"cs": int(settings["configuration_space"]), "optimizer": str(settings["optimizer"]),
            "seed": int(settings["bohb_seed"]), "space": int(space)}
    got = {"cs": record.cs, "optimizer": record.optimizer, "seed": record.seed,
           "space": record.space}
    differ = [f"{k} {got[k]!r}, expected {want[k]!r}" for k in want if got[k] != want[k]]
    budgets = [float(b) for b in settings["budgets"]]
    if record.settings.budgets() != budgets:
        differ.append(f"budgets {_shown(record.settings.budgets())}, expected "
                      f"{_shown(budgets)}")
    for name, value in (switches or {}).items():
        if name in record.protocol and record.protocol[name] != value:
            differ.append(f"{name} {record.protocol[name]!r}, expected {value!r}")
    if differ:
        raise UserError(f"{run} was run with other settings than the recipe expects "
                        f"({'; '.join(differ)}): analysing it would answer another question")
    finished = sum(r.ok for r in results)
    if finished != record.evaluations:
        raise UserError(f"{log.results_file} is damaged: {finished} successful evaluations, "
                        f"but {RECORD_FILE} recorded {record.evaluations} when the run "
                        "finished")
    return None


def check_runs(plan: Plan, settings: dict[str, Any], source: Path,
               found: dict[int, Path | None]) -> CheckedRuns:
    """Every found run checked (`run_problem`), after the folder's own plan."""
    if any(found.values()):
        check_source(plan, source)
    usable: dict[int, Path] = {}
    incomplete: dict[int, str] = {}
    switches = expected_switches(plan.protocol) if any(found.values()) else {}
    for space, run in found.items():
        if run is None:
            continue
        problem = run_problem(run, space, settings, switches)
        if problem is None:
            usable[space] = run
        else:
            incomplete[space] = problem
    return CheckedRuns(usable, incomplete)


def _shown(budgets: list[float]) -> str:
    return "/".join(f"{b:g}" for b in budgets)
