"""Published reference numbers, loaded from `paper.yaml` (the one place they live).

Each section records its source. Code compares results against these values and shows
them side by side; it never reports one of them as something nb1s computed.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def paper() -> dict[str, Any]:
    """The parsed `paper.yaml` (cached; treat as read-only)."""
    text = resources.files(__package__).joinpath("paper.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def table1_paper(row: str) -> dict[int, int]:
    """Published Table 1 values of one row, keyed by space number."""
    return {int(k): int(v) for k, v in paper()["table1"]["rows"][row]["paper"].items()}


def claims_for(keys: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    """The published qualitative claims named `claims.<id>` among `keys`, each with its key.

    Recipes list the references they are compared with; reports quote these claims with
    their source rather than turning them into numbers.
    """
    claims = paper().get("claims", {})
    return [{"key": key, **claims[key.split(".", 1)[1]]}
            for key in keys if key.startswith("claims.")]
