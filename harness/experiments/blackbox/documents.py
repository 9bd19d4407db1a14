"""The documents of the `blackbox` kind: what `nb1s reproduce blackbox --json` prints (the
details of its `KindResult`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.experiments.result import Reproduced


class BlackboxReproduced(Reproduced):
    """The black-box baselines: how the grid ran, the final regrets, the files."""

    run: dict[str, Any] | None = Field(description="seeds run and skipped, workers, seconds "
                                                   "(Slurm: the array)")
    summary: str = Field(description="summary.json")
    final_regret: dict[str, dict[str, float | None]] = Field(
        description="space -> optimizer -> mean final test regret")
