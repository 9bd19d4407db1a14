"""The `fanova` experiment kind (recipe fig16): no searches, an analysis of BOHB logs.

It trains nothing itself: its input is the fig5 recipe's BOHB runs (given with the
`bohb_results` option, the recipe's `bohb_results` setting, or the fig5 results folder of
the same profile and protocol), so it is compared with the paper's statement only and
`--against` does not apply. The analysis is `reproduce.py`; this module adapts it to the
`ExperimentKind` interface.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from nb1s.harness.errors import UserError
from nb1s.harness.experiments.kind import Request, Result, Shown
from nb1s.harness.experiments.result import KindResult, diff_result
from nb1s.harness.recipe.plan import DataNeeds, Plan, profile_block, profile_labels
from nb1s.harness.recipe.schema import Profile, Recipe, resolve
from nb1s.harness.recipe.schema import Protocol as RecipeProtocol


class FanovaKind:
    """Figure 16: fANOVA per space and budget over the CS2 DARTS BOHB evaluations."""

    name: ClassVar[str] = "fanova"
    search_block: ClassVar[bool] = False
    paper_only: ClassVar[bool] = True
    profiles: ClassVar[tuple[str, ...]] = ("paper", "smoke")

    def plan(self, recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
        """The resolved settings; no runs (the BOHB runs belong to the fig5 recipe)."""
        settings = {k: resolve(v, protocol)[0] for k, v in recipe.settings.items()}
        labels = profile_labels(profile)
        smoke = profile_block(recipe, profile)
        if smoke is not None:
            settings.update(smoke.settings)
            settings["bohb_seed"] = smoke.seeds[0]
        spaces = [int(s) for s in settings.get("spaces", [])]
        # it reads BOHB logs (synthetic ones under smoke), no NB101 index or images
        return Plan(recipe.name, recipe.version, recipe.title, recipe.kind, profile, protocol,
                    [], [], None, None, spaces, labels, settings,
                    DataNeeds(synthetic=bool(labels), spaces=tuple(spaces), images=False))

    def reproduce(self, request: Request,
                  on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        """Analyse, plot and diff (reproduce.py); `cannot-run` when no BOHB run is found."""
        from nb1s.harness.execution.runner import bind_results
        from nb1s.harness.experiments.fanova.plot import plot_marginals, plot_pairs
        from nb1s.harness.experiments.fanova.reproduce import (
            FANOVA_FILE,
            SUMMARY_FILE,
            bohb_source,
            diff_fanova,
            diff_paths,
            evaluate,
            settings_of,
            stored_runs,
            will_write_synthetic,
        )

        recipe = request.recipe
        if request.against is not None:
            raise UserError(f"{recipe.name} is compared with the paper's statement only; "
                            "--against does not apply")
        plan = self.plan(recipe, request.profile, request.protocol)
        results = request.results
        given = (request.options or {}).get("bohb_results")
        bohb = Path(given) if given else None
        source = bohb_source(plan, bohb)
        found = stored_runs(settings_of(plan), source)
        base = {"recipe": recipe.name, "version": recipe.version, "kind": recipe.kind,
                "profile": request.profile, "protocol": request.protocol,
                "labels": list(plan.labels), "results": str(results)}
        if not any(found.values()) and not will_write_synthetic(plan, found, bohb is not None):
            # nothing to analyse: say where nb1s looked, write nothing (as other kinds)
            s = plan.settings
            return KindResult.cannot_run(recipe, [
                {"variant": "bohb", "label": f"BOHB run of SS{space}", "reason":
                 f"no BOHB run (CS{s['configuration_space']}, {s['optimizer']}, seed "
                 f"{s['bohb_seed']}) under {source}/bohb; run `nb1s reproduce fig5` first "
                 "or pass --bohb-results"} for space in found], results,
                kind=recipe.kind, profile=request.profile, protocol=request.protocol,
                labels=list(plan.labels))
        results.mkdir(parents=True, exist_ok=True)
        bind_results(plan, results)
        res = evaluate(plan, results, bohb, request.progress)
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
                "diff": {**diff_paths(results), "verdict": diff["verdict"],
                         "notes": diff["notes"]}}))

    def diff(self, request: Request) -> Result:
        """The diff document re-derived from an existing fanova.json."""
        from nb1s.harness.experiments.fanova.reproduce import diff_fanova

        if request.against is not None:
            raise UserError(f"{request.recipe.name} is compared with the paper's statement "
                            "only; --against does not apply")
        return diff_result(diff_fanova(request.results, request.recipe), request.results)

    def render(self, result: Shown) -> None:
        """Importances per space and budget, then the verdict line (or the diff rows)."""
        from rich.markup import escape
        from rich.table import Table

        from nb1s.harness.experiments.view import (
            out,
            print_labels,
            print_outcome,
            render_cannot_run,
        )

        console = out()
        if "rows" in result:  # a diff document
            for r in result["rows"]:
                console.print(f"{escape(r['group'])}: {escape(str(r['result_mean']))} "
                              f"vs {escape(str(r['reference_mean']))} -> "
                              f"{escape(r.get('outcome') or ('pass' if r['pass'] else 'fail'))}")
            console.print(escape(result["verdict"]["line"]))
            return
        if result["status"] == "cannot-run":
            render_cannot_run(result)
            return
        print_labels(result["labels"])
        from nb1s.harness.experiments.fanova.space import SYMBOLS

        table = Table(title="fANOVA individual importance (%)")
        names = result["source"]["hyperparameters"]
        pair = " x ".join(SYMBOLS[p] for p in result["pair"])
        for col in ("space", "budget", "evals", *(SYMBOLS[n] for n in names), pair,
                    "incumbent", "status"):
            table.add_column(col, justify="left" if col == "status" else "right")
        for row in result["spaces"]:
            shares = row.get("importance") or {}
            table.add_row(str(row["space"]), f"{row['budget']:g}", str(row["evaluations"]),
                          *(f"{100 * shares[n]:.1f}" if n in shares else "-" for n in names),
                          "-" if row.get("pair") is None else f"{100 * row['pair']:.1f}",
                          "-" if row.get("incumbent") is None else f"{row['incumbent']:.4f}",
                          row["status"])
        console.print(table)
        print_outcome(result, (f"summary: {result['summary']}",))


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


KIND = FanovaKind()
