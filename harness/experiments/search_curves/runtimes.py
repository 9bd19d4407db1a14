"""Footnote 4 of the paper beside what the runs measured: search hours for 50 epochs.

The paper states how long 50 search epochs took per optimizer on one RTX 2080Ti
(`paper.yaml runtimes_50_epochs`). A reproduction measures its own: each run records its
cumulative wall time per epoch, so per variant the median over seeds of (wall time / epochs
run) x 50 is shown next to the published hours, labelled with the device the runs used
(GPU model or CPU). It is context for planning, not a verdict row: a different GPU is not
a failed reproduction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nb1s.harness.references import paper

PAPER_EPOCHS = 50


def runtime_table(agg: dict[str, Any]) -> list[dict[str, Any]]:
    """Per group: measured hours per 50 epochs (median over seeds) and the paper's hours."""
    published = paper().get("runtimes_50_epochs") or {}
    hours = published.get("hours") or {}
    device = (agg.get("provenance") or {}).get("device")
    rows = []
    for g in agg["groups"]:
        per_epoch = [w / e for w, e in zip(g.get("wall_time_s") or [],
                                           g.get("epochs_run") or [], strict=False) if e]
        measured = float(np.median(per_epoch)) * PAPER_EPOCHS / 3600 if per_epoch else None
        rows.append({"variant": g["variant"], "optimizer": g.get("optimizer"),
                     "space": g["space"], "n": len(per_epoch),
                     "measured_hours_per_50_epochs": measured, "device": device,
                     "paper_hours_per_50_epochs": hours.get(str(g.get("optimizer")),
                                                            hours.get(g.get("optimizer"))),
                     "paper_device": "RTX 2080Ti", "source": published.get("source")})
    return rows
