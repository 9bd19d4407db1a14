"""No recipe silently replaces a method default the original never varied (issue 8, defect 1).

fig4 v1 and table2 v1 gave GDAS the shared `arch_grad_clip: 0.0` (DARTS's value), so 90
fig4/12/13 runs and the 12 transferred GDAS runs of Table 2 trained without GDAS's
architecture-gradient clip 5. The check resolves every run of every shipped recipe under
both protocols; the perturbed copies show it (and `nb1s validate`) catching exactly that.
"""

from __future__ import annotations

from pathlib import Path

from nb1s.harness.cli.recipe_cmd import validate_files
from nb1s.harness.recipe.catalog import recipe_files, recipes_dir
from nb1s.harness.recipe.method_defaults import default_overrides, method_defaults
from nb1s.harness.recipe.plan import plan_recipe
from nb1s.harness.recipe.schema import parse_recipe
from nb1s.optimizers import Hyperparameters, get_method

PIN = ("        arch_grad_clip: {value: 5.0, source: \"optimizers/gdas/architect.py: "
       "ArchitectGDAS clips the architecture gradient to norm 5 (grad_clip default), in "
       "every GDAS run\"}\n")


def test_original_method_defaults() -> None:
    assert method_defaults("gdas") == {"arch_grad_clip": 5.0}
    assert method_defaults("random_ws") == {"batch_size": 64, "grad_clip": 0.25}
    assert method_defaults("enas") == {"batch_size": 64, "grad_clip": 0.25,
                                       "weight_decay": 1e-4, "selection_batches": 1}
    assert method_defaults("no-such-optimizer") is None


def test_no_shipped_recipe_overrides_a_method_default() -> None:
    checked = 0
    for f in recipe_files():
        recipe = parse_recipe(f)
        assert default_overrides(recipe) == [], f.name
        for protocol in ("paper", "original"):
            for run in plan_recipe(recipe, "paper", protocol).runs:
                if run.optimizer == "gdas":
                    known = {k: v for k, v in run.hyperparameters.items()
                             if k in Hyperparameters.field_types()}
                    hp = get_method("gdas").hyperparameters(**known)
                    assert hp.arch_grad_clip == 5.0, (f.name, run.key)
                    checked += 1
    assert checked >= 2 * 90 + 2 * 24  # fig4 (both protocols) and table2's GDAS runs


def _without_pin(tmp_path: Path, name: str) -> Path:
    text = (recipes_dir() / f"{name}.yaml").read_text()
    assert PIN in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(PIN, ""))
    return path


def test_shared_value_replacing_the_gdas_clip_is_caught(tmp_path: Path) -> None:
    path = _without_pin(tmp_path, "fig4")
    found = default_overrides(parse_recipe(path))
    assert {(o.variant, o.name, o.value, o.default) for o in found} == {
        (f"gdas-wd{wd}", "arch_grad_clip", 0.0, 5.0)
        for wd in ("1e-4", "3e-4", "9e-4", "27e-4", "81e-4")}
    assert {o.protocol for o in found} == {"paper", "original"}
    result = validate_files(str(path))
    assert not result["ok"]
    (problem,) = result["files"][0]["problems"]
    assert "search.hyperparameters.arch_grad_clip" in problem and "gdas-wd27e-4" in problem


def test_table2_transferred_gdas_is_caught_too(tmp_path: Path) -> None:
    found = default_overrides(parse_recipe(_without_pin(tmp_path, "table2")))
    assert [(o.variant, o.name) for o in found] == [("gdas-transferred", "arch_grad_clip")] * 2


def test_a_variant_may_pin_a_different_value(tmp_path: Path) -> None:
    """Deliberate and sourced: a variant that sets the value itself is not reported."""
    text = (recipes_dir() / "table2.yaml").read_text()
    path = tmp_path / "table2.yaml"
    path.write_text(text.replace(PIN, PIN.replace("5.0", "1.0"), 1))
    assert default_overrides(parse_recipe(path)) == []
