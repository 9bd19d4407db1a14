"""The diff document of analyses compared only with published numbers (fig3, fig6).

Search recipes are diffed against reference curves (`reproduce.diff_results`); these
analyses have no curves, only statements of the paper or constants of the released code.
Their rows still go through the same verdict and Markdown report, so every `diff.md`
reads alike. This module loads an analysis result (checking that it belongs to the
recipe's current version), builds the document and writes `diff.json` and `diff.md`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.schema import Recipe
from nb1s.harness.report.diff_report import markdown_report
from nb1s.harness.report.verdict import verdict
from nb1s.harness.search.documents import RecipeIdentity
from nb1s.harness.search.results_directory import DIFF_JSON as DIFF_JSON  # re-exported
from nb1s.harness.search.results_directory import DIFF_MD as DIFF_MD  # re-exported
from nb1s.harness.search.results_directory import ResultsDirectory


class AnalysisResult(Document):
    """What every analysis result (correlation.json, proxy_correlation.json,
    distribution.json) holds besides its own numbers: who made it and how it is labelled.
    Each kind's own model extends it."""

    recipe: RecipeIdentity = Field(description="{`name`, `version`, `profile`, `protocol`}")
    labels: list[str] = Field(description="`smoke`, `synthetic`, ...")
    missing_runs: list[str] = Field(default_factory=list, description="planned runs not "
                                                                      "complete")
    blocked: list[dict[str, Any]] = Field(default_factory=list,
                                          description="variants that could not run")


def load_analysis(results: Path, name: str, recipe: Recipe,
                  model: type[AnalysisResult] = AnalysisResult) -> dict[str, Any]:
    """`results/name` validated as `model`, refused when missing or written by another
    recipe version."""
    path = results / name
    if not path.is_file():
        raise UserError(f"{results} holds no {name}; run `nb1s reproduce {recipe.name}` first")
    doc = ResultsDirectory(results).read(name, model)
    ident = doc.recipe
    if ident.name != recipe.name or ident.version != recipe.version:
        raise UserError(f"{path} is {ident.name} v{ident.version}, the recipe is "
                        f"{recipe.name} v{recipe.version}: re-run it")
    return doc.to_json()


def write_analysis_diff(results: Path, recipe: Recipe, analysis: dict[str, Any],
                        reference: str, tolerances: dict[str, str],
                        rows: list[dict[str, Any]], notes: list[str],
                        claims: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    """Build the diff document of `analysis` and write diff.json and diff.md."""
    ident = analysis["recipe"]
    labels = analysis["labels"]
    result = {
        "aggregate": {"recipe": recipe.name, "version": recipe.version, "title": recipe.title,
                      "profile": ident["profile"], "protocol": ident["protocol"],
                      "labels": labels, "synthetic": "synthetic" in labels, "band": "-",
                      "final_epoch": "-", "missing_runs": analysis.get("missing_runs", []),
                      "blocked": analysis.get("blocked", [])},
        "reference": reference, "tolerances": tolerances, "rows": rows,
        "verdict": verdict(rows, labels), "notes": notes, "claims": list(claims),
    }
    ResultsDirectory(results).write_diff(result, markdown_report(result))
    return result


def planned_runs_row(missing: Sequence[str], metric: str = "planned runs finished"
                     ) -> dict[str, Any]:
    """Bookkeeping row of every kind that runs something: each planned unit (run, seed
    file) is there and finished, re-derived from the records by the kind. A missing one
    FAILS the diff: a comparison on fewer runs than planned is not the planned one."""
    row: dict[str, Any] = {"group": "all", "kind": "runs", "metric": metric,
                           "result_mean": None, "reference_mean": None, "diff": None,
                           "tolerance": None, "p": None}
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        return {**row, "pass": False, "outcome": "failed",
                "note": f"{len(missing)} missing: {shown}"}
    return {**row, "pass": True, "outcome": "checked", "note": "all present"}
