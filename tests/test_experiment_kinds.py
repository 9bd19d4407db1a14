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
from nb1s.harness.errors import UserError
from nb1s.harness.experiments import registry
from nb1s.harness.experiments.dispatch import exit_code_for, kind_problems, plan_for
from nb1s.harness.experiments.kind import KindBase, Request, Result, Shown
from nb1s.harness.experiments.registry import kind_for
from nb1s.harness.experiments.result import KindResult, Reproduced, diff_result
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
        return KindResult.reproduced(Reproduced.model_validate({
            "recipe": request.recipe.name, "profile": request.profile,
            "protocol": request.protocol, "status": "complete",
            "results": str(request.results),
            "diff": {"verdict": {"status": FakeKind.verdict, "line": "fake verdict"}}}))

    def render(self, result: Shown) -> None:
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


def _reproduced(status: str, verdict: str | None) -> KindResult[Any]:
    """A reproduction's result as a kind builds it from its typed document."""
    diff = None if verdict is None else {"json": "d.json", "markdown": "d.md",
                                         "verdict": {"status": verdict, "line": verdict}}
    return KindResult.reproduced(Reproduced.model_validate(
        {"recipe": "fig2", "profile": "smoke", "protocol": "paper", "status": status,
         "results": "r", **({"diff": diff} if diff else {})}))


@pytest.mark.parametrize(("status", "verdict", "code", "undecided_code"), [
    ("complete", "pass", 0, 0), ("complete", "fail", 1, 1), ("complete", "no-decision", 4, 0),
    ("complete", "consistent", 0, 0), ("complete", "not-checkable", 0, 0),
    ("complete", "no-reference", 0, 0), ("partial", "fail", 1, 1), ("partial", "pass", 0, 0),
    ("failed-runs", "pass", 1, 1), ("failed-runs", None, 1, 1), ("interrupted", None, 0, 0),
])
def test_exit_code_is_read_from_the_kind_result(status: str, verdict: str | None, code: int,
                                                undecided_code: int) -> None:
    result = _reproduced(status, verdict)
    assert (result.status, result.verdict) == (status, verdict)
    assert exit_code_for(result) == code
    assert exit_code_for(result, allow_undecided=True) == undecided_code


def test_cannot_run_and_diffed_results_have_their_exit_codes(tmp_path: Path) -> None:
    recipe = parse_recipe(recipes_dir() / "fig16.yaml")
    blocked = [{"variant": "v", "label": "l", "reason": "r"}]
    answer = KindResult.cannot_run(recipe, blocked, tmp_path, profile="smoke")
    assert exit_code_for(answer) == 3 and answer.to_json()["blocked"] == blocked
    # the exit code follows the typed verdict, not which keys the document holds
    diff = {"aggregate": {"recipe": "fig2", "version": 1, "labels": ["smoke"]},
            "reference": "none", "tolerances": {}, "rows": [],
            "verdict": {"status": "fail", "line": "FAIL"}}
    failed = diff_result(diff, tmp_path)
    assert (failed.status, failed.verdict, failed.labels) == ("diffed", "fail", ["smoke"])
    assert exit_code_for(failed) == 1 and failed.to_json() == diff
    undecided = diff_result({**diff, "verdict": {"status": "no-decision"}}, tmp_path)
    assert exit_code_for(undecided) == 4 and exit_code_for(undecided, True) == 0
    with pytest.raises(UserError, match="unknown verdict status 'maybe'"):
        diff_result({**diff, "verdict": {"status": "maybe"}}, tmp_path)


def test_a_result_document_that_does_not_match_its_model_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):  # a typo'd status never reaches the exit code
        _reproduced("compelte", "pass")
    with pytest.raises(ValidationError):  # strict: a verdict must be a Verdict document
        Reproduced.model_validate({"recipe": "fig2", "profile": "p", "protocol": "p",
                                   "status": "complete", "diff": {"verdict": "pass"}})


def test_table1_fails_through_its_verdict_when_a_count_is_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.experiments.table1 import reproduce as report

    request = Request(parse_recipe(recipes_dir() / "table1.yaml"), "paper", "paper",
                      Path("unused"))
    real = report.reproduce_table1
    monkeypatch.setattr(report, "reproduce_table1", lambda: {**real([1]), "ok": False})
    result = kind_for("enumeration").reproduce(request)
    assert (result.status, result.verdict, exit_code_for(result)) == ("complete", "fail", 1)
    assert result.to_json()["ok"] is False and "1" in result.to_json()


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
        return diff_result({"aggregate": {"recipe": "fig16", "version": 1}, "reference": "none",
                            "tolerances": {}, "rows": [], "notes": [],
                            "verdict": {"status": FakeKind.verdict, "line": "x"}},
                           request.results)

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
