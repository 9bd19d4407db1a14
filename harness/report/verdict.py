"""How a row was decided, and the one verdict line of a diff (see docs/verdicts.md).

A diff is only worth running if a PASS means something, so every row carries an
`outcome` saying how it was decided, and the verdict counts rows by outcome:

- passed: `exact` (bit-identical to the reference), `equivalent` (TOST shows agreement
  within the margin), `checked` (a count, claim or identity that held);
- `failed`;
- undecided, never counted as a pass: `consistent` (no difference shown, but not shown
  equivalent either), `underpowered` (too few seeds to decide),
  `not checkable` (smoke/synthetic data cannot test the claim), `known deviation`
  (a documented mismatch of the paper, guarded elsewhere).

Any failed row fails the diff; otherwise any underpowered row makes it "no decision";
otherwise any consistent row makes it "consistent" (exit 0, labelled: nothing contradicts
the reference, agreement is not shown); only then can it pass. A diff whose rows are all
not checkable is "not checkable".
Bookkeeping rows (every planned run complete, every run made by this recipe) can fail a
diff but never pass one alone: without a compared number the verdict is "no reference".
"""

from __future__ import annotations

from typing import Any, Literal

#: what `verdict` decides over a diff's rows (the `status` of every verdict document)
VerdictStatus = Literal["pass", "fail", "no-decision", "consistent", "not-checkable",
                        "no-reference"]

PASSED = ("exact", "equivalent", "checked")
UNDECIDED = ("consistent", "underpowered", "not checkable", "known deviation")
OUTCOMES = (*PASSED, "failed", *UNDECIDED)

#: Row kinds that check the results folder, not a number against a reference.
BOOKKEEPING_KINDS = ("runs", "provenance")

EXIT_FAIL = 1
EXIT_NO_DECISION = 4


def outcome_of(row: dict[str, Any]) -> str:
    """The row's outcome: its own `outcome`, else derived from `pass` (older rows)."""
    if row.get("outcome"):
        return str(row["outcome"])
    if row.get("pass") is None:
        return "known deviation"
    return "checked" if row["pass"] else "failed"


def undecided(row: dict[str, Any], outcome: str, note: str) -> dict[str, Any]:
    """`row` marked as not counted (pass None) with why."""
    return {**row, "pass": None, "outcome": outcome, "note": note}


def _phrase(counts: dict[str, int], keys: tuple[str, ...]) -> str:
    return ", ".join(f"{counts[k]} {k}" for k in keys if counts[k]) or "none"


def verdict(rows: list[dict[str, Any]], labels: list[str]) -> dict[str, Any]:
    """The verdict of a list of rows: status, one line, and the counts by outcome."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for r in rows:
        counts[outcome_of(r)] += 1
    passed = sum(counts[k] for k in PASSED)
    compared = sum(1 for r in rows if r.get("kind") not in BOOKKEEPING_KINDS
                   and outcome_of(r) in PASSED)
    tag = f" [{', '.join(labels)}: not a reproduction of the paper]" if labels else ""
    tail = (f"{counts['failed']} failed, {counts['underpowered']} underpowered"
            + (f", {counts['consistent']} consistent" if counts["consistent"] else "")
            + (f", {counts['not checkable']} not checkable" if counts["not checkable"] else "")
            + (f", {counts['known deviation']} known deviation"
               if counts["known deviation"] else ""))
    if counts["failed"]:
        status = "fail"
        line = f"FAIL: {counts['failed']} of {passed + counts['failed']} decided rows failed " \
               f"({_phrase(counts, PASSED)} passed; {counts['underpowered']} underpowered)"
    elif counts["underpowered"]:
        status = "no-decision"
        line = f"NO DECISION: {counts['underpowered']} rows underpowered (too few seeds); " \
               f"{_phrase(counts, PASSED)} passed; {tail}"
    elif counts["consistent"]:
        status = "consistent"
        line = f"CONSISTENT: {counts['consistent']} rows show no difference but are not " \
               f"shown equivalent; {_phrase(counts, PASSED)} passed; {tail}"
    elif compared:
        status = "pass"
        line = f"PASS: {_phrase(counts, PASSED)}; {tail}"
    elif counts["not checkable"]:
        status = "not-checkable"
        line = f"NOT CHECKABLE: {counts['not checkable']} rows cannot be tested on this data"
    else:
        status = "no-reference"
        line = "NO REFERENCE: nothing to compare with"
    return {"status": status, "line": line + tag, "rows": passed + counts["failed"],
            "failed": counts["failed"], "counts": counts}


def exit_code(status: str, allow_undecided: bool = False) -> int:
    """0 for pass / consistent / not checkable / no reference, 1 for fail, 4 for no decision."""
    if status == "fail":
        return EXIT_FAIL
    if status == "no-decision" and not allow_undecided:
        return EXIT_NO_DECISION
    return 0
