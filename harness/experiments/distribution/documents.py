"""The document of Figure 6's error distribution: `distribution.json`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.harness.experiments.analysis_diff import AnalysisResult
from nb1s.harness.experiments.result import Reproduced

DISTRIBUTION_FILE = "distribution.json"


class SpaceSummary(Document):
    """One space's architecture set and its error quantiles."""

    space: int = Field(description="search space")
    architecture_set: str = Field(description="which architectures")
    repeats: str = Field(description="how NB101 repeats are combined")
    n_architectures: int = Field(description="architectures in the set")
    n_unique_nb101: int = Field(description="distinct NB101 models among them")
    test_error: dict[str, Any] = Field(description="quantiles and threshold counts")
    valid_error: dict[str, Any] = Field(description="quantiles and threshold counts")


class DistributionResult(AnalysisResult):
    """`distribution.json`: per space, the summary; minima; the plots."""

    schema_version: int = Field(1, description="`1`")
    title: str | None = Field(None, description="the recipe's title")
    synthetic: bool = Field(description="the NB101 data is synthetic")
    settings: dict[str, Any] = Field(description="the recipe's distribution settings")
    spaces: list[SpaceSummary] = Field(description="one per space")
    minimum: dict[str, dict[str, Any]] = Field(description="space -> the store's minima")
    data: dict[str, Any] = Field(default_factory=dict, description="NB101 provenance")
    plots: list[str] = Field(default_factory=list, description="figure files")


class DistributionReproduced(Reproduced):
    """What `nb1s reproduce fig6 --json` prints (the details of its `KindResult`)."""

    distribution: str = Field(description="distribution.json")
    spaces: list[dict[str, Any]] = Field(description="distribution.json's spaces")
    plan: str = Field(description="plan.json")
