"""The paper's claims about Figures 5, 14 and 15, checked on a reproduction's numbers.

Each check gets plain numbers (final incumbent regrets, best configurations' budgets) and
returns one diff row (docs/verdicts.md). On smoke or synthetic data every claim row is
`not checkable`: the numbers exist, but they cannot confirm or refute the paper. The
thresholds that turn "up to a factor of 10" or "a simulated 45 GPU days" into a decision
are nb1s choices, written next to each check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from nb1s.harness.report.verdict import undecided

Row = dict[str, Any]
#: "up to a factor of 10": the largest default/tuned ratio must reach this (nb1s choice:
#: the same order of magnitude, at least half the stated factor)
FACTOR_10_MIN = 5.0
#: "a simulated 45 GPU days": accepted range of the sequential tuning time, in days
TUNING_DAYS = (45 / 2, 45 * 2)


def _row(claim: str, ok: bool | None, measured: Any, note: str) -> Row:
    row: Row = {"kind": "claim", "name": f"claims.{claim}", "measured": measured,
                "pass": ok, "outcome": "checked" if ok else "failed", "note": note}
    if ok is None:
        return undecided(row, "not checkable", note)
    return row


def factor_10(default_regret: Mapping[int, float], best_regret: Mapping[int, float]) -> Row:
    """bohb_factor_10: max over spaces of default DARTS regret / best BOHB-DARTS regret."""
    ratios = {s: default_regret[s] / best_regret[s] for s in default_regret
              if s in best_regret and best_regret[s] > 0}
    if not ratios:
        return _row("bohb_factor_10", None, None, "no BOHB-DARTS run with a default and a "
                    "positive best regret")
    top = max(ratios.values())
    return _row("bohb_factor_10", top >= FACTOR_10_MIN, {str(s): r for s, r in ratios.items()},
                f"largest default/tuned regret ratio {top:.2f} (needs >= {FACTOR_10_MIN})")


def budget_25(best_budgets: list[float], min_budget: float) -> Row:
    """bohb_budget_25: most runs' best configuration was evaluated at the lowest budget."""
    if not best_budgets:
        return _row("bohb_budget_25", None, None, "no BOHB run")
    share = float(np.mean([b == min_budget for b in best_budgets]))
    return _row("bohb_budget_25", share > 0.5, share,
                f"{share:.0%} of runs found their best configuration at {min_budget:g} epochs")


def evaluations(counts: list[int], expected: int) -> Row:
    """bohb_evaluations: every BOHB run made the paper's number of evaluations."""
    if not counts:
        return _row("bohb_evaluations", None, None, "no BOHB run")
    ok = all(c == expected for c in counts)
    return {**_row("bohb_evaluations", ok, counts, f"evaluations per run (expected {expected})"),
            "name": "bohb_evaluations"}


def tuning_time(days_sequential: list[float]) -> Row:
    """tuning_time: one BOHB run's summed search + NB101 time is about 45 GPU days."""
    if not days_sequential:
        return _row("tuning_time", None, None, "no BOHB run")
    mean = float(np.mean(days_sequential))
    lo, hi = TUNING_DAYS
    return _row("tuning_time", lo <= mean <= hi, mean,
                f"mean simulated tuning time {mean:.1f} GPU days (accepted {lo}-{hi})")


def re_best(final_blackbox: Mapping[int, Mapping[str, float]]) -> Row:
    """re_best_blackbox: RE has the lowest mean final regret of the black-box optimizers."""
    spaces = {s: v for s, v in final_blackbox.items() if "RE" in v and len(v) > 1}
    if not spaces:
        return _row("re_best_blackbox", None, None, "no black-box results with RE")
    best = {s: min(v, key=lambda k: v[k]) for s, v in spaces.items()}
    ok = all(v["RE"] <= min(v.values()) for v in spaces.values())
    return _row("re_best_blackbox", ok, {str(s): b for s, b in best.items()},
                "best black-box optimizer (mean final regret) per space")


def cs1_none_beats_re(one_shot_regrets: Mapping[int, list[float]],
                      re_final: Mapping[int, float]) -> Row:
    """cs1_none_beats_re: under CS1 no evaluated configuration reaches RE's final regret."""
    spaces = [s for s in one_shot_regrets if s in re_final and one_shot_regrets[s]]
    if not spaces:
        return _row("cs1_none_beats_re", None, None, "no CS1 runs with RE results")
    beating = {str(s): int(np.sum(np.asarray(one_shot_regrets[s]) < re_final[s]))
               for s in spaces}
    return _row("cs1_none_beats_re", not any(beating.values()), beating,
                "CS1 evaluations with a test regret below RE's mean final regret, per space")


def cs3_only_pcdarts_ss3(best_regret: Mapping[tuple[str, int], float],
                         blackbox_best: Mapping[int, float]) -> Row:
    """cs3_only_pcdarts_ss3: under CS3 only PC-DARTS on SS3 beats the black-box optimizers."""
    pairs = {k: v for k, v in best_regret.items() if k[1] in blackbox_best}
    if not pairs:
        return _row("cs3_only_pcdarts_ss3", None, None, "no CS3 runs with black-box results")
    winners = sorted(f"{opt}/ss{space}" for (opt, space), v in pairs.items()
                     if v < blackbox_best[space])
    ok = winners == ["pcdarts/ss3"] if ("pcdarts", 3) in pairs else "pcdarts/ss3" not in \
        winners and not winners
    return _row("cs3_only_pcdarts_ss3", bool(ok), winners,
                "CS3 (optimizer, space) whose best regret beats every black-box optimizer")


def not_checkable(rows: list[Row], reason: str) -> list[Row]:
    """Every row marked not checkable (smoke or synthetic data), measured values kept."""
    return [undecided(r, "not checkable", f"{reason}; {r.get('note', '')}") for r in rows]
