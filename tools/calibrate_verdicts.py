"""Measure the decision rule by Monte Carlo and write the table into docs/verdicts.md.

    python tools/calibrate_verdicts.py            # rewrite the table between the markers
    python tools/calibrate_verdicts.py --check    # exit 1 when the doc's table is stale

All draws are synthetic and seeded (`nb1s.harness.report.calibration`): the table is what
this command prints on any machine, bit for bit, for a given numpy version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from nb1s.atomic import atomic_write_text
from nb1s.harness.references import paper
from nb1s.harness.report.calibration import DISTRIBUTIONS, simulate, simulate_table2

DOC = Path(__file__).resolve().parents[1] / "docs" / "verdicts.md"
BEGIN, END = "<!-- calibration:begin -->", "<!-- calibration:end -->"
NS = (3, 4, 6, 8, 12)
CVS = (0.1, 0.25, 0.5, 0.75, 1.0)
REPS = 4000
ROWS = 10


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def table() -> str:
    rng = np.random.default_rng(20260418)
    out = [f"Measured by `python tools/calibrate_verdicts.py` ({REPS} simulated verdicts per "
           "cell, seeded; synthetic draws, not results of any search). Defaults: alpha 0.05 "
           "family-wise, margin x1.25, TOST at 0.05.", "",
           f"**Same distribution on both sides, {ROWS} rows per verdict** (Holm over the "
           "rows): % of verdicts that FAIL / report any difference (worst over CV "
           f"{', '.join(map(str, CVS))}).", "",
           "| distribution | " + " | ".join(f"n={n}" for n in NS) + " |",
           "|---|" + "---|" * len(NS)]
    for dist in DISTRIBUTIONS:
        cells = []
        for n in NS:
            rates = [simulate(rng, dist, cv, n, 1.0, ROWS, REPS) for cv in CVS]
            cells.append(f"{_pct(max(r.fail for r in rates))} / "
                         f"{_pct(max(r.differ for r in rates))}")
        out.append(f"| {dist} | " + " | ".join(cells) + " |")
    out += ["", "**Power**: % of single rows (lognormal) that FAIL when the result is x1.5 / "
            "x2 / x3 the reference.", "",
            "| CV | " + " | ".join(f"n={n}" for n in NS) + " |", "|---|" + "---|" * len(NS)]
    for cv in (0.25, 0.5, 1.0):
        cells = ["/".join(f"{100 * simulate(rng, 'lognormal', cv, n, k, 1, REPS).fail:.0f}"
                          for k in (1.5, 2.0, 3.0)) for n in NS]
        out.append(f"| {cv} | " + " | ".join(cells) + " |")
    t2 = paper()["table2"]
    cells2 = [(c["mean"], c["std"]) for row in t2["rows"] for c in row["test_regret"].values()]
    out += ["", f"**Table 2** ({len(cells2)} cells, {t2['runs']} lognormal draws per cell "
            "from the published mean ± std, each x ratio): % of verdicts.", "",
            "| cells, ratio | FAIL | PASS | CONSISTENT | NO DECISION |", "|---|---|---|---|---|"]
    spread = [c for c in cells2 if c[1] > 0]
    for name, cells in (("all cells", cells2),
                        (f"{len(spread)} cells with published std > 0", spread)):
        for ratio in (1.0, 1.25, 1.5, 2.0, 3.0):
            r = simulate_table2(rng, cells, int(t2["runs"]), REPS, ratio)
            out.append(f"| {name}, x{ratio:g} | {_pct(r.fail)} | {_pct(r.passed)} | "
                       f"{_pct(r.consistent)} | {_pct(r.undecided)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when the doc is stale")
    args = ap.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"{DOC}: markers {BEGIN} / {END} missing", file=sys.stderr)
        return 2
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{table()}\n{END}{tail}"
    if args.check:
        return 0 if new == text else 1
    atomic_write_text(DOC, new)
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
