"""Adding an optimizer is one small registered class; every switch is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
import torch

from nb1s.enumerate import get_space
from nb1s.optimizers import (
    BUILTIN_NAMES,
    METHODS,
    OPTION_SPECS,
    GumbelMixing,
    Hyperparameters,
    OneShotMethod,
    OneShotSearch,
    Options,
    get_method,
    method_names,
    register_method,
)
from nb1s.optimizers.mixing import Mixing

OPTIONS_DOC = Path(__file__).resolve().parents[1] / "docs" / "paper-vs-code.md"


class _Batches:
    """Random tensors standing in for the harness's data."""

    def __init__(self) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(4, 3, 32, 32, generator=g)
        self.y = torch.randint(0, 10, (4,), generator=g)

    def train_pairs(self, epoch: int, epochs: int) -> Any:
        return [((self.x, self.y), (self.x, self.y))] * 2

    def eval_batches(self, epoch: int) -> Any:
        return [(self.x, self.y)]


def test_a_user_optimizer_is_one_small_class() -> None:
    @register_method
    class SoftGumbel(OneShotMethod):
        name = "test-soft-gumbel"
        defaults: ClassVar[dict[str, Any]] = {"tau_max": 2.0, "tau_min": 0.5}

        def make_mixing(self, hp: Hyperparameters) -> Mixing:
            return GumbelMixing(hp.tau_max, skip_unsampled=False)

        def temperature(self, hp: Hyperparameters, epoch: float) -> float | None:
            return hp.tau_max - (hp.tau_max - hp.tau_min) * epoch / hp.epochs

    try:
        method = get_method("test-soft-gumbel")
        hp = method.hyperparameters(epochs=2, init_channels=4, layers=3)
        assert hp.tau_max == 2.0
        search = OneShotSearch(method, get_space(3), hp, Options(), seed=0)
        seen: list[tuple[int, float | None]] = []
        search.run(_Batches(), lambda r, s: seen.append((r.epoch, r.temperature)))
        assert seen == [(0, None), (1, pytest.approx(2.0)), (2, pytest.approx(1.25))]
        with pytest.raises(ValueError, match="already registered"):
            register_method(type("Other", (OneShotMethod,), {"name": "test-soft-gumbel"}))
    finally:
        METHODS.pop("test-soft-gumbel", None)


def test_docs_table_documents_every_option() -> None:
    text = OPTIONS_DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(OPTION_SPECS)
    assert set(Options().as_dict()) == set(OPTION_SPECS)


# --- the one list of built-in optimizers ------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]


def test_registry_holds_exactly_the_listed_builtins() -> None:
    from nb1s.optimizers.builtin import BUILTIN_OPTIMIZERS

    assert set(BUILTIN_NAMES) <= set(method_names())
    for entry in BUILTIN_OPTIMIZERS:
        assert METHODS[entry.name].__module__ == f"nb1s.optimizers.{entry.module}"
    shipped = {name for name, cls in METHODS.items()
               if cls.__module__.startswith("nb1s.optimizers.")}
    assert shipped == set(BUILTIN_NAMES)


def test_registry_imports_no_method_module() -> None:
    """The registry finds the built-ins through the list, so no import cycle runs
    registry -> method module -> registry."""
    import ast

    from nb1s.optimizers.builtin import builtin_modules

    tree = ast.parse((ROOT / "optimizers" / "registry.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names} | {
        (node.module or "").lstrip(".") for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)}
    assert not imported & set(builtin_modules())


def test_search_help_names_every_builtin() -> None:
    from typer.testing import CliRunner

    from nb1s.harness.cli.app import app

    result = CliRunner().invoke(app, ["search", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in BUILTIN_NAMES:
        assert re.search(rf"\b{name}\b", result.output), name
    assert "enas or fixed." in result.output


def test_plot_styles_come_from_one_table() -> None:
    """Every built-in one-shot optimizer except `fixed` has one style, distinct from every
    other optimizer's, and the BOHB-tuned curve of an optimizer shares it (issue 21)."""
    from nb1s.harness.report.styles import style_of, styles

    named = [n for n in BUILTIN_NAMES if n != "fixed"]
    assert all(style_of(n) is not None for n in named)
    assert style_of("fixed") is None  # takes the palette's colour
    colours = [s.color for s in styles().values()]
    assert len(set(colours)) == len(colours)
    assert style_of("BOHB-PC-DARTS") == style_of("pcdarts")
    # fig5's curve labels and their styles come from the same entries (no second table)
    from nb1s.harness.experiments.bohb.settings import LABELS

    assert LABELS["pcdarts"] == "BOHB-PC-DARTS"
    assert all(style_of(label) == style_of(name) for name, label in LABELS.items())
    assert style_of("RE") != style_of("enas")


def test_run_schema_doc_names_every_builtin() -> None:
    text = (ROOT / "docs" / "run-schema.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `optimizer` |"))
    assert re.findall(r"`([a-z0-9_]+)`", row)[1:] == list(BUILTIN_NAMES)


# --- declared search-loop hooks -----------------------------------------------------------
def test_loop_hooks_are_declared_not_probed() -> None:
    """Every update rule has the hooks (no-op unless overridden) and every mixing says
    whether it skips ops, so the loop calls them without getattr/hasattr."""
    from nb1s.optimizers.enas import ControllerSampling
    from nb1s.optimizers.updates import ArchUpdate, FirstOrder

    source = (ROOT / "optimizers" / "search_loop.py").read_text(encoding="utf-8")
    assert "getattr(" not in source and "hasattr(" not in source
    plain = FirstOrder()
    assert plain.state_dict() is None
    plain.load_state_dict({})
    plain.end_epoch(None, None, 1)  # type: ignore[arg-type]  (does nothing)
    assert ControllerSampling.end_epoch is not ArchUpdate.end_epoch
    assert ControllerSampling.state_dict is not ArchUpdate.state_dict
    with pytest.raises(TypeError):
        ArchUpdate()  # type: ignore[abstract]  (a rule must implement `step`)
    for name in BUILTIN_NAMES:
        method = get_method(name)
        hp = method.hyperparameters(init_channels=4, layers=3)
        assert isinstance(method.make_update(hp), ArchUpdate), name
        assert isinstance(method.make_mixing(hp).skip_unsampled, bool), name


def test_only_rules_with_state_are_checkpointed() -> None:
    search = OneShotSearch(get_method("darts"), get_space(1),
                           get_method("darts").hyperparameters(init_channels=4, layers=3),
                           Options(), seed=0)
    assert "update" not in search.state_dict()
    enas = get_method("enas")
    search = OneShotSearch(enas, get_space(1), enas.hyperparameters(init_channels=4, layers=3),
                           Options(), seed=0)
    assert search.state_dict()["update"] == {"baseline": 0.0, "child_steps": 0}


def test_method_defaults_are_the_builtin_entries() -> None:
    """The torch-free defaults are declared on the built-in entries (optimizers/builtin.py);
    a name that is not a built-in has none, loudly (no empty default)."""
    from nb1s.optimizers.config.method_defaults import builtin_defaults

    assert builtin_defaults("gdas") == {"epochs": 100, "arch_grad_clip": 5.0}
    assert builtin_defaults("darts") == {}
    with pytest.raises(KeyError, match="not a built-in"):
        builtin_defaults("gdass")
