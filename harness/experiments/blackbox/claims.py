"""The paper's black-box claim as diff rows: "RE is the best black-box optimizer at the end".

paper.yaml `claims.re_best_blackbox` (paper §5.4, Figures 5, 14, 15): regularized
evolution is the best black-box optimizer in all spaces. nb1s checks it per space and per
competitor on the final incumbent test regret of every seed (after 280 evaluations; HB and
BOHB after 280 x 108 epochs), by the one-sided test of every claim row (Welch on the logs,
`nb1s.harness.report.claim_tests`, the same test fig5's `re_best_blackbox` row uses),
Holm over the rows:

- RE shown lower (one-sided p < alpha): `checked`;
- RE shown higher (Holm-adjusted opposite p < alpha): `failed` (another optimizer is better
  at the end);
- neither, or fewer than `min_seeds` seeds on a side: `underpowered` (no decision);
- smoke profile or synthetic NB101 data: `not checkable` (invented numbers cannot test a
  statement about NAS-Bench-101).

A bookkeeping row fails the diff when a planned seed file is missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from nb1s.harness.report.claim_tests import claim_fields, lower_values
from nb1s.harness.report.decision import decide_family
from nb1s.harness.report.verdict import undecided

CLAIM = "re_best_blackbox"
BEST = "RE"


def claim_rows(final: dict[tuple[int, str], npt.NDArray[np.float64]], spaces: list[int],
               optimizers: list[str], alpha: float, min_seeds: int,
               checkable: bool, why_not: str = "", floor: float = 1e-5) -> list[dict[str, Any]]:
    """One decided row per (space, competitor of RE) from per-seed final regrets."""
    rows: list[dict[str, Any]] = []
    for space in spaces:
        ours = final.get((space, BEST))
        for other in optimizers:
            if other == BEST:
                continue
            theirs = final.get((space, other))
            row: dict[str, Any] = {
                "group": f"ss{space}", "kind": "claim", "claim": CLAIM,
                "metric": f"final test regret {BEST} < {other}",
                "result_mean": None, "reference_mean": None, "diff": None,
                "tolerance": None, "p": None, "n": [0, 0]}
            if ours is None or theirs is None or not len(ours) or not len(theirs):
                missing = BEST if ours is None or not len(ours) else other
                rows.append(undecided(row, "underpowered", f"no results of {missing}"))
                continue
            sub = lower_values(ours.tolist(), theirs.tolist(), f"{BEST} < {other}", floor)
            row.update(result_mean=float(np.mean(ours)), reference_mean=float(np.mean(theirs)),
                       diff=float(np.mean(ours) - np.mean(theirs)), p=sub.p_holds,
                       **{k: v for k, v in claim_fields([sub], "all", alpha).items()
                          if k != "n"})
            row["n"] = [len(ours), len(theirs)]
            if not checkable:
                rows.append(undecided(row, "not checkable", why_not))
            elif min(len(ours), len(theirs)) < min_seeds:
                rows.append({**undecided(row, "underpowered",
                                         f"fewer than {min_seeds} seeds on a side"),
                             "too_few_seeds": True})
            else:
                rows.append(row)
    return decide_family(rows, alpha, alpha)


def runs_row(missing: list[str]) -> dict[str, Any]:
    """Bookkeeping: every planned seed file exists and holds its records."""
    from nb1s.harness.experiments.analysis_diff import planned_runs_row

    return planned_runs_row(missing, "planned seeds finished")
