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
from nb1s.harness.experiments.kind import Request, Result
from nb1s.harness.recipe.plan import DataNeeds, Plan, plan_header
from nb1s.harness.recipe.schema import Profile, Recipe
from nb1s.harness.recipe.schema import Protocol as RecipeProtocol


class FanovaKind:
    """Figure 16: fANOVA per space and budget over the CS2 DARTS BOHB evaluations."""

    name: ClassVar[str] = "fanova"
    search_block: ClassVar[bool] = False
    paper_only: ClassVar[bool] = True
    profiles: ClassVar[tuple[str, ...]] = ("paper", "smoke")

    def plan(self, recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
        """The resolved settings; no runs (the BOHB runs belong to the fig5 recipe)."""
        header = plan_header(recipe, profile, protocol)
        settings = dict(header.settings)
        if header.profile_block is not None:
            settings["bohb_seed"] = header.profile_block.seeds[0]
        spaces = [int(s) for s in settings.get("spaces", [])]
        # it reads BOHB logs (synthetic ones under smoke), no NB101 index or images
        return header.but(spaces=spaces, settings=settings,
                          data=DataNeeds(synthetic=header.data.synthetic,
                                         spaces=tuple(spaces), images=False))

    def reproduce(self, request: Request,
                  on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        """Analyse, plot and diff (reproduce.py); `cannot-run` when no BOHB run is found."""
        from nb1s.harness.execution.runner import bind_results
        from nb1s.harness.experiments.fanova.documents import FANOVA_FILE
        from nb1s.harness.experiments.fanova.plot import plot_marginals, plot_pairs
        from nb1s.harness.experiments.fanova.reproduce import (
            SUMMARY_FILE,
            bohb_source,
            checked_runs,
            diff_fanova,
            diff_paths,
            evaluate,
            settings_of,
            usable_or_none,
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
        checked = checked_runs(plan, settings_of(plan), source)  # refuses damaged/foreign
        found = usable_or_none(plan, checked)
        base = {"recipe": recipe.name, "version": recipe.version, "kind": recipe.kind,
                "profile": request.profile, "protocol": request.protocol,
                "labels": list(plan.labels), "results": str(results)}
        if not any(found.values()) and not will_write_synthetic(plan, found, bohb is not None):
            # nothing to analyse: say where nb1s looked, write nothing (as other kinds)
            from nb1s.harness.experiments.kind import cannot_run_result

            s = plan.settings
            return cannot_run_result(recipe, [
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
        res = evaluate(plan, results, bohb, request.progress)
        base["labels"] = res["labels"]
        stem = f"{recipe.name}-{request.profile}-{request.protocol}"
        plots = plot_pairs(res, results / "plots", stem) \
            + plot_marginals(res, results / "plots", stem)
        diff = diff_fanova(results, recipe)
        complete = not res["missing_runs"] and all(
            b["status"] == "analysed" for e in res["spaces"] for b in e["budgets"])
        return {**base, "status": "complete" if complete else "partial", "blocked": [],
                "fanova": str(results / FANOVA_FILE), "summary": str(results / SUMMARY_FILE),
                "source": res["source"], "pair": list(res["settings"]["pair"]),
                "spaces": _overview(res),
                "surface_correlation": res["surface_correlation"],
                "plots": [str(p) for p in plots],
                "diff": {**diff_paths(results), "verdict": diff["verdict"],
                         "notes": diff["notes"]}}

    def diff(self, request: Request) -> Result:
        """The diff document re-derived from an existing fanova.json."""
        from nb1s.harness.experiments.fanova.reproduce import diff_fanova

        if request.against is not None:
            raise UserError(f"{request.recipe.name} is compared with the paper's statement "
                            "only; --against does not apply")
        return diff_fanova(request.results, request.recipe)

    def render(self, result: Result) -> None:
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
