"""`nb1s reproduce fig16`: fANOVA of the CS2 DARTS BOHB runs, per space and budget.

Data flow: recipe -> settings (budgets, pair, forest) -> the BOHB runs of the fig5
results folder (`bohb_logs.py`; the smoke profile writes synthetic ones when fig5 has
none) -> per space and budget, a seeded fANOVA forest (`compute.py`) -> the results folder:

    RESULTS/plan.json      the resolved plan (binds the folder to recipe/version/...)
    RESULTS/fanova.json    per space and budget: evaluations, importances, marginals,
                           incumbent; per budget the surfaces' correlation across spaces
    RESULTS/fanova.md      the importances as a Markdown table
    RESULTS/plots/         Figure 16 and the single marginals (`plot.py`)
    RESULTS/diff.json, diff.md   the paper's statement about Figure 16, checked or not
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nb1s.atomic import atomic_write_text
from nb1s.harness.blackbox_runs.bohb_log import BohbLog
from nb1s.harness.errors import UserError
from nb1s.harness.experiments.analysis_diff import (
    load_analysis,
    write_analysis_diff,
)
from nb1s.harness.experiments.fanova.documents import FANOVA_FILE, FanovaResult
from nb1s.harness.experiments.fanova.inputs import (
    CheckedRuns,
    changed_since,
    check_runs,
    log_sha256,
)
from nb1s.harness.experiments.kind import Request
from nb1s.harness.experiments.result import KindResult, diff_link, diff_result
from nb1s.harness.recipe.identity import recipe_identity
from nb1s.harness.recipe.plan import Plan
from nb1s.harness.references import claims_for, paper
from nb1s.harness.search.results_directory import ResultsDirectory

SUMMARY_FILE = "fanova.md"
SYNTHETIC_DIR = "synthetic-bohb"
_REQUIRED = ("spaces", "configuration_space", "optimizer", "budgets", "bohb_seed", "pair",
             "trees", "forest_seed", "min_evaluations", "grid_points")


def settings_of(plan: Plan) -> dict[str, Any]:
    """The plan's settings, refused when a fanova setting is missing."""
    missing = [k for k in _REQUIRED if k not in plan.settings]
    if missing:
        raise UserError(f"recipe {plan.recipe} lacks the fanova settings {missing}")
    return plan.settings


def bohb_source(plan: Plan, given: Path | None) -> Path:
    """The folder whose `bohb/` holds the runs: given, the recipe's, or fig5's default."""
    from nb1s.harness.execution.options import default_results

    if given is not None:
        return given
    if plan.settings.get("bohb_results"):
        return Path(plan.settings["bohb_results"])
    return default_results("fig5", plan.profile, plan.protocol)


def stored_runs(settings: dict[str, Any], source: Path) -> dict[int, Path | None]:
    """Space -> the folder of its BOHB run under `source/bohb`, None where there is none."""
    from nb1s.harness.experiments.fanova.bohb_logs import find_run

    cs, opt, seed = (int(settings["configuration_space"]), str(settings["optimizer"]),
                     int(settings["bohb_seed"]))
    return {int(s): find_run(source, int(s), cs, opt, seed) for s in settings["spaces"]}


def checked_runs(plan: Plan, settings: dict[str, Any], source: Path) -> CheckedRuns:
    """The stored runs re-checked (`inputs.py`): damaged ones or runs of other settings
    are refused in one line, incomplete ones set aside with their reason."""
    return check_runs(plan, settings, source, stored_runs(settings, source))


def usable_or_none(plan: Plan, checked: CheckedRuns) -> dict[int, Path | None]:
    """Space -> its usable run, None where there is none (missing or incomplete)."""
    return {int(s): checked.usable.get(int(s)) for s in plan.settings["spaces"]}


def will_write_synthetic(plan: Plan, found: dict[int, Path | None], explicit: bool) -> bool:
    """A synthetic plan (smoke) writes synthetic logs when no folder was given and runs are
    missing."""
    return plan.data.synthetic and not explicit and not all(found.values())


def _runs(plan: Plan, settings: dict[str, Any], source: Path, results: Path,
          explicit: bool, checked: CheckedRuns | None = None
          ) -> tuple[CheckedRuns, Path, bool]:
    """The runs checked (usable, incomplete, judged by count); the folder read; whether
    the smoke profile wrote them. `checked`: `checked_runs` of `source` already done."""
    cs, opt, seed = (int(settings["configuration_space"]), str(settings["optimizer"]),
                     int(settings["bohb_seed"]))
    spaces = [int(s) for s in settings["spaces"]]
    if checked is None:
        checked = checked_runs(plan, settings, source)
    if not will_write_synthetic(plan, usable_or_none(plan, checked), explicit):
        return checked, source, False
    from nb1s.harness.experiments.fanova.compute import load_fanova
    from nb1s.harness.experiments.fanova.smoke import write_synthetic_run

    load_fanova()  # no synthetic logs for an analysis that cannot run
    synthetic = results / SYNTHETIC_DIR
    budgets = [float(b) for b in settings["budgets"]]
    for s in spaces:
        write_synthetic_run(synthetic / "bohb" / f"ss{s}" / f"cs{cs}" / opt / f"seed-{seed}",
                            s, budgets, seed, configuration_space=cs, optimizer=opt)
    return checked_runs(plan, settings, synthetic), synthetic, True  # the same checks


@contextlib.contextmanager
def _progress(total: int, description: str, enabled: bool) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr (nothing when disabled, e.g. under --json)."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)


def _synthetic_run(run: Path) -> bool:
    """Whether the run's record or any evaluation's info says its data was synthetic."""
    log = BohbLog(run)
    record = log.read_record()
    if record is not None and record.synthetic:
        return True
    return any(isinstance(e.result.info, dict) and e.result.info.get("synthetic") is True
               for e in log.successful() if e.result is not None)


def evaluate(plan: Plan, results: Path, bohb_results: Path | None = None,
             progress: bool = False, checked: CheckedRuns | None = None) -> dict[str, Any]:
    """Run the analysis of the module docstring; writes fanova.json and fanova.md.
    `checked`: the runs of the BOHB folder already checked (`checked_runs`; None: here)."""
    from nb1s.harness.experiments.fanova import compute
    from nb1s.harness.experiments.fanova.bohb_logs import read_run
    from nb1s.harness.experiments.fanova.space import CS2, cs2_space, space_names

    settings = settings_of(plan)
    source = bohb_source(plan, bohb_results)
    checked, read_from, wrote = _runs(plan, settings, source, results,
                                      bohb_results is not None, checked)
    # recorded as absolute paths: `nb1s diff` re-checks these runs from any directory
    read_from = read_from.absolute()
    runs = {s: p.absolute() for s, p in checked.usable.items()}
    incomplete = checked.incomplete
    if runs:  # missing runs are reported (cannot-run) whether or not fanova is installed
        compute.load_fanova()
    space = cs2_space()
    names = space_names(space)
    bounds = {n: (CS2[n][0], CS2[n][1]) for n in names}
    pair = (str(settings["pair"][1]), str(settings["pair"][0]))  # x: L2, y: cutout
    unknown = [p for p in pair if p not in names]
    if unknown:
        raise UserError(f"recipe {plan.recipe}: pair names {unknown} are not CS2 "
                        f"hyperparameters ({', '.join(names)})")
    wanted = [float(b) for b in settings["budgets"]]
    seed = settings["forest_seed"]
    jobs = [(s, b) for s in sorted(runs) for b in wanted]
    per_space: dict[int, dict[str, Any]] = {
        s: {"space": s, "run": str(runs[s]), "budgets": []} for s in sorted(runs)}
    digests = {str(s): log_sha256(runs[s]) for s in sorted(runs)}  # what `diff` re-checks
    data = {s: read_run(runs[s], names, bounds) for s in sorted(runs)}
    with _progress(len(jobs), "fANOVA per space and budget", progress) as advance:
        for s, budget in jobs:
            entry: dict[str, Any] = {"budget": budget}
            got = data[s].get(budget)
            n = 0 if got is None else len(got.losses)
            entry["evaluations"] = n
            if got is None or n < int(settings["min_evaluations"]):
                entry.update(status="too few evaluations",
                             note=f"{n} < {settings['min_evaluations']} evaluations")
            elif float(got.losses.max() - got.losses.min()) == 0.0:
                entry.update(status="no variance", note="every loss is equal")
            else:
                entry.update(status="analysed", incumbent=compute.incumbent(
                    got.config_ids, got.values, got.losses),
                    **compute.analyse_budget(space, got.values, got.losses, pair,
                                             int(settings["trees"]), seed,
                                             int(settings["grid_points"])))
            per_space[s]["budgets"].append(entry)
            advance()
    correlation = []
    for budget in wanted:
        surfaces = {s: b["pair"]["mean"] for s, e in per_space.items() for b in e["budgets"]
                    if b["budget"] == budget and b["status"] == "analysed"}
        correlation.append({"budget": budget, "spaces": sorted(surfaces),
                            **compute.surface_correlation(surfaces)})
    labels = list(plan.labels)
    synthetic = wrote or any(_synthetic_run(p) for p in runs.values())
    if synthetic and "synthetic" not in labels:
        labels.append("synthetic")
    missing = [f"SS{s}: {incomplete[int(s)]}" if int(s) in incomplete else
               f"SS{s}: no BOHB run (CS{settings['configuration_space']}, "
               f"{settings['optimizer']}, seed {settings['bohb_seed']}) under {read_from}/bohb"
               for s in settings["spaces"] if int(s) not in runs]
    result = {
        "schema_version": 1,
        "recipe": recipe_identity(plan.recipe, plan.version, plan.profile, plan.protocol),
        "title": plan.title, "labels": labels, "settings": settings,
        "source": {"bohb_results": str(read_from), "synthetic_logs_written": wrote,
                   "runs_without_record": [str(runs[s]) for s in checked.unrecorded],
                   "run_sha256": digests,
                   "hyperparameters": names,
                   "loss": "the BOHB loss of each evaluation as logged (results.json)"},
        "spaces": list(per_space.values()), "surface_correlation": correlation,
        "missing_runs": missing, "blocked": [],
    }
    ResultsDirectory(results).write(FANOVA_FILE, result, FanovaResult)
    atomic_write_text(results / SUMMARY_FILE, summary_markdown(result))
    return result


def summary_markdown(result: dict[str, Any]) -> str:
    """The importances per space and budget, and the surfaces' correlation, as Markdown."""
    from nb1s.harness.experiments.fanova.space import SYMBOLS

    ident = result["recipe"]
    lines = [f"# {ident['name']} v{ident['version']} ({ident['profile']}, {ident['protocol']}):"
             f" {result['title']}", ""]
    if result["labels"]:
        lines += [f"**{', '.join(result['labels']).upper()}: not a reproduction of the paper.**",
                  ""]
    names = result["source"]["hyperparameters"]
    pair = result["settings"]["pair"]
    lines += ["Individual importance (% of the forest's variance) per hyperparameter, the "
              f"{' x '.join(SYMBOLS[p] for p in pair)} interaction, and the incumbent.", "",
              "| space | budget | evaluations | " + " | ".join(SYMBOLS[n] for n in names)
              + " | pair | incumbent loss | status |",
              "|---|---|---|" + "---|" * len(names) + "---|---|---|"]
    for entry in result["spaces"]:
        for b in entry["budgets"]:
            if b["status"] == "analysed":
                cells = [f"{100 * b['single'][n]['importance']['individual']:.1f}"
                         for n in names]
                extra = [f"{100 * b['pair']['importance']['individual']:.1f}",
                         f"{b['incumbent']['loss']:.4f}"]
            else:
                cells, extra = ["-"] * len(names), ["-", "-"]
            lines.append(f"| {entry['space']} | {b['budget']:g} | {b['evaluations']} | "
                         + " | ".join(cells + extra) + f" | {b['status']} |")
    lines += ["", "Spearman correlation of the pairwise-marginal surfaces across spaces:", "",
              "| budget | spaces | mean Spearman |", "|---|---|---|"]
    for c in result["surface_correlation"]:
        mean = "-" if c["mean_spearman"] is None else f"{c['mean_spearman']:.3f}"
        lines.append(f"| {c['budget']:g} | {', '.join(map(str, c['spaces'])) or '-'} | {mean} |")
    for m in result["missing_runs"]:
        lines.append(f"\n- missing: {m}")
    return "\n".join(lines) + "\n"


#: "some correlation" (nb1s reading, docs/fanova.md): a mean Spearman of at least 0.3,
#: Cohen's (1988) "medium"; at most 0.1 ("negligible") contradicts it. The surfaces are
#: model predictions on a grid, not independent samples, so a p-value would say nothing:
#: the row decides on the size of the correlation.
SOME_CORRELATION = 0.3
NO_CORRELATION = 0.1


def claim_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The paper's one statement about Figure 16, checked on paper-profile real data only.

    "Some correlation" across spaces is read as: at every analysed budget, the mean
    Spearman correlation of the cutout x L2 marginal surfaces over all pairs of spaces
    is at least SOME_CORRELATION; the row fails when a budget's is at most NO_CORRELATION,
    and is undecided in between (docs/fanova.md). It needs at least two spaces at each
    budget.
    """
    claim = paper()["claims"]["fanova_correlated_surfaces"]
    per_budget = [(c["budget"], c["mean_spearman"]) for c in result["surface_correlation"]]
    shown = ", ".join(f"{b:g} ep: {'-' if v is None else f'{v:.2f}'}" for b, v in per_budget)
    row: dict[str, Any] = {"kind": "claim", "group": "SS1-3 / CS2 / DARTS",
                           "metric": "mean Spearman of cutout x L2 surfaces across spaces",
                           "reference_mean": f">= {SOME_CORRELATION} ({claim['text']})",
                           "result_mean": shown or "-", "source": claim["source"],
                           "pass": None}
    checkable = not result["labels"] and result["recipe"]["profile"] == "paper"
    values = [v for _, v in per_budget]
    if not checkable:
        row.update(outcome="not checkable", note="not checkable on smoke/synthetic data")
    elif not values or any(v is None for v in values):
        row.update(outcome="underpowered",
                   note="cannot test: a budget has fewer than two analysed spaces")
    else:
        low = min(v for v in values if v is not None)
        reading = (f"'some correlation' is read as a mean Spearman >= {SOME_CORRELATION} at "
                   f"every budget, contradicted at <= {NO_CORRELATION}; lowest {low:.2f}")
        if low >= SOME_CORRELATION:
            row.update(outcome="checked", note=f"checked: {reading}", **{"pass": True})
        elif low <= NO_CORRELATION:
            row.update(outcome="failed", note=f"failed: {reading}", **{"pass": False})
        else:
            row.update(outcome="underpowered",
                       note=f"undecided, a weak correlation: {reading}")
    return [row]


def inputs_row(recipe: Any, res: dict[str, Any]) -> dict[str, Any]:
    """Bookkeeping row: the BOHB runs the analysis read are still there and unchanged
    (`inputs.changed_since`, re-run on the folder `source.bohb_results` names). A run
    deleted, damaged or rewritten since, or a gone folder, FAILS it, as a missing planned
    run fails the diff of every kind that runs something."""
    from nb1s.harness.experiments.fanova.settings import plan_fanova

    ident = res["recipe"]
    plan = plan_fanova(recipe, ident["profile"], ident["protocol"])
    analysed = {int(e["space"]): Path(e["run"]) for e in res["spaces"]}
    problems = changed_since(plan, res["settings"], Path(res["source"]["bohb_results"]),
                             analysed, res["source"].get("run_sha256") or {})
    row: dict[str, Any] = {"group": "all", "kind": "runs",
                           "metric": "analysed BOHB runs unchanged", "result_mean": None,
                           "reference_mean": None, "diff": None, "tolerance": None, "p": None}
    if problems:
        return {**row, "pass": False, "outcome": "failed", "note": "; ".join(problems)}
    return {**row, "pass": True, "outcome": "checked",
            "note": f"{len(analysed)} runs re-checked under {res['source']['bohb_results']}"}


def diff_fanova(results: Path, recipe: Any) -> dict[str, Any]:
    """Compare fanova.json with the paper's statement, after re-checking the BOHB runs it
    was computed from (`inputs_row`); write diff.json and diff.md."""
    res = load_analysis(results, FANOVA_FILE, recipe, FanovaResult)
    notes = list(res["missing_runs"])
    unrecorded = res["source"].get("runs_without_record") or []
    if unrecorded:
        notes.append(f"judged complete by their evaluation count alone (no bohb.json, so "
                     f"their BOHB settings are unrecorded): {', '.join(unrecorded)}")
    if res["labels"]:
        notes.append("smoke/synthetic surfaces say nothing about the paper's statement")
    return write_analysis_diff(
        results, recipe, res,
        "harness/references/paper.yaml (claims.fanova_correlated_surfaces)",
        {"claim": "qualitative: the surfaces' mean Spearman across spaces is positive"},
        [inputs_row(recipe, res), *claim_rows(res)], notes,
        claims_for(recipe.references.paper))


def _fanova_missing() -> str | None:
    """Why the optional fanova extra cannot be used (None when it can)."""
    from nb1s.harness.experiments.fanova.compute import FanovaMissing, load_fanova

    try:
        load_fanova()
    except FanovaMissing as exc:
        return str(exc)
    return None


def reproduce_fanova(request: Request, plan: Plan) -> KindResult[Any]:
    """Analyse the BOHB runs of `plan` (the kind's plan), plot and diff; `cannot-run` when
    no BOHB run is found."""
    from nb1s.harness.execution.runner import bind_results
    from nb1s.harness.experiments.fanova.plot import plot_marginals, plot_pairs

    recipe = request.recipe
    if request.against is not None:
        raise UserError(f"{recipe.name} is compared with the paper's statement only; "
                        "--against does not apply")
    results = request.results
    missing = _fanova_missing()
    if missing is not None:  # the optional extra: cannot run, before any run is read
        return KindResult.cannot_run(recipe, [
            {"variant": "fanova", "label": "fANOVA", "reason": missing}], results,
            kind=recipe.kind, profile=request.profile, protocol=request.protocol,
            labels=list(plan.labels))
    given = (request.options or {}).get("bohb_results")
    bohb = Path(given) if given else None
    source = bohb_source(plan, bohb)
    checked = checked_runs(plan, settings_of(plan), source)  # refuses damaged/foreign
    found = usable_or_none(plan, checked)
    base = {"recipe": recipe.name, "version": recipe.version, "kind": recipe.kind,
            "profile": request.profile, "protocol": request.protocol,
            "labels": list(plan.labels), "results": str(results)}
    if not any(found.values()) and not will_write_synthetic(plan, found, bohb is not None):
        # nothing to analyse: say where nb1s looked, write nothing (as other kinds)
        s = plan.settings
        return KindResult.cannot_run(recipe, [
            {"variant": "bohb", "label": f"BOHB run of SS{space}", "reason":
             f"{checked.incomplete[space]}; finish it with `nb1s reproduce fig5`"
             if space in checked.incomplete else
             f"no BOHB run (CS{s['configuration_space']}, {s['optimizer']}, seed "
             f"{s['bohb_seed']}) under {source}/bohb; run `nb1s reproduce fig5` first "
             "or pass --bohb-results"} for space in found], results,
            kind=recipe.kind, profile=request.profile, protocol=request.protocol,
            labels=list(plan.labels))
    results.mkdir(parents=True, exist_ok=True)
    bind_results(plan, results)
    res = evaluate(plan, results, bohb, request.progress, checked)
    base["labels"] = res["labels"]
    stem = f"{recipe.name}-{request.profile}-{request.protocol}"
    plots = plot_pairs(res, results / "plots", stem) \
        + plot_marginals(res, results / "plots", stem)
    diff = diff_fanova(results, recipe)
    complete = not res["missing_runs"] and all(
        b["status"] == "analysed" for e in res["spaces"] for b in e["budgets"])
    from nb1s.harness.experiments.fanova.documents import FanovaReproduced

    return KindResult.reproduced(FanovaReproduced.model_validate({
            **base, "status": "complete" if complete else "partial", "blocked": [],
            "fanova": str(results / FANOVA_FILE), "summary": str(results / SUMMARY_FILE),
            "source": res["source"], "pair": list(res["settings"]["pair"]),
            "spaces": _overview(res),
            "surface_correlation": res["surface_correlation"],
            "plots": [str(p) for p in plots],
            "diff": diff_link(results, diff)}))


def diff_fanova_results(request: Request) -> KindResult[Any]:
    """The diff document re-derived from an existing fanova.json."""
    if request.against is not None:
        raise UserError(f"{request.recipe.name} is compared with the paper's statement "
                        "only; --against does not apply")
    return diff_result(diff_fanova(request.results, request.recipe), request.results)


def _overview(res: dict[str, Any]) -> list[dict[str, Any]]:
    """One small row per (space, budget) for the JSON result and the table."""
    rows = []
    for entry in res["spaces"]:
        for b in entry["budgets"]:
            row: dict[str, Any] = {"space": entry["space"], "budget": b["budget"],
                                   "evaluations": b["evaluations"], "status": b["status"]}
            if b["status"] == "analysed":
                row["importance"] = {n: m["importance"]["individual"]
                                     for n, m in b["single"].items()}
                row["pair"] = b["pair"]["importance"]["individual"]
                row["incumbent"] = b["incumbent"]["loss"]
            rows.append(row)
    return rows
