"""The document of the proxy-model analysis: `proxy_correlation.json`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.harness.experiments.analysis_diff import AnalysisResult
from nb1s.harness.experiments.analysis_run import AnalysisReproduced

PROXY_FILE = "proxy_correlation.json"


class ProxyEpoch(Document):
    """1 - Spearman over seeds after one epoch."""

    epoch: int = Field(description="search epoch")
    n: int = Field(description="seeds with a record at this epoch")
    spearman: float | None = Field(description="Spearman's rho (null: undefined)")


class ProxyGroup(Document):
    """One (cells, channels) proxy model."""

    variant: str = Field(description="the recipe's variant")
    label: str = Field(description="legend label")
    cells: int = Field(description="`layers`")
    channels: int = Field(description="`init_channels`")
    epochs_trained: int = Field(description="search epochs")
    architectures: dict[str, int] = Field(description="seed -> initial config id")
    epochs: list[ProxyEpoch] = Field(description="per epoch")


class ProxyResult(AnalysisResult):
    """`proxy_correlation.json`: per proxy model, the correlation over epochs."""

    schema_version: int = Field(1, description="`1`")
    title: str | None = Field(None, description="the recipe's title")
    settings: dict[str, Any] = Field(default_factory=dict, description="the recipe's "
                                                                       "settings")
    statistic: str = Field(description="what the numbers are")
    groups: list[ProxyGroup] = Field(description="one per proxy model")


class ProxyReproduced(AnalysisReproduced):
    """What `nb1s reproduce fig17 --json` prints (the details of its `KindResult`)."""

    proxy_correlation: str = Field(description="proxy_correlation.json")
    groups: list[dict[str, Any]] = Field(description="proxy_correlation.json's groups")
