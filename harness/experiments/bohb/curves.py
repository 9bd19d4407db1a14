"""BOHB result logs -> test regret of the incumbent on simulated time (Figures 5, 14, 15).

One BOHB run is the evaluations of its hpbandster `results.json`, in the order they
finished. Protocol switches shape its curve:

- `incumbent`: `best_validation` (paper: the evaluation with the lowest BOHB loss so far,
  the first on ties) or `test_oracle` (original `uncertanty_plots.py`: the running minimum
  of the test regret);
- `time_axis`: each evaluation costs its search time plus the NB101 training time of its
  architecture (paper §5.4, t_sim = t_search + t_train). `sequential_sum` (paper and
  original) is the original `plots/util.py`: the cumulative sum of every evaluation's cost,
  as if on one worker, the same axis as the black-box curves of the panel and the paper's
  "simulated 45 GPU days". `parallel_workers` (a named non-default option) places the
  evaluations, in log order, on the run's parallel workers (each starts when a worker is
  free) and counts an evaluation at its finish time; the axis label says so;
- `regret_reference`: what the test error is measured against (`regret_of`);
- `left_edge`: `backfill` (the original's merge of seeds, `uncertanty_plots.py`: a seed's
  value before its first result is its first value) or `blank` (NaN until its first result);
- `evaluation_order`: `finish_plus_train` (the original sorts a run's evaluations by their
  finish time stamp plus NB101 training time before summing) or `log` (as logged).

Curves are plain arrays (label -> time grid, regret matrix [seeds, grid]) so the black-box
side (another module) is drawn on the same grid.
"""

from __future__ import annotations

import heapq
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nb1s.harness.blackbox_runs.bohb_log import BohbLog, EvaluationInfo
from nb1s.harness.documents import validate_document

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Evaluation:
    """One finished BOHB evaluation, as the worker recorded it."""

    config_id: tuple[int, ...]
    budget: float
    loss: float
    test_regret: float
    cost_s: float  # search time + NB101 training time
    config: dict[str, Any]
    #: the NB101 test error behind `test_regret` (None in logs written before it was read)
    test_error: float | None = None
    #: hpbandster's `finished` time stamp and the NB101 training-time part of `cost_s`
    finished: float | None = None
    train_s: float = 0.0


def read_evaluations(folder: Path) -> list[Evaluation]:
    """The successful evaluations of one BOHB log folder, in the order they finished.

    Every line is validated (`blackbox_runs.bohb_log`): a damaged log or an evaluation
    whose info lacks what the figures need is one UserError line naming the file."""
    log = BohbLog(folder)
    out = []
    for entry in log.successful():
        result = entry.result
        if result is None or result.loss is None:
            continue  # hpbandster logs a result without a loss as not evaluated
        where = f"{log.results_file} (configuration {entry.config_id} at {entry.budget:g})"
        info = validate_document(result.info, EvaluationInfo, where)
        finished = (entry.timestamps or {}).get("finished")
        out.append(Evaluation(tuple(entry.config_id), float(entry.budget),
                              float(result.loss), info.test_regret,
                              info.search_time_s + info.nb101_train_time_s,
                              dict(info.config), info.test_error,
                              None if finished is None else float(finished),
                              info.nb101_train_time_s))
    return out


def in_order(evaluations: list[Evaluation], order: str) -> list[Evaluation]:
    """The evaluations in the order the time axis sums them.

    `log`: as logged (hpbandster logs a job when it finishes); `finish_plus_train`: the
    original `uncertanty_plots.py`, sorted by the `finished` time stamp plus the
    evaluation's NB101 training time (stable; a log without time stamps keeps its order).
    """
    if order == "log" or any(e.finished is None for e in evaluations):
        return list(evaluations)
    if order != "finish_plus_train":
        raise ValueError(f"unknown evaluation order {order!r}")
    return sorted(evaluations, key=lambda e: float(e.finished or 0.0) + e.train_s)


def regret_of(evaluations: list[Evaluation], test_minimum: float) -> list[Evaluation]:
    """The evaluations with their test regret measured against `test_minimum`.

    Why: the search measured regret against its own `regret_reference`; the figure
    measures both of its sides against the protocol's one reference. Evaluations without
    a recorded test error keep the regret they were logged with.
    """
    return [e if e.test_error is None else replace(e, test_regret=e.test_error - test_minimum)
            for e in evaluations]


def simulated_times(costs: FloatArray, time_axis: str, workers: int) -> FloatArray:
    """Finish time of each evaluation under the protocol's time axis (see module doc)."""
    costs = np.asarray(costs, dtype=np.float64)
    if time_axis == "sequential_sum":
        return np.cumsum(costs)
    if time_axis != "parallel_workers":
        raise ValueError(f"unknown time axis {time_axis!r}")
    free = [0.0] * max(1, workers)
    heapq.heapify(free)
    finish = np.empty(len(costs))
    for k, cost in enumerate(costs.tolist()):
        start = heapq.heappop(free)
        finish[k] = start + cost
        heapq.heappush(free, finish[k])
    return finish


def incumbent_regret(evaluations: list[Evaluation], incumbent: str) -> FloatArray:
    """Test regret of the incumbent after each evaluation."""
    regret = np.asarray([e.test_regret for e in evaluations], dtype=np.float64)
    if incumbent == "test_oracle":
        return np.minimum.accumulate(regret)
    loss = np.asarray([e.loss for e in evaluations], dtype=np.float64)
    out = np.empty_like(regret)
    best = np.inf
    holder = 0
    for k, value in enumerate(loss.tolist()):
        if value < best:
            best, holder = value, k
        out[k] = regret[holder]
    return out


def trajectory(evaluations: list[Evaluation], incumbent: str, time_axis: str,
               workers: int, order: str = "log") -> tuple[FloatArray, FloatArray]:
    """(times, regrets) of one run: the incumbent's regret as each evaluation finishes."""
    evaluations = in_order(evaluations, order)
    costs = np.asarray([e.cost_s for e in evaluations], dtype=np.float64)
    times = simulated_times(costs, time_axis, workers)
    finish = np.argsort(times, kind="stable")
    ordered = [evaluations[k] for k in finish.tolist()]
    return times[finish], incumbent_regret(ordered, incumbent)


def on_grid(runs: list[tuple[FloatArray, FloatArray]], grid: FloatArray,
            left_edge: str = "blank") -> FloatArray:
    """[runs, grid] step functions: a run's value at t is its last value finished by t.

    Before a run's first result: NaN (`blank`), or its first value (`backfill`, the
    original's merge of seeds).
    """
    if left_edge not in ("blank", "backfill"):
        raise ValueError(f"unknown left edge {left_edge!r}")
    out = np.full((len(runs), len(grid)), np.nan)
    for k, (times, values) in enumerate(runs):
        if not len(times):
            continue
        pos = np.searchsorted(times, grid, side="right") - 1
        if left_edge == "backfill":
            pos = np.maximum(pos, 0)
        seen = pos >= 0
        out[k, seen] = values[pos[seen]]
    return out


def log_grid(runs: list[tuple[FloatArray, FloatArray]], points: int = 200) -> FloatArray:
    """A log-spaced time grid from the earliest to the latest finish of `runs`."""
    times = np.concatenate([t for t, _ in runs if len(t)]) if runs else np.empty(0)
    if not len(times):
        return np.empty(0)
    lo, hi = max(float(times.min()), 1e-9), max(float(times.max()), 1e-9)
    return np.geomspace(lo, hi if hi > lo else lo * 10, points)


def band(matrix: FloatArray, kind: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(mean, lower, upper) over runs: mean ± std (paper) or ± 2·SEM (original), ddof 1."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # grid points before any evaluation
        counts = np.sum(np.isfinite(matrix), axis=0)
        mean = np.nanmean(matrix, axis=0) if len(matrix) else np.full(matrix.shape[1], np.nan)
        std = np.nanstd(matrix, axis=0, ddof=1) if len(matrix) > 1 else np.zeros_like(mean)
        std = np.where(counts > 1, std, 0.0)
        half = std if kind == "std" else 2 * std / np.sqrt(np.maximum(counts, 1))
    return mean, mean - half, mean + half


def nonpositive_seeds(matrix: FloatArray) -> int:
    """How many runs (rows) reach a test regret <= 0 anywhere on the grid.

    Why: a regret at or below 0 means the run found an architecture at least as good as
    the reference (possible with one random repeat, a published constant or synthetic
    data); a log axis cannot show it, so the plot and the summary say how many there are
    instead of dropping them silently.
    """
    with np.errstate(invalid="ignore"):
        return int(np.sum(np.any(np.asarray(matrix) <= 0, axis=1))) if len(matrix) else 0
