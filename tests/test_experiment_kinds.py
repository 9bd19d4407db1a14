"""Experiment kinds: the CLI dispatches through the registry, never through per-kind branches.

A fake kind registered at runtime (under a recipe kind nb1s does not implement) is planned,
run, rendered and exit-coded by `nb1s reproduce`, `run`, `ls` and `validate` exactly like a
built-in one; without the registration the same recipe is "cannot run yet" (exit 3).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from nb1s.harness.cli.app import app
from nb1s.harness.experiments import registry
from nb1s.harness.experiments.dispatch import exit_code_for, kind_problems, plan_for
from nb1s.harness.experiments.kind import KindBase, Request, Result
from nb1s.harness.recipe.catalog import recipes_dir
from nb1s.harness.recipe.schema import parse_recipe


class FakeKind(KindBase):
    """Records each request; answers with the verdict the test asks for."""

    name: ClassVar[str] = "fanova"
    verdict: ClassVar[str] = "pass"
    requests: ClassVar[list[Request]] = []

    def reproduce(self, request: Request, on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        FakeKind.requests.append(request)
        return {"recipe": request.recipe.name, "status": "complete",
                "results": str(request.results),
                "diff": {"verdict": {"status": FakeKind.verdict, "line": "fake verdict"}}}

    def render(self, result: Result) -> None:
        print(f"FAKE VIEW of {result['recipe']}")


FAKE = FakeKind()


@pytest.fixture
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> type[FakeKind]:
    monkeypatch.setitem(registry.KINDS, "fanova", f"{__name__}:FAKE")
    monkeypatch.setattr(FakeKind, "requests", [])
    monkeypatch.setattr(FakeKind, "verdict", "pass")
    return FakeKind


def invoke(*args: str, env: dict[str, str] | None = None, error: bool = False) -> Any:
    """Run the CLI in-process; an exception (CliRunner reports it as exit code 1) fails the
    test unless `error` says one is expected."""
    res = CliRunner().invoke(app, list(args), env=env)
    if not error:
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res


def test_a_kind_registered_at_runtime_is_dispatched_by_reproduce(fake_kind: type[FakeKind],
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "fig16"
    res = invoke("reproduce", "fig16", "--json", "--out", str(out), "--workers", "3",
                 "--protocol", "original")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["status"] == "complete"
    (request,) = fake_kind.requests
    assert request.recipe.name == "fig16" and request.protocol == "original"
    assert request.results == out and request.execution.workers == 3
    assert request.progress is False  # --json: no bar
    human = invoke("reproduce", "fig16", "--out", str(out))
    assert human.exit_code == 0 and "FAKE VIEW of fig16" in human.stdout
    listing = json.loads(invoke("ls", "--json").stdout)
    assert next(r for r in listing["recipes"] if r["name"] == "fig16")["runnable"] is True


@pytest.mark.parametrize(("verdict", "extra", "code"), [
    ("fail", (), 1), ("no-decision", (), 4), ("no-decision", ("--allow-undecided",), 0),
])
def test_the_kinds_verdict_decides_the_exit_code(fake_kind: type[FakeKind], tmp_path: Path,
                                                 verdict: str, extra: tuple[str, ...],
                                                 code: int) -> None:
    fake_kind.verdict = verdict
    res = invoke("reproduce", "fig16", "--json", "--out", str(tmp_path / "r"), *extra)
    assert res.exit_code == code, res.output


@pytest.fixture
def no_fanova(monkeypatch: pytest.MonkeyPatch) -> None:
    """fig16's kind as if nb1s did not implement it."""
    monkeypatch.delitem(registry.KINDS, "fanova", raising=False)


def test_an_unregistered_kind_cannot_run_and_exits_3(no_fanova: None, tmp_path: Path) -> None:
    res = invoke("reproduce", "fig16", "--json", "--out", str(tmp_path / "r"))
    assert res.exit_code == 3
    result = json.loads(res.stdout)
    assert result["status"] == "cannot-run"
    assert result["blocked"][0]["reason"].startswith("kind 'fanova' is not implemented in nb1s")
    listing = json.loads(invoke("ls", "--json").stdout)
    assert next(r for r in listing["recipes"] if r["name"] == "fig16")["runnable"] is False


def test_plan_follows_the_registration(fake_kind: type[FakeKind]) -> None:
    recipe = parse_recipe(recipes_dir() / "fig16.yaml")
    assert not plan_for(recipe).blocked  # registered: the kind plans it
    registry.KINDS.pop("fanova")
    assert "not implemented" in plan_for(recipe).blocked[0].reason


def test_kind_problems_catch_a_recipe_whose_shape_disagrees_with_its_kind(
        fake_kind: type[FakeKind], tmp_path: Path) -> None:
    fine = recipes_dir() / "fig2.yaml"
    assert kind_problems(fine, parse_recipe(fine)) == []
    # a search recipe without its search block
    text = fine.read_text()
    cut = tmp_path / "fig2.yaml"
    cut.write_text(text[:text.index("\nsearch:")] + "\n")
    (problem,) = kind_problems(cut, parse_recipe(cut))
    assert problem.field == "kind" and "needs a 'search' block" in problem.message
    # an analysis kind given a search block
    recipe = parse_recipe(recipes_dir() / "fig6.yaml")
    with_search = recipe.model_copy(update={"search": parse_recipe(fine).search})
    (problem,) = kind_problems(recipes_dir() / "fig6.yaml", with_search)
    assert "must not have a 'search' block" in problem.message
    # an unimplemented kind must say what it requires
    registry.KINDS.pop("fanova", None)  # restored by monkeypatch
    fig16 = parse_recipe(recipes_dir() / "fig16.yaml")
    assert kind_problems(recipes_dir() / "fig16.yaml", fig16) == []
    (problem,) = kind_problems(recipes_dir() / "fig16.yaml",
                               fig16.model_copy(update={"requires": []}))
    assert "list what it 'requires'" in problem.message


def test_validate_reports_the_kind_problem_with_its_line(tmp_path: Path) -> None:
    text = (recipes_dir() / "fig2.yaml").read_text()
    cut = tmp_path / "fig2.yaml"
    cut.write_text(text[:text.index("\nsearch:")] + "\n")
    res = invoke("validate", str(cut), "--json")
    assert res.exit_code == 1
    (entry,) = json.loads(res.stdout)["files"]
    line = next(i for i, s in enumerate(cut.read_text().splitlines(), 1) if s.startswith("kind:"))
    assert entry["problems"] == [f"{cut}:{line}: field 'kind' a recipe of kind 'search' needs "
                                 "a 'search' block"]


def test_exit_codes_from_results() -> None:
    assert exit_code_for({"status": "cannot-run"}) == 3
    assert exit_code_for({"status": "failed-runs", "diff": {"verdict": {"status": "pass"}}}) == 1
    assert exit_code_for({"status": "complete", "diff": {"verdict": {"status": "pass"}}}) == 0
    assert exit_code_for({"verdict": {"status": "fail"}}) == 1
    assert exit_code_for({"ok": False}) == 1 and exit_code_for({"ok": True}) == 0


def test_execution_options_are_declared_once_for_run_reproduce_and_check() -> None:
    from nb1s.harness.cli.options import EXECUTION
    from nb1s.harness.execution.options import ExecutionOptions

    fields = [f.name for f in dataclasses.fields(ExecutionOptions)]
    assert [row.field for row in EXECUTION] == fields
    for command in ("run", "reproduce", "check"):
        text = invoke(command, "--help", env={"COLUMNS": "200"}).stdout
        for row in EXECUTION:
            assert row.option.param_decls[0] in text, (command, row.field)


def test_diff_goes_through_the_kind_of_the_results_folder(fake_kind: type[FakeKind],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    def fake_diff(self: FakeKind, request: Request) -> Result:
        FakeKind.requests.append(request)
        return {"rows": [], "notes": [], "verdict": {"status": FakeKind.verdict, "line": "x"}}

    monkeypatch.setattr(FakeKind, "diff", fake_diff)
    results = tmp_path / "r"
    results.mkdir()
    version = parse_recipe(recipes_dir() / "fig16.yaml").version
    (results / "plan.json").write_text(json.dumps({"recipe": "fig16", "version": version,
                                                   "title": "t", "kind": "fanova",
                                                   "profile": "smoke", "protocol": "paper"}))
    fake_kind.verdict = "fail"
    res = invoke("diff", str(results), "--json", "--min-seeds", "5")
    assert res.exit_code == 1, res.output
    (request,) = fake_kind.requests
    assert request.results == results and request.min_seeds == 5
    assert request.profile == "smoke"


def test_run_refuses_a_recipe_whose_kind_is_not_registered(no_fanova: None,
                                                           tmp_path: Path) -> None:
    from nb1s.harness.errors import UserError

    res = invoke("run", "fig16", "--out", str(tmp_path / "r"), error=True)
    assert isinstance(res.exception, UserError)
    assert str(res.exception).startswith("recipe fig16 cannot run yet: ")
    assert "kind 'fanova' is not implemented in nb1s" in str(res.exception)
