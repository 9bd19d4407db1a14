"""One plan type for every kind (issue 19, item 2): keyword-only construction, one header
decided once from the profile, and `plan.json` read and written as that same type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from nb1s.harness.errors import UserError
from nb1s.harness.experiments.dispatch import plan_for
from nb1s.harness.experiments.registry import KINDS, kind_for
from nb1s.harness.recipe.catalog import load_recipe, recipe_files
from nb1s.harness.recipe.plan import Plan, RunSpec, plan_header
from nb1s.harness.search import results_directory
from nb1s.harness.search.results_directory import ResultsDirectory


def test_plans_and_runs_are_built_by_keyword_only() -> None:
    with pytest.raises(TypeError):
        Plan("fig2", 1, "t", "search", "smoke", "paper")  # type: ignore[misc]
    with pytest.raises(TypeError):
        RunSpec("darts", "DARTS", "darts", 1, 0, 2)  # type: ignore[misc]
    plan = Plan(recipe="fig2", version=1, title="t", kind="search", profile="smoke",
                protocol="paper")
    with pytest.raises(TypeError, match="runz"):
        plan.but(runz=[])  # a misspelt field is an error, not an extra key
    with pytest.raises(ValidationError, match="profile"):
        plan.but(profile="smok")  # a changed field is validated like a new plan


def test_plan_json_is_the_plan_type_and_round_trips(tmp_path: Path) -> None:
    """What `nb1s run` writes reads back as the same `Plan` (no second plan.json model)."""
    from nb1s.harness.execution.runner import bind_results

    assert not hasattr(results_directory, "PlanDocument")
    plan = plan_for(load_recipe("fig3"), "smoke", "paper")
    bind_results(plan, tmp_path)
    read = ResultsDirectory(tmp_path).read_plan()
    assert type(read) is Plan and read.command == "run"
    assert read.as_dict() == {**json.loads(json.dumps(plan.as_dict())), "command": "run"}
    # snapshot epochs (a tuple in memory) come back as the tuple the runs are given
    assert read.runs == plan.runs and read.runs[0].tracking == plan.runs[0].tracking


def test_a_plan_without_its_header_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(json.dumps({"recipe": "fig2", "version": 3,
                                                    "runs": []}))
    with pytest.raises(UserError, match=r"plan.json is damaged or not a Plan document "
                                        r"\(title: Field required \(and 3 more\)\)"):
        ResultsDirectory(tmp_path).read_plan()
    good = {"recipe": "fig2", "version": 3, "title": "t", "kind": "search",
            "profile": "paper", "protocol": "paper", "runs": [{
                "variant": "darts", "label": "DARTS", "optimizer": "darts", "space": 1,
                "seed": 0, "epochs": 50, "hyperparameters": {"learning_rate": "0.1"}}]}
    (tmp_path / "plan.json").write_text(json.dumps(good))
    with pytest.raises(UserError, match=r"runs\.0\.hyperparameters\.learning_rate"):
        ResultsDirectory(tmp_path).read_plan()  # a number stored as a string


def _every_kind_and_profile() -> list[tuple[str, str]]:
    out = []
    for path in recipe_files():
        name = path.stem
        recipe = load_recipe(name)
        if recipe.kind not in KINDS:
            continue
        profiles = set(kind_for(recipe.kind).profiles) | set(recipe.profiles)
        out += [(name, p) for p in sorted(profiles)]
    return out


@pytest.mark.parametrize(("name", "profile"), _every_kind_and_profile())
def test_every_kind_plans_on_the_one_header(name: str, profile: str) -> None:
    """Identity, labels, synthetic data and the profile's settings come from `plan_header`
    for every kind: a kind may add to the header's settings but never drop or redecide
    them."""
    recipe = load_recipe(name)
    header = plan_header(recipe, profile, "paper", needs_block=False)  # type: ignore[arg-type]
    plan = plan_for(recipe, profile, "paper")  # type: ignore[arg-type]
    for key in ("recipe", "version", "title", "kind", "profile", "protocol", "labels"):
        assert getattr(plan, key) == getattr(header, key), key
    assert plan.data.synthetic == header.data.synthetic == (profile == "smoke")
    assert plan.profile_block == header.profile_block
    if header.profile_block is not None:
        for key, value in header.profile_block.settings.items():
            assert plan.settings[key] == value, key


def test_the_header_applies_the_smoke_block_once() -> None:
    recipe = load_recipe("fig16")
    paper, smoke = plan_header(recipe, "paper"), plan_header(recipe, "smoke")
    assert paper.labels == [] and paper.profile_block is None
    assert smoke.labels == ["smoke", "synthetic"] and smoke.profile_block is not None
    changed = smoke.profile_block.settings
    assert changed and all(smoke.settings[k] == v for k, v in changed.items())
    assert any(paper.settings.get(k) != v for k, v in changed.items())
    with pytest.raises(UserError, match="has no smoke profile"):
        plan_header(load_recipe("fig6"), "smoke")
    assert plan_header(load_recipe("fig6"), "smoke", needs_block=False).data.synthetic
