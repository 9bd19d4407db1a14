"""One settings codec: typed value <-> `--set key=value` <-> run.json, for every key.

The plan writes `--set` text with it, `nb1s search` parses that text with it, and fig3's
snapshot rebuild reads a run's typed settings back from run.json with it. A value must
come back exactly (same type, same number) on every path, or a rebuilt supernet would
differ from the one that was trained.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nb1s.harness.errors import UserError
from nb1s.harness.recipe.catalog import recipe_files
from nb1s.harness.recipe.plan import plan_recipe
from nb1s.harness.recipe.schema import parse_recipe
from nb1s.harness.recipe.search_settings import (
    SETTINGS,
    TRACKING_KEYS,
    SettingError,
    SettingSpec,
    SettingValue,
    parse_set_arguments,
    set_arguments,
    settings_from_run,
)
from nb1s.optimizers.config import OPTION_SPECS, Hyperparameters


def _values(spec: SettingSpec) -> st.SearchStrategy[Any]:
    """Every value the key can hold (NaN excluded: it equals nothing, itself included)."""
    if spec.kind is bool:
        return st.booleans()
    if spec.kind is int:
        return st.integers(min_value=-(10**12), max_value=10**12)
    if spec.kind is float:
        return st.floats(allow_nan=False)
    if spec.kind is tuple:
        return st.lists(st.integers(min_value=0, max_value=10**6)).map(
            lambda epochs: tuple(sorted(set(epochs))))
    if spec.choices:
        return st.sampled_from(spec.choices)
    return st.text(min_size=1).filter(lambda s: s == s.strip())  # pragma: no cover


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _round_trips(spec: SettingSpec, value: SettingValue) -> bool:
    """`--set` text and run.json (through real JSON) both give the value back."""
    try:
        via_text = spec.parse(spec.format(value))
        via_json = spec.from_record(json.loads(json.dumps(spec.record(value))))
    except SettingError:
        return False
    return _same(via_text, value) and _same(via_json, value)


def test_every_hyperparameter_option_and_tracking_key_has_a_spec() -> None:
    assert {f.name for f in fields(Hyperparameters)} <= set(SETTINGS)
    assert set(OPTION_SPECS) <= set(SETTINGS)
    assert {"preset", *TRACKING_KEYS} <= set(SETTINGS)
    assert len(SETTINGS) == len(fields(Hyperparameters)) + len(OPTION_SPECS) + 1 + 2


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_every_key_round_trips_through_set_text_and_run_json(data: st.DataObject) -> None:
    for name, spec in SETTINGS.items():
        value = data.draw(_values(spec), label=name)
        assert _round_trips(spec, value), (name, value)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_whole_settings_dict_round_trips_through_set_arguments(data: st.DataObject) -> None:
    keys = data.draw(st.lists(st.sampled_from(sorted(SETTINGS)), unique=True), label="keys")
    values = {k: data.draw(_values(SETTINGS[k]), label=k) for k in keys}
    parsed = parse_set_arguments(set_arguments(values))
    assert parsed.keys() == values.keys()
    assert all(_same(parsed[k], values[k]) for k in keys)


def test_a_lossy_codec_is_caught() -> None:
    """The round-trip check can fail: a formatter that rounds floats does not pass it."""

    class Rounding(SettingSpec):
        def format(self, value: SettingValue) -> str:
            return f"{value:g}" if isinstance(value, float) else super().format(value)

    lossy = Rounding("learning_rate", "hyperparameter", float, 0.025)
    assert _round_trips(SETTINGS["learning_rate"], 0.0011765562944021056)
    assert not _round_trips(lossy, 0.0011765562944021056)
    assert not _round_trips(SETTINGS["cutout"], 1)  # an int is not a bool on the way back


def test_set_text_is_checked_per_key() -> None:
    assert parse_set_arguments(["cutout=YES", "layers= 3", "preset=paper"]) == {
        "cutout": True, "layers": 3, "preset": "paper"}
    with pytest.raises(UserError, match="expected int"):
        parse_set_arguments(["layers=3.0"])
    with pytest.raises(UserError, match="expected one of original, tf_decay"):
        parse_set_arguments(["bn_momentum=tf-decay"])
    with pytest.raises(UserError, match=r"unknown setting 'learning_rat' \(did you mean "
                                        r"'learning_rate'\?\)"):
        parse_set_arguments(["learning_rat=0.1"])
    with pytest.raises(UserError, match="key=value"):
        parse_set_arguments(["learning_rate"])
    # YAML 1.1 reads `1e-4` as text: taken as `--set` text would be, never anything else
    assert _same(SETTINGS["weight_decay"].coerce("1e-4"), 1e-4)
    with pytest.raises(SettingError, match="expected float"):
        SETTINGS["learning_rate"].coerce("fast")
    with pytest.raises(SettingError, match="expected int"):
        SETTINGS["layers"].coerce(3.0)
    with pytest.raises(SettingError, match="expected bool"):
        SETTINGS["cutout"].coerce(1)


def _planned_settings() -> list[tuple[str, str, int, dict[str, SettingValue]]]:
    """(recipe, optimizer, epochs, settings) of every distinct planned run, all recipes."""
    seen: dict[str, tuple[str, str, int, dict[str, SettingValue]]] = {}
    for f in recipe_files():
        recipe = parse_recipe(f)
        for profile in ("paper", *recipe.profiles):
            for protocol in ("paper", "original"):
                for run in plan_recipe(recipe, profile, protocol).runs:  # type: ignore[arg-type]
                    key = repr((run.optimizer, run.epochs, run.set_arguments()))
                    seen.setdefault(key, (recipe.name, run.optimizer, run.epochs,
                                          run.settings()))
    return list(seen.values())


def test_every_planned_run_parses_back_to_its_typed_settings() -> None:
    planned = _planned_settings()
    assert len(planned) > 50
    for name, _, _, values in planned:
        parsed = parse_set_arguments(set_arguments(values))
        assert all(_same(parsed[k], v) for k, v in values.items()), name


def test_a_run_json_rebuilds_the_settings_the_search_resolved() -> None:
    """The fig3 snapshot rebuild path: run.json -> typed settings -> the same search."""
    from nb1s.harness.search.runner import resolve_settings

    checked = 0
    for name, optimizer, epochs, values in _planned_settings():
        first = resolve_settings(optimizer, epochs, parse_set_arguments(set_arguments(values)))
        meta = json.loads(json.dumps({
            "hyperparameters": first.hp.as_dict(), "options": first.options_record(),
            "tracking": first.tracking_record({"reference": first.regret_reference})}))
        again = resolve_settings(optimizer, int(meta["hyperparameters"]["epochs"]),
                                 settings_from_run(meta))
        assert (again.hp, again.options, again.preset) == (first.hp, first.options,
                                                           first.preset), name
        assert (again.regret_reference, again.snapshot_epochs) == (
            first.regret_reference, first.snapshot_epochs), name
        checked += 1
    assert checked > 50


def test_a_run_json_with_an_unknown_setting_is_refused() -> None:
    with pytest.raises(SettingError, match=r"hyperparameters\.learning_rat"):
        settings_from_run({"hyperparameters": {"learning_rat": 0.1}})
    with pytest.raises(SettingError, match="expected bool"):
        settings_from_run({"hyperparameters": {"cutout": 2}})


def test_config_types_import_without_torch() -> None:
    """Planning and validating recipes need the pure config types only, never torch."""
    code = ("import sys\n"
            "import nb1s.optimizers.config\n"
            "from nb1s.optimizers import Hyperparameters, Options, OPTION_SPECS, RANGES\n"
            "from nb1s.optimizers.config import builtin_defaults, range_problems\n"
            "import nb1s.harness.recipe.search_settings, nb1s.harness.recipe.settings_check\n"
            "import nb1s.harness.recipe.plan, nb1s.harness.recipe.method_defaults\n"
            "from nb1s.harness.recipe.method_defaults import method_defaults\n"
            "assert method_defaults('gdas') == {'arch_grad_clip': 5.0}\n"
            "print(sorted(m for m in ('torch', 'torchvision') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_torch_names_still_load_from_the_package() -> None:
    import nb1s.optimizers as opt

    for name in opt.__all__:
        assert getattr(opt, name) is not None, name
    with pytest.raises(AttributeError):
        opt.no_such_name  # noqa: B018
    for entry in opt.BUILTIN_OPTIMIZERS:
        assert opt.get_method(entry.name).defaults == dict(entry.defaults), entry.name
    assert set(opt.BUILTIN_NAMES) <= set(opt.method_names())
