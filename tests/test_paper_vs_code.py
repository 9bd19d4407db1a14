"""The `paper` side of every switch: only what the paper states (issue 8, defects 3 and 4).

Rule: a switch's `paper` value differs from `original` only where the paper's text states
something, quoted in `paper_source`; where the paper is silent it keeps the released
code's value and the other value stays available by name. The shipped recipes' paper
protocol must follow the same rule, and docs/paper-vs-code.md must list every switch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nb1s.harness.images.device_batches import cutout_probability
from nb1s.harness.recipe.catalog import recipe_files
from nb1s.harness.recipe.plan import plan_recipe
from nb1s.harness.recipe.schema import parse_recipe
from nb1s.optimizers import Hyperparameters, Options
from nb1s.optimizers.config.options import OPTION_SPECS, PAPER_SILENT, OptionSpec

DOCS = Path(__file__).resolve().parent.parent / "docs" / "paper-vs-code.md"
#: the switches on which the paper's text decides against the released code
PAPER_DECIDES = {"downsample_padding", "subnet_forward", "enas_lr_schedule"}


def _follows_rule(spec: OptionSpec) -> bool:
    silent = spec.paper_source.startswith(PAPER_SILENT)
    quoted = spec.paper_source.startswith(("§", "App.")) and '"' in spec.paper_source
    return (silent and spec.paper == spec.original) or (quoted and not silent)


def test_every_switch_follows_the_rule() -> None:
    assert all(_follows_rule(spec) for spec in OPTION_SPECS.values())
    flipped = {n for n, s in OPTION_SPECS.items() if s.paper != s.original}
    assert flipped == PAPER_DECIDES
    for name in ("bn_momentum", "op_bn_affine", "data_split", "cutout_schedule",
                 "eval_augmentation", "lr_schedule", "zero_grad"):
        assert OPTION_SPECS[name].paper_source.startswith(PAPER_SILENT), name
        assert len(OPTION_SPECS[name].values) == 2  # the other value stays available


@pytest.mark.parametrize("spec", [
    OptionSpec("bn_momentum", {"original": "", "tf_decay": ""}, paper="tf_decay",
               original="original", paper_source=PAPER_SILENT),
    OptionSpec("cutout_schedule", {"original": "", "ramp": ""}, paper="ramp",
               original="original", paper_source="the DARTS script's logged ramp"),
])
def test_the_rule_rejects_an_unquoted_paper_value(spec: OptionSpec) -> None:
    """The two defects of the first version: a `paper` value the paper never states."""
    assert not _follows_rule(spec)


def test_cutout_is_constant_under_both_presets() -> None:
    """Defect 4: no ramp under `paper` (no original optimizer applied one)."""
    hp = Hyperparameters(epochs=5, cutout=True, cutout_prob=0.6)
    for preset in ("paper", "original"):
        options = Options.preset(preset)
        assert [cutout_probability(hp, options, e) for e in range(5)] == [0.6] * 5
    ramp = Options().with_values(cutout_schedule="ramp")
    assert cutout_probability(hp, ramp, 0) == 0.0  # available by name, never by default


def test_recipes_paper_protocol_follows_the_rule() -> None:
    paper = Options.preset("paper").as_dict()
    checked = 0
    for f in recipe_files():
        recipe = parse_recipe(f)
        if recipe.search is None:
            continue
        for run in plan_recipe(recipe, "paper", "paper").runs:
            if "preset" in run.options:
                assert run.options["preset"] == "paper", f.name
            for name, value in run.options.items():
                if name in OPTION_SPECS:
                    assert value == paper[name], (f.name, name, value)
                    checked += 1
    assert checked > 0


def test_docs_table_lists_every_switch() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, spec in OPTION_SPECS.items():
        assert f"`{name}`" in text, name
        for value in spec.values:
            assert f"`{value}`" in text, (name, value)
