"""Table 1 counts, derived by enumeration, equal the independently established facts.

The expected values are those of docs/search-spaces.md, which were verified by an
independent enumeration; the compiled counts are also checked against this repository's
plain-Python implementation of the same rules (spaces 1 and 2; space 3 takes ~20 s there).
"""

from __future__ import annotations

import plain_enumerator as plain
import pytest

from nb1s.enumerate import SPACES, count_space

FACTS = {
    1: dict(configurations=14580, with_loose_ends=6240, without_loose_ends=3702,
            without_loose_ends_paper_rule=3702, unique_nb101=2685),
    2: dict(configurations=29160, with_loose_ends=16632, without_loose_ends=12474,
            without_loose_ends_paper_rule=12510, unique_nb101=7773),
    3: dict(configurations=1312200, with_loose_ends=363648, without_loose_ends=135900,
            without_loose_ends_paper_rule=137406, unique_nb101=55854),
}


@pytest.mark.parametrize("number", [1, 2, 3])
def test_counts_match_established_facts(number: int) -> None:
    counts = count_space(SPACES[number]).as_dict()
    for key, value in FACTS[number].items():
        assert counts[key] == value, key


@pytest.mark.parametrize("number", [1, 2])
def test_counts_match_plain_python_rules(number: int) -> None:
    counts = count_space(SPACES[number]).as_dict()
    expected = plain.table1(SPACES[number].parents)
    assert {k: counts[k] for k in expected} == expected


def test_paper_rule_overcounts_only_where_a_dead_block_feeds_a_dead_block() -> None:
    # Space 1's node 1 always has a child (node 2 takes both 0 and 1), so both rules agree.
    c1 = count_space(SPACES[1])
    assert c1.without_loose_ends == c1.without_loose_ends_paper_rule
    c3 = count_space(SPACES[3])
    assert c3.without_loose_ends_paper_rule - c3.without_loose_ends == 1506
