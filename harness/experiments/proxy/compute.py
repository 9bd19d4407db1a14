"""Figure 17's statistic: per epoch, 1 - Spearman(proxy valid error, NB101 valid regret).

As `plot_results.py::extract_correlation_per_epoch` computed it (docs/original-code.md#figure-17):
the runs of one (cells, channels) cell are first de-duplicated by their NB101 validation regret at
epoch 0 (first run kept), which drops repeated architectures and also distinct architectures whose
NB means happen to tie; then, per epoch, the Spearman rank correlation between the proxy's one-shot
validation error and the architecture's NB101 validation regret over the remaining runs. Pure
computation on epoch records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def deduplicate(runs: Mapping[int, Sequence[dict[str, Any]]]) -> list[int]:
    """Seeds kept after de-duplicating by epoch-0 `valid_regret` (first seed wins)."""
    seen: set[float] = set()
    kept = []
    for seed in sorted(runs):
        first = next((r for r in runs[seed] if r["epoch"] == 0), None)
        if first is None or first.get("valid_regret") is None:
            continue
        key = float(first["valid_regret"])
        if key not in seen:
            seen.add(key)
            kept.append(seed)
    return kept


def _spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho, None when undefined (under 2 points or a constant side)."""
    from scipy import stats

    if len(x) < 2 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    rho = float(stats.spearmanr(np.asarray(x), np.asarray(y)).statistic)
    return None if np.isnan(rho) else rho


def correlation_per_epoch(runs: Mapping[int, Sequence[dict[str, Any]]]
                          ) -> list[dict[str, Any]]:
    """Rows {epoch, n, spearman, one_minus_spearman} for one (cells, channels) cell."""
    kept = deduplicate(runs)
    by_epoch: dict[int, list[tuple[float, float]]] = {}
    for seed in kept:
        for r in runs[seed]:
            if r.get("oneshot_valid_error") is None or r.get("valid_regret") is None:
                continue
            by_epoch.setdefault(int(r["epoch"]), []).append(
                (float(r["oneshot_valid_error"]), float(r["valid_regret"])))
    rows = []
    for epoch in sorted(by_epoch):
        pairs = by_epoch[epoch]
        rho = _spearman([p[0] for p in pairs], [p[1] for p in pairs])
        rows.append({"epoch": epoch, "n": len(pairs), "spearman": rho,
                     "one_minus_spearman": None if rho is None else 1.0 - rho})
    return rows
