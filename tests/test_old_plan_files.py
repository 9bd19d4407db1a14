"""plan.json files written before the one-plan-type change still load, value for value.

The files under tests/data/plans-1a67014/ were written by the code of commit 1a67014 (the
last before `Plan` became the pydantic document of plan.json): `plan_for(...).as_dict()`
plus the `command` key, as its runner wrote them, for search (fig2, table2), correlation
(fig3), black-box, BOHB (fig5), fANOVA (fig16) and enumeration (table1) recipes. A results
folder a user made then must still be read (resume, `nb1s diff`), not refused or changed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nb1s.harness.errors import UserError
from nb1s.harness.search.results_directory import ResultsDirectory

OLD = sorted((Path(__file__).parent / "data" / "plans-1a67014").glob("*.json"))


@pytest.mark.parametrize("path", OLD, ids=[p.stem for p in OLD])
def test_an_old_plan_file_reads_back_value_for_value(path: Path, tmp_path: Path) -> None:
    shutil.copy(path, tmp_path / "plan.json")
    plan = ResultsDirectory(tmp_path).read_plan()
    written = json.loads(path.read_text(encoding="utf-8"))
    assert plan.as_dict() == written


def test_the_set_covers_every_kind_of_plan() -> None:
    kinds = {json.loads(p.read_text(encoding="utf-8"))["kind"] for p in OLD}
    assert {"search", "correlation", "blackbox", "bohb", "fanova", "enumeration"} <= kinds
    assert any(json.loads(p.read_text(encoding="utf-8"))["runs"] for p in OLD)


def test_a_changed_old_file_is_refused_in_one_line(tmp_path: Path) -> None:
    written = json.loads((OLD[0]).read_text(encoding="utf-8"))
    written["profile"] = 7  # not a profile name
    (tmp_path / "plan.json").write_text(json.dumps(written), encoding="utf-8")
    with pytest.raises(UserError) as info:
        ResultsDirectory(tmp_path).read_plan()
    assert "\n" not in str(info.value) and "plan.json" in str(info.value)
