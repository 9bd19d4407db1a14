"""Table 1 reproduction: enumerated counts beside the paper's, with verdicts.

Each published row is compared with the counting rule that is meant to reproduce it:
- "w/ loose ends" with `with_loose_ends` (ops only for blocks that have a child). It
  reproduces spaces 1 and 3; for space 2 the paper printed 29160, which is the plain
  configuration count (every block given an op): a known inconsistency, reported as
  such, with `configurations` shown as the count that equals it.
- "w/o loose ends" with `without_loose_ends_paper_rule` (first parent choice per pruned
  graph, see `nb1s.enumerate.table1`); the exact number of distinct architectures,
  `without_loose_ends`, is shown beside it and is smaller for spaces 2 and 3.
- "w/o isomorphism" with `unique_nb101` (distinct NB101 hashes).
A row "passes" when the rule meant to reproduce it gives the published number; the
known space-2 cell is expected to differ and is flagged, not failed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from nb1s.enumerate import SPACES, count_space
from nb1s.harness.references import paper, table1_paper

# (paper row, rule meant to reproduce it, spaces where the published cell is known not to
# be that rule's count, rule whose count the published cell equals there)
_COMPARISONS: tuple[tuple[str, str, dict[int, str]], ...] = (
    ("with_loose_ends", "with_loose_ends", {2: "configurations"}),
    ("without_loose_ends", "without_loose_ends_paper_rule", {}),
    ("without_isomorphism", "unique_nb101", {}),
)

def _deviation_note(row: str, rule: str, equals: str, counts: dict[str, int],
                    published: int) -> str:
    """Why a published cell differs from its rule, with the numbers as computed now."""
    return (f"published {published} is the {equals} count ({counts[equals]}) rather than "
            f"the {rule} count; the {row} rule that reproduces the other spaces gives "
            f"{counts[rule]}")


@dataclass(frozen=True)
class RowCheck:
    space: int
    row: str
    rule: str
    paper: int
    value: int
    matches: bool
    expected_to_match: bool
    equals_rule: str | None
    note: str | None

    @property
    def ok(self) -> bool:
        """Pass when the result is what the known facts predict."""
        return self.matches if self.expected_to_match else True


def _exact_note(counts: dict[str, int], paper_value: int) -> str | None:
    exact = counts["without_loose_ends"]
    if exact == paper_value:
        return None
    return (f"exact count of distinct architectures is {exact} "
            f"({paper_value - exact:+d} in the published number)")


def reproduce_table1(spaces: list[int] | None = None) -> dict[str, Any]:
    """Enumerate the spaces and compare with the paper; JSON-ready result."""
    numbers = spaces or sorted(SPACES)
    # Space objects sit at the top level, keyed "1", "2", "3" (the documented JSON shape).
    result: dict[str, Any] = {}
    checks: list[dict[str, Any]] = []
    all_ok = True
    started = time.perf_counter()
    for n in numbers:
        counts = count_space(SPACES[n]).as_dict()
        published = {row: table1_paper(row)[n] for row, _, _ in _COMPARISONS}
        entry: dict[str, Any] = {**counts, "paper": published}
        result[str(n)] = entry
        for row, rule, deviations in _COMPARISONS:
            value = counts[rule]
            equals = deviations.get(n)
            note = None if equals is None else _deviation_note(row, rule, equals, counts,
                                                                published[row])
            if row == "without_loose_ends":
                note = _exact_note(counts, published[row])
            check = RowCheck(
                space=n, row=row, rule=rule, paper=published[row], value=value,
                matches=value == published[row], expected_to_match=equals is None,
                equals_rule=equals, note=note,
            )
            if equals is not None and counts[equals] != published[row]:
                # the explanation of the known deviation no longer holds: fail loudly
                check = RowCheck(**{**check.__dict__, "expected_to_match": True})
            all_ok = all_ok and check.ok
            checks.append({**check.__dict__, "ok": check.ok})
    result["checks"] = checks
    result["source"] = paper()["table1"]["source"]
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["ok"] = all_ok
    return result
