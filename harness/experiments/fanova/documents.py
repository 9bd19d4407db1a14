"""The documents of Figure 16's analysis: `fanova.json` in the results folder.

Its inputs, the fig5 recipe's BOHB runs (hpbandster's `configs.json` / `results.json` and
nb1s's `bohb.json`), are modelled in `harness/blackbox_runs/bohb_log.py`, shared with the
kinds that write and read them.

`FanovaReproduced` is what `nb1s reproduce fig16 --json` prints (the details of its
`KindResult`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.harness.experiments.analysis_diff import AnalysisResult
from nb1s.harness.experiments.result import Reproduced

FANOVA_FILE = "fanova.json"


class Importance(Document):
    """A share of the forest's variance (fANOVA)."""

    individual: float = Field(description="explained by these hyperparameters alone")
    individual_std: float = Field(description="its standard deviation over the trees")
    total: float = Field(description="including every interaction")


class SingleMarginal(Document):
    """One hyperparameter's importance and marginal curve."""

    importance: Importance = Field(description="its share of the variance")
    x: list[float] = Field(description="grid of the hyperparameter")
    mean: list[float] = Field(description="predicted loss on the grid")
    std: list[float] = Field(description="its standard deviation over the trees")


class PairMarginal(Document):
    """The pair's interaction importance and its 2-D marginal surface."""

    names: list[str] = Field(description="x then y hyperparameter")
    importance: Importance = Field(description="interaction-only share")
    x: list[float] = Field(description="grid along x")
    y: list[float] = Field(description="grid along y")
    mean: list[list[float]] = Field(description="predicted loss, rows along y")


class Incumbent(Document):
    """The lowest-loss evaluation at the budget."""

    config_id: str = Field(description="hpbandster's id, dash-joined")
    loss: float = Field(description="its BOHB loss")
    config: dict[str, float] = Field(description="its hyperparameters")


class BudgetAnalysis(Document):
    """One (space, budget): analysed, or why not."""

    budget: float = Field(description="search epochs")
    evaluations: int = Field(description="finished evaluations at the budget")
    status: str = Field(description="`analysed`, `too few evaluations` or `no variance`")
    note: str | None = Field(None, description="why it was not analysed")
    incumbent: Incumbent | None = Field(None, description="when analysed")
    single: dict[str, SingleMarginal] | None = Field(None, description="per hyperparameter")
    pair: PairMarginal | None = Field(None, description="the recipe's pair")


class SpaceAnalysis(Document):
    """One search space's BOHB run and its budgets."""

    space: int = Field(description="search space")
    run: str = Field(description="the BOHB run folder read")
    budgets: list[BudgetAnalysis] = Field(description="per budget of the recipe")


class SurfaceCorrelation(Document):
    """How alike the spaces' pair surfaces are at one budget."""

    budget: float = Field(description="search epochs")
    spaces: list[int] = Field(description="spaces analysed at this budget")
    pairs: list[dict[str, Any]] = Field(description="Spearman per pair of spaces")
    mean_spearman: float | None = Field(description="their mean (null: none defined)")


class FanovaResult(AnalysisResult):
    """`fanova.json`: per space and budget, the importances, marginals and incumbent."""

    schema_version: int = Field(1, description="`1`")
    title: str | None = Field(None, description="the recipe's title")
    settings: dict[str, Any] = Field(description="the recipe's fanova settings")
    source: dict[str, Any] = Field(description="the BOHB runs read, and whether synthetic")
    spaces: list[SpaceAnalysis] = Field(description="per space with a BOHB run")
    surface_correlation: list[SurfaceCorrelation] = Field(description="per budget")


class FanovaReproduced(Reproduced):
    """fANOVA per space and budget: where the files are and one row per (space, budget)."""

    fanova: str = Field(description="fanova.json")
    summary: str = Field(description="the summary file")
    source: dict[str, Any] = Field(description="the BOHB runs analysed")
    pair: list[str] = Field(description="the hyperparameter pair of the surfaces")
    spaces: list[dict[str, Any]] = Field(description="one row per space and budget")
    surface_correlation: Any = Field(description="the surfaces' Spearman per space")
