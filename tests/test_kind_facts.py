"""Per-kind facts are on the registered kinds (issue 19, item 4): which kind-specific
`nb1s reproduce` options a kind takes is its `request_options`, not a list in the CLI."""

from __future__ import annotations

from typing import Any

import pytest

from nb1s.harness.errors import UserError
from nb1s.harness.experiments import registry
from nb1s.harness.experiments.dispatch import check_request_option
from nb1s.harness.recipe.catalog import load_recipe


@pytest.mark.parametrize(("recipe", "option", "taken"), [
    ("fig5", "time_axis", True), ("fig5", "smac_model", True),
    ("blackbox", "smac_model", True), ("blackbox", "time_axis", False),
    ("fig2", "smac_model", False), ("table1", "time_axis", False),
])
def test_the_kind_says_which_options_it_takes(recipe: str, option: str, taken: bool) -> None:
    if taken:
        check_request_option(load_recipe(recipe), option, "refused")
    else:
        with pytest.raises(UserError, match=r"^refused$"):
            check_request_option(load_recipe(recipe), option, "refused")


class TimedSearch:
    """The search kind, taking `--time-axis` too (a kind registered at run time)."""

    request_options = ("time_axis",)

    def __getattr__(self, name: str) -> object:
        return getattr(registry.kind_for("search"), name)


TIMED = TimedSearch()


def test_a_kind_registered_at_runtime_declares_its_options(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fig2 = load_recipe("fig2")
    with pytest.raises(UserError):
        check_request_option(fig2, "time_axis", "refused")
    monkeypatch.setitem(registry.KINDS, "search", f"{__name__}:TIMED")
    check_request_option(fig2, "time_axis", "refused")
    with pytest.raises(UserError):
        check_request_option(fig2, "smac_model", "refused")


def test_nb1s_plan_asks_the_kind_for_its_cost_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """`plan_cost` takes a kind's rows from its `cost_rows` (bohb: BOHB runs and the
    black-box side; blackbox: seed batches); a kind without one is a grid of searches."""
    from nb1s.harness.experiments.cost import plan_cost
    from nb1s.harness.experiments.dispatch import plan_for

    fig5 = plan_cost(plan_for(load_recipe("fig5"), "smoke", "paper"))
    assert {r.kind for r in fig5.runs} == {"bohb", "blackbox"}
    assert {r.kind for r in plan_cost(plan_for(load_recipe("blackbox"))).runs} == {"blackbox"}
    fig2 = plan_for(load_recipe("fig2"), "smoke", "paper")
    assert len(plan_cost(fig2).runs) == len(fig2.runs)

    monkeypatch.setitem(registry.KINDS, "search", f"{__name__}:COSTED")
    assert [r.key for r in plan_cost(fig2).runs] == ["all"]


class CostedSearch(TimedSearch):
    """The search kind with its own cost rows (one row for the whole grid)."""

    @staticmethod
    def cost_rows(plan: object, line: str, hours: object) -> list[Any]:
        from nb1s.harness.experiments.cost import PlannedRun

        return [PlannedRun("all", "search", "darts", 1, [0], {}, line)]


COSTED = CostedSearch()
