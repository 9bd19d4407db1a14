"""The `--json` document of a `search` reproduction (the details of its `KindResult`).

The files of a search results folder (`aggregate.json`, `diff.json`) are shared by every
kind and typed in `report/documents.py`; `plan.json` in `search/results_directory.py`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.experiments.result import Reproduced


class SearchReproduced(Reproduced):
    """What `nb1s reproduce` prints for a search recipe (fig2/4/7/8/9, table2)."""

    run: dict[str, Any] = Field(description="the runner's summary (ran, skipped, failed)")
    aggregate: str = Field(description="aggregate.json")
    finals: list[dict[str, Any]] = Field(default_factory=list, description="per variant and "
                                         "space: final test regret and one-shot error")
    stored_reference: str | None = Field(None, description="--store-reference: the file")
