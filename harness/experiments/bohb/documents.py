"""The documents of Figures 5/14/15 in a results folder: `bohb-summary.json`.

The files of one BOHB run (hpbandster's `configs.json` / `results.json`, nb1s's
`bohb.json`) are read by three kinds and modelled one layer down, in
`harness/blackbox_runs/bohb_log.py`; the black-box side's seed files and
`blackbox-run.json` in `harness/blackbox_runs/` too. This module holds what only this kind
writes, read back by `nb1s diff` and by users.

`BohbReproduced` is what `nb1s reproduce fig5 --json` prints (the details of its
`KindResult`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document
from nb1s.harness.experiments.result import Reproduced

SUMMARY_FILE = "bohb-summary.json"


class RunRow(Document):
    """One BOHB run of the summary: its evaluations and what its curve ended at."""

    key: str = Field(description="`bohb/cs{N}/ss{S}/{optimizer}/seed-{k}`")
    cs: int = Field(description="configuration space")
    space: int = Field(description="search space")
    optimizer: str = Field(description="one-shot optimizer")
    seed: int = Field(description="BOHB seed")
    evaluations: int = Field(description="successful evaluations in the log")
    expected_evaluations: int = Field(description="what BOHB's settings plan (280 in the "
                                                  "paper)")
    best_loss: float = Field(description="lowest BOHB loss (NB101 validation error)")
    best_budget: float = Field(description="the budget it was reached at")
    best_config: dict[str, Any] = Field(description="its configuration")
    final_regret: float | None = Field(description="the incumbent's test regret at the end")
    claim_final_regret: float | None = Field(
        None, description="the best-validation incumbent's test regret at the end, which the "
        "claim rows compare whatever incumbent the figure draws (equal to final_regret "
        "unless the protocol's incumbent is test_oracle)")
    regrets: list[float] = Field(description="test regret of every evaluation, log order")
    default_regret: float | None = Field(description="regret of the default configuration "
                                                     "at its largest budget")
    sequential_days: float = Field(description="every evaluation's cost summed, in days")


class RegretReference(Document):
    """What both sides of every panel measure regret against."""

    rule: str = Field(description="`min_of_means` or `published_constants`")
    test_error: dict[str, float | None] = Field(description="per search space")


class DiffPart(Document):
    """The claim rows and their verdict, as the summary keeps them."""

    rows: list[dict[str, Any]] = Field(description="bookkeeping rows, then the claims")
    verdict: dict[str, Any] = Field(description="`status` and the one-line verdict")


class BohbSummary(Document):
    """`bohb-summary.json`: the runs, curves' ends, figures and claims of one folder."""

    recipe: str = Field(description="recipe name")
    profile: str = Field(description="`paper` or `smoke`")
    protocol: str = Field(description="`paper` or `original`")
    labels: list[str] = Field(description="`smoke`, `synthetic`")
    status: str = Field(description="`complete` or `partial`")
    settings: dict[str, Any] = Field(description="BOHB's settings (`BohbSettings`)")
    switches: dict[str, Any] = Field(description="the protocol's switches (`BohbProtocol`)")
    regret_reference: RegretReference = Field(description="the rule and its numbers")
    nonpositive_regret_runs: dict[str, dict[str, int]] = Field(
        description="panel -> label -> runs that reach a regret <= 0 (a log axis hides them)")
    runs: list[RunRow] = Field(description="one per BOHB run with a log")
    blackbox: dict[str, Any] = Field(description="what the black-box side ran or blocked")
    plots: list[str] = Field(description="figure files")
    missing_runs: list[str] = Field(description="planned BOHB runs without every evaluation")
    missing_blackbox_seeds: list[str] = Field(description="planned black-box seed files "
                                                          "missing or damaged")
    diff: DiffPart = Field(description="claim rows and verdict")


class BohbReproduced(Reproduced):
    """BOHB over one-shot searches beside the black-box grid: runs, curves' facts, claims
    (`bohb-summary.json`'s content with the result's header; its parts are the summary's
    models)."""

    settings: dict[str, Any] = Field(description="BOHB's eta, budgets, iterations")
    switches: dict[str, Any] = Field(description="the protocol's paper/original switches")
    regret_reference: RegretReference = Field(description="rule and test error per space")
    nonpositive_regret_runs: dict[str, dict[str, int]] = Field(
        description="per panel and label: seeds whose regret reached zero or below")
    runs: list[RunRow] = Field(description="one row per BOHB run")
    blackbox: dict[str, Any] = Field(description="what the black-box side ran")
    missing_runs: list[str] = Field(description="planned BOHB runs not finished")
    missing_blackbox_seeds: list[str] = Field(description="planned black-box seed files "
                                                          "missing or damaged")
    failed: list[str] | None = Field(None, description="BOHB runs whose evaluations failed")
