"""The documents of the `fanova` kind (Figure 16): what `nb1s reproduce fig16 --json`
prints (the details of its `KindResult`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.experiments.result import Reproduced


class FanovaReproduced(Reproduced):
    """fANOVA per space and budget: where the files are and one row per (space, budget)."""

    fanova: str = Field(description="fanova.json")
    summary: str = Field(description="the summary file")
    source: dict[str, Any] = Field(description="the BOHB runs analysed")
    pair: list[str] = Field(description="the hyperparameter pair of the surfaces")
    spaces: list[dict[str, Any]] = Field(description="one row per space and budget")
    surface_correlation: Any = Field(description="the surfaces' Spearman per space")
