"""The documents of the `bohb` kind (Figures 5, 14, 15): what `nb1s reproduce fig5 --json`
prints (the details of its `KindResult`; `bohb-summary.json` holds the same document)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.experiments.result import Reproduced


class BohbReproduced(Reproduced):
    """BOHB over one-shot searches beside the black-box grid: runs, curves' facts, claims."""

    settings: dict[str, Any] = Field(description="BOHB's eta, budgets, iterations")
    switches: dict[str, Any] = Field(description="the protocol's paper/original switches")
    regret_reference: dict[str, Any] = Field(description="rule and test error per space")
    nonpositive_regret_runs: dict[str, dict[str, int]] = Field(
        description="per panel and label: seeds whose regret reached zero or below")
    runs: list[dict[str, Any]] = Field(description="one row per BOHB run")
    blackbox: dict[str, Any] = Field(description="what the black-box side ran")
    missing_runs: list[str] = Field(description="planned BOHB runs not finished")
    missing_blackbox_seeds: list[str] = Field(description="planned black-box seed files "
                                                          "missing or damaged")
    failed: list[str] | None = Field(None, description="BOHB runs whose evaluations failed")
