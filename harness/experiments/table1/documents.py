"""What `nb1s reproduce table1 --json` prints: the counts per space (keys "1", "2", "3",
kept beside the declared fields) and every row checked against the paper."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nb1s.harness.documents import Document


class Table1Counts(Document):
    """The details of Table 1's `KindResult` (`report.reproduce_table1`'s document)."""

    checks: list[dict[str, Any]] = Field(description="one per space and Table 1 row")
    source: str = Field(description="where the paper's numbers are (paper.yaml)")
    seconds: float = Field(description="wall-clock seconds of the enumeration")
    ok: bool = Field(description="every count that should match the paper does")
