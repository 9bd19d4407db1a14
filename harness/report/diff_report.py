"""The Markdown report of a diff (a string; the caller decides where it goes)."""

from __future__ import annotations

from typing import Any

from nb1s.harness.report.number_format import format_number as num
from nb1s.harness.report.verdict import outcome_of


def _outcome(row: dict[str, Any]) -> str:
    kind = outcome_of(row)
    if row["pass"] is None:
        return f"{kind} (not counted)"
    return kind if row["pass"] else "**FAIL**"


def row_cells(row: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """ours, reference, difference, tolerance, p of a row, as text (Markdown and terminal).

    Rows decided by the log-ratio rule show the ratio with its interval, the margin as a
    ratio and Holm's p that the ratio lies beyond it; other rows their own numbers.
    """
    ours, ref = num(row.get("result_mean")), num(row.get("reference_mean"))
    if row.get("rule") == "log-ratio":
        lo, hi = row["ratio_ci"]
        p = row.get("p_beyond_holm", row.get("p_beyond"))
        return ours, ref, f"x{row['ratio']:.3g} [{lo:.3g}, {hi:.3g}]", f"x{row['margin']:g}", \
            num(p, ".3g")
    return ours, ref, num(row.get("diff")), num(row.get("tolerance")), num(row.get("p"), ".3g")


def runtime_markdown(rows: list[dict[str, Any]], labels: list[str]) -> list[str]:
    """The measured search hours beside the paper's footnote 4 (`search_curves.runtimes`)
    as Markdown lines; empty when nothing was measured."""
    if not rows or all(r["measured_hours_per_50_epochs"] is None for r in rows):
        return []
    tag = f" ({', '.join(labels)}: tiny budgets, not comparable)" if labels else ""
    lines = ["", f"## Search time per 50 epochs{tag}", "",
             "| variant | space | seeds | measured h (device) | paper h (RTX 2080Ti) |",
             "|---|---|---|---|---|"]
    for r in rows:
        m = r["measured_hours_per_50_epochs"]
        p = r["paper_hours_per_50_epochs"]
        lines.append(f"| {r['variant']} | SS{r['space']} | {r['n']} | "
                     f"{'-' if m is None else f'{m:.3g}'} ({r['device'] or 'unknown'}) | "
                     f"{'-' if p is None else f'{p:g}'} |")
    lines.append("")
    lines.append(f"Paper: {rows[0]['source']}.")
    return lines


def markdown_report(result: dict[str, Any]) -> str:
    """Render a diff result (see `reproduce.diff_results`) as a Markdown document."""
    agg = result["aggregate"]
    lines = [f"# nb1s diff: {agg['recipe']} v{agg['version']} ({agg['title']})", ""]
    if agg.get("labels"):
        lines += [f"> **{' / '.join(x.upper() for x in agg['labels'])}**: these results come "
                  "from tiny budgets and/or invented data. They test the pipeline; they are "
                  "not a reproduction of the paper.", ""]
    lines += [f"- profile: `{agg['profile']}`, protocol: `{agg['protocol']}`, band: "
              f"`{agg['band']}`, final epoch: `{agg['final_epoch']}`",
              f"- reference: {result['reference']}",
              f"- tolerances: {result['tolerances']}",
              f"- **verdict: {result['verdict']['line']}**", ""]
    rows = result["rows"]
    if rows:
        lines += ["| group | kind | metric | ours | reference | diff (ratio [CI]) | "
                  "tolerance | p | result | note |", "|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            ours, ref, diff, tol, p = row_cells(r)
            lines.append(f"| {r['group']} | {r['kind']} | {r['metric']} | {ours} | {ref} | "
                         f"{diff} | {tol} | {p} | {_outcome(r)} | {r.get('note', '')} |")
        lines.append("")
    for note in result.get("notes", []):
        lines.append(f"- {note}")
    lines += runtime_markdown(result.get("runtimes") or [], agg.get("labels") or [])
    claims = result.get("claims") or []
    if claims:
        lines += ["", "## Paper statements to check by eye (not tested automatically)", ""]
        lines += [f"- {c['text']} ({c['source']})" for c in claims]
    blocked = agg.get("blocked") or []
    if blocked:
        lines += ["", "## Cannot run yet", ""]
        lines += [f"- {b['label']}: {b['reason']}" for b in blocked]
    return "\n".join(lines) + "\n"
