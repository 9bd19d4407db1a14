"""The document of the `blackbox` kind's results folder: `summary.json`.

The records it is computed from live in `blackbox/ss{N}/{OPT}/` (seed files and
`blackbox-run.json`, modelled in `harness/blackbox_runs/`, which the `bohb` kind shares).
`nb1s diff` reads this document back (its settings say which seeds were planned) and
re-derives everything else from the seed files.

`BlackboxReproduced` is what `nb1s reproduce blackbox --json` prints (the details of
its `KindResult`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.harness.experiments.analysis_diff import AnalysisResult
from nb1s.harness.experiments.result import Reproduced

SUMMARY_FILE = "summary.json"


class OptimizerSummary(Document):
    """One optimizer on one space: its final incumbent test regret over the seeds."""

    seeds: int = Field(description="planned seeds with records")
    final_regret_mean: float | None = Field(description="mean final test regret")
    final_regret_std: float | None = Field(description="its standard deviation (ddof 1)")
    final_regret_median: float | None = Field(description="its median")
    evaluations_per_seed: int = Field(description="records per seed")
    sim_time_end_median: float | None = Field(description="median simulated time at the end")


class SpaceSummary(Document):
    """One search space: the regret reference and every optimizer."""

    best_test_error: float = Field(description="what regret is measured against")
    optimizers: dict[str, OptimizerSummary] = Field(description="per optimizer")


class SummaryData(Document):
    """The NB101 index the curves were computed on."""

    directory: str = Field(description="the index folder")
    synthetic: bool = Field(description="true for a generated index")


class BlackboxSummary(AnalysisResult):
    """`summary.json`: per space and optimizer, the final regret statistics and plots."""

    settings: dict[str, Any] = Field(description="the resolved `BlackboxSettings`")
    data: SummaryData = Field(description="the index read")
    regret_reference: str = Field(description="the rule, in words")
    spaces: dict[str, SpaceSummary] = Field(description="per search space")
    plots: list[str] = Field(description="figure files")


class BlackboxReproduced(Reproduced):
    """The black-box baselines: how the grid ran, the final regrets, the files."""

    run: dict[str, Any] | None = Field(description="seeds run and skipped, workers, seconds "
                                                   "(Slurm: the array)")
    summary: str = Field(description="summary.json")
    final_regret: dict[str, dict[str, float | None]] = Field(
        description="space -> optimizer -> mean final test regret")
