"""The diff document of analyses compared only with published numbers (fig3, fig6).

Search recipes are diffed against reference curves (`reproduce.diff_results`); these
analyses have no curves, only statements of the paper or constants of the released code.
Their rows still go through the same verdict and Markdown report, so every `diff.md`
reads alike. This module loads an analysis result (checking that it belongs to the
recipe's current version), builds the document and writes `diff.json` and `diff.md`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nb1s.atomic import atomic_write_text
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.schema import Recipe
from nb1s.harness.report.diff_report import markdown_report
from nb1s.harness.report.verdict import verdict

DIFF_JSON = "diff.json"
DIFF_MD = "diff.md"


def load_analysis(results: Path, name: str, recipe: Recipe) -> dict[str, Any]:
    """`results/name`, refused when missing or written by another recipe version."""
    path = results / name
    if not path.is_file():
        raise UserError(f"{results} holds no {name}; run `nb1s reproduce {recipe.name}` first")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    ident = data["recipe"]
    if ident["name"] != recipe.name or ident["version"] != recipe.version:
        raise UserError(f"{path} is {ident['name']} v{ident['version']}, the recipe is "
                        f"{recipe.name} v{recipe.version}: re-run it")
    return data


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
    atomic_write_text(results / DIFF_JSON, json.dumps(result, indent=1) + "\n")
    atomic_write_text(results / DIFF_MD, markdown_report(result))
    return result
