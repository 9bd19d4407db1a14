"""The `nb1s` commands are module-level functions: importable and callable without Typer,
and registered with exactly the options their signature declares."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
import typer

from nb1s.harness.cli import recipe_cmd, reproduce_cmd
from nb1s.harness.cli.app import app
from nb1s.harness.experiments.result import EXIT_CANNOT_RUN


def test_every_registered_command_is_a_module_level_function() -> None:
    """No command is a closure inside `register(app)`: each one's qualified name is its own
    name in its module, so a test can import it."""
    import importlib

    commands = [c.callback for c in app.registered_commands]
    commands += [c.callback for g in app.registered_groups if g.typer_instance
                 for c in g.typer_instance.registered_commands]
    assert len(commands) >= 17
    for command in commands:
        assert command is not None
        assert "<locals>" not in command.__qualname__, command.__qualname__
        module = importlib.import_module(command.__module__)
        assert getattr(module, command.__name__).__qualname__ == command.__qualname__


def test_ls_called_directly_lists_the_recipes(capsys: pytest.CaptureFixture[str]) -> None:
    recipe_cmd.ls_command(as_json=True)
    listing = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in listing["recipes"]}
    assert {"fig2", "fig5", "blackbox", "table1"} <= names


def test_diff_called_directly_refuses_a_folder_without_a_plan(tmp_path: Path) -> None:
    from nb1s.harness.errors import UserError

    with pytest.raises(UserError, match="is not a results folder"):
        recipe_cmd.diff_command(tmp_path, against=None, report=None, min_seeds=None,
                                margin=None, allow_undecided=False, as_json=True)


def test_reproduce_called_directly_exits_with_the_results_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The plain function (not Typer's wrapper) takes an `ExecutionOptions`; an
    unregistered kind answers cannot-run and the command exits 3."""
    from nb1s.harness.execution.options import ExecutionOptions
    from nb1s.harness.experiments import registry

    monkeypatch.delitem(registry.KINDS, "fanova")
    params = inspect.signature(reproduce_cmd.reproduce_command).parameters
    assert params["execution"].annotation in (ExecutionOptions, "ExecutionOptions")
    with pytest.raises(typer.Exit) as stop:
        reproduce_cmd.reproduce_command(
            "fig16", profile="smoke", protocol="paper", out=tmp_path / "r", seeds=None,
            execution=ExecutionOptions(), against=None, store_reference=False, note="",
            allow_undecided=False, configuration_from=None, configuration_space=None,
            time_axis=None, smac_model=None, bohb_results=None, as_json=True)
    assert stop.value.exit_code == EXIT_CANNOT_RUN
    assert json.loads(capsys.readouterr().out)["status"] == "cannot-run"
