"""The documents of Figure 3's correlation analysis: `correlation.json` in the results
folder and the per-snapshot cache `correlation_epoch{E}.json` next to each run."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.harness.experiments.analysis_diff import AnalysisResult
from nb1s.harness.experiments.analysis_run import AnalysisReproduced

CORRELATION_FILE = "correlation.json"


class BudgetCorrelation(Document):
    """Rank correlation of one-shot and NB101 errors at one NB101 budget."""

    spearman: float | None = Field(description="Spearman's rho (null: undefined)")


class CorrelationRow(Document):
    """One run's snapshot after one epoch, scored on the sampled architectures."""

    variant: str = Field(description="the recipe's variant")
    label: str = Field(description="legend label")
    optimizer: str = Field(description="registered optimizer")
    space: int = Field(description="search space")
    seed: int = Field(description="the run's seed")
    epoch: int = Field(description="the snapshot's epoch")
    n_architectures: int = Field(description="architectures scored")
    architectures: str | None = Field(None, description="which: the architecture set (and "
                                      "sample), or ENAS's controller samples")
    weight_mode: str = Field(description="how the supernet's weights were applied")
    oneshot_error_mean: float = Field(description="mean one-shot error of the sample")
    budgets: dict[str, BudgetCorrelation] = Field(description="per NB101 budget")
    missing_budgets: list[Any] = Field(default_factory=list,
                                       description="budgets the data does not have")


class CorrelationResult(AnalysisResult):
    """`correlation.json`: every row, the settings and the data they used."""

    schema_version: int = Field(1, description="`1`")
    title: str | None = Field(None, description="the recipe's title")
    settings: dict[str, Any] = Field(description="the recipe's correlation settings")
    rows: list[CorrelationRow] = Field(description="one per run and snapshot")
    data: dict[str, Any] = Field(default_factory=dict, description="NB101 and image "
                                                                   "provenance")


class CorrelationReproduced(AnalysisReproduced):
    """What `nb1s reproduce fig3 --json` prints (the details of its `KindResult`)."""

    correlation: str = Field(description="correlation.json")
    rows: list[dict[str, Any]] = Field(description="correlation.json's rows")


class CorrelationCache(Document):
    """`correlation_epoch{E}.json`: one row and the settings it was computed with."""

    settings: dict[str, Any] = Field(description="reused only while these match")
    row: CorrelationRow = Field(description="the cached row")
