"""Figure-16-style plots of a fanova result.

`{stem}.png/pdf` is the figure the paper shows: one panel per (space, budget) with the
pairwise marginal of the pair (x: L2 on a log axis, y: cutout probability), filled
contours of the predicted loss (the colour bar says which: the BOHB loss, NB101 validation
error) and the budget's incumbent as a light-grey "x", titled
"Space S, Budget: B epochs" as the original's `analysis_C1.py` titled them.
`{stem}-marginals.png/pdf`: one panel per (space, hyperparameter), the single marginal per
budget (mean ± std over trees), the incumbent's value as a dashed vertical line, the
importance in percent in the legend. Smoke or synthetic results say so in every title.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nb1s.harness.experiments.fanova.space import CS2, SYMBOLS
from nb1s.harness.report.figure_files import save_figure

#: what the marginals predict: the BOHB loss of an evaluation (harness/experiments/bohb)
LOSS_LABEL = "BOHB loss (NB101 validation error)"


def _budget_text(budget: float) -> str:
    return f"{budget:g}"


def _tag(labels: list[str], missing: int = 0) -> str:
    """The first panel's warning: labels, and PARTIAL when spaces' runs are missing."""
    lines = [f"{' · '.join(x.upper() for x in labels)}: NOT A REPRODUCTION"] if labels else []
    if missing:
        lines.append(f"PARTIAL: {missing} space(s) without a usable BOHB run")
    return "".join(f"{line}\n" for line in lines)


def _analysed(result: dict[str, Any]) -> list[tuple[int, list[dict[str, Any]]]]:
    out = []
    for entry in result["spaces"]:
        budgets = [b for b in entry["budgets"] if b["status"] == "analysed"]
        if budgets:
            out.append((entry["space"], budgets))
    return out


def plot_pairs(result: dict[str, Any], out_dir: Path, stem: str) -> list[Path]:
    """The paper's Figure 16: pairwise marginals, spaces as rows, budgets as columns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _analysed(result)
    if not rows:
        return []
    labels = result.get("labels") or []
    missing = len(result.get("missing_runs") or [])
    ncols = max(len(b) for _, b in rows)
    fig, axes = plt.subplots(len(rows), ncols, figsize=(3.4 * ncols, 2.9 * len(rows)),
                             squeeze=False)
    for r, (space, budgets) in enumerate(rows):
        for c in range(ncols):
            ax = axes[r][c]
            if c >= len(budgets):
                ax.set_visible(False)
                continue
            b = budgets[c]
            pair = b["pair"]
            a_name, b_name = pair["names"]
            cont = ax.contourf(pair["x"], pair["y"], pair["mean"], levels=15, cmap="viridis")
            bar = fig.colorbar(cont, ax=ax, fraction=0.046, pad=0.04)
            bar.set_label(LOSS_LABEL, fontsize=7)
            inc = b["incumbent"]["config"]
            ax.scatter([inc[a_name]], [inc[b_name]], marker="x", s=200, linewidths=3,
                       color="lightgrey", zorder=3)
            if CS2[a_name][3]:
                ax.set_xscale("log")
            if CS2[b_name][3]:
                ax.set_yscale("log")
            ax.set_xlabel(SYMBOLS[a_name])
            ax.set_ylabel(SYMBOLS[b_name])
            ax.set_title(f"{_tag(labels, missing) if r == 0 and c == 0 else ''}Space {space}, "
                         f"Budget: {_budget_text(b['budget'])} epochs", fontsize=8,
                         color="darkred" if labels or missing else "black")
    fig.tight_layout()
    return save_figure(fig, out_dir, stem)


def plot_marginals(result: dict[str, Any], out_dir: Path, stem: str) -> list[Path]:
    """Single marginals with importances, one panel per (space, hyperparameter)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _analysed(result)
    if not rows:
        return []
    labels = result.get("labels") or []
    missing = len(result.get("missing_runs") or [])
    names = list(rows[0][1][0]["single"])
    fig, axes = plt.subplots(len(rows), len(names), figsize=(3.4 * len(names),
                                                             2.7 * len(rows)), squeeze=False)
    cmap = plt.get_cmap("plasma")
    for r, (space, budgets) in enumerate(rows):
        for c, name in enumerate(names):
            ax = axes[r][c]
            for k, b in enumerate(budgets):
                color = cmap(k / max(1, len(budgets)))
                m = b["single"][name]
                lo = [u - s for u, s in zip(m["mean"], m["std"], strict=True)]
                hi = [u + s for u, s in zip(m["mean"], m["std"], strict=True)]
                share = 100 * m["importance"]["individual"]
                ax.plot(m["x"], m["mean"], color=color,
                        label=f"{_budget_text(b['budget'])} ep: {share:.1f}%")
                ax.fill_between(m["x"], lo, hi, color=color, alpha=0.15)
                ax.axvline(b["incumbent"]["config"][name], color=color, linestyle="--",
                           alpha=0.6)
            if CS2[name][3]:
                ax.set_xscale("log")
            ax.set_xlabel(SYMBOLS[name])
            ax.set_ylabel(f"marginal {LOSS_LABEL}", fontsize=7)
            ax.legend(fontsize=6, title="importance", title_fontsize=6)
            ax.set_title(f"{_tag(labels, missing) if r == 0 and c == 0 else ''}Space {space}: "
                         f"{SYMBOLS[name]}", fontsize=8,
                         color="darkred" if labels or missing else "black")
    fig.tight_layout()
    return save_figure(fig, out_dir, f"{stem}-marginals")
