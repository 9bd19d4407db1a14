"""The human view of a fig6 reproduction: NB101 test-error quantiles per space."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from nb1s.harness.experiments.view import fmt, out, print_labels, print_outcome


def render_distribution(result: dict[str, Any]) -> None:
    labels = result.get("labels") or []
    print_labels(labels)
    first = result["spaces"][0] if result["spaces"] else {}
    table = Table(title=f"{result['recipe']} v{result['version']}: NB101 test error per space "
                  f"(set {first.get('architecture_set', '-')}, repeats "
                  f"{first.get('repeats', '-')})")
    thresholds = list(first.get("test_error", {}).get("fraction_below", {}))
    for col in ("SS", "archs", "min", "median", "max", *(f"<{t}" for t in thresholds)):
        table.add_column(col, justify="right", no_wrap=True)
    for s in result["spaces"]:
        t = s["test_error"]
        q = t["quantiles"]
        table.add_row(str(s["space"]), str(s["n_architectures"]),
                      *(fmt(q[k], ".4f") for k in ("q0", "q50", "q100")),
                      *(f"{t['fraction_below'][k]:.0%}" for k in thresholds))
    out().print(table)
    out().print(f"summary: {result['distribution']}")
    print_outcome(result)
