"""Every experiment kind has the same internal layout (docs/architecture.md, "The layout of
a kind"): `kind.py` only adapts it to the `ExperimentKind` interface, `reproduce.py` holds
the flow (reproduce and diff), `view.py` renders, `documents.py` types what it reads,
writes and answers. The import direction between them is import-linter's "One layout"
contract (tests/test_import_graph.py); this file checks the shape of the modules."""

from __future__ import annotations

import ast
import importlib
import shutil
from pathlib import Path

import pytest

from nb1s.harness.experiments.registry import KINDS

REQUIRED = ("kind.py", "reproduce.py", "view.py", "documents.py")
#: what `kind.py` may import at module level: the interface, nothing heavy (`nb1s ls`
#: and `nb1s validate` import every kind)
LIGHT = ("__future__", "collections.abc", "typing", "nb1s.harness.experiments.kind",
         "nb1s.harness.experiments.result")
#: statements in a method of the adapter (imports and docstrings not counted)
MAX_STATEMENTS = 8


def kind_folders() -> dict[str, Path]:
    """recipe kind -> the folder of its package (from the registry)."""
    folders = {}
    for name, target in KINDS.items():
        package = target.split(":")[0].rsplit(".", 1)[0]
        folders[name] = Path(importlib.import_module(package).__path__[0])
    return folders


def _counted(body: list[ast.stmt]) -> int:
    """Statements of a function body, leaving out its docstring and imports."""
    return sum(1 for s in body if not isinstance(s, ast.Import | ast.ImportFrom)
               and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)))


def layout_problems(folder: Path) -> list[str]:
    """What in `folder` (one kind's package) breaks the layout, one line each."""
    problems = [f"{folder.name}: no {f}" for f in REQUIRED if not (folder / f).is_file()]
    if not (folder / "kind.py").is_file():
        return problems
    tree = ast.parse((folder / "kind.py").read_text(encoding="utf-8"))
    classes = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module not in LIGHT:
            problems.append(f"{folder.name}/kind.py imports {node.module} at module level")
        elif isinstance(node, ast.Import):
            problems.append(f"{folder.name}/kind.py imports "
                            f"{', '.join(a.name for a in node.names)} at module level")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            problems.append(f"{folder.name}/kind.py defines function {node.name}: logic "
                            "belongs in reproduce.py (or a module beside it)")
        elif isinstance(node, ast.ClassDef):
            classes.append(node)
    if len(classes) != 1:
        problems.append(f"{folder.name}/kind.py defines {len(classes)} classes, not one")
    for cls in classes:
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and _counted(item.body) > MAX_STATEMENTS:
                problems.append(f"{folder.name}/kind.py: {cls.name}.{item.name} has "
                                f"{_counted(item.body)} statements (at most {MAX_STATEMENTS}: "
                                "it delegates)")
            if isinstance(item, ast.FunctionDef) and item.name == "render":
                source = ast.unparse(item)
                if f"{folder.name}.view import" not in source:
                    problems.append(f"{folder.name}/kind.py: render does not delegate to "
                                    f"{folder.name}/view.py")
    return problems


def test_every_registered_kind_follows_the_layout() -> None:
    folders = kind_folders()
    assert set(folders) == set(KINDS) and len(folders) >= 8
    assert [p for f in folders.values() for p in layout_problems(f)] == []


def test_the_layout_contract_covers_every_registered_kind() -> None:
    import tomllib

    root = Path(__file__).resolve().parent.parent
    with (root / "pyproject.toml").open("rb") as fh:
        contracts = tomllib.load(fh)["tool"]["importlinter"]["contracts"]
    (layout,) = [c for c in contracts if c["name"].startswith("One layout")]
    packages = {t.split(":")[0].rsplit(".", 1)[0] for t in KINDS.values()}
    assert set(layout["containers"]) == packages
    assert layout["layers"] == ["kind", "reproduce", "view", "documents"]


@pytest.mark.parametrize(("change", "problem"), [
    (lambda f: (f / "view.py").unlink(), "blackbox: no view.py"),
    (lambda f: (f / "kind.py").write_text((f / "kind.py").read_text(encoding="utf-8")
                                          + "\n\ndef analyse() -> None:\n    pass\n",
                                          encoding="utf-8"),
     "blackbox/kind.py defines function analyse"),
    (lambda f: (f / "kind.py").write_text("import numpy as np\n" + (f / "kind.py").read_text(
        encoding="utf-8"), encoding="utf-8"), "blackbox/kind.py imports numpy at module level"),
    (lambda f: (f / "kind.py").write_text((f / "kind.py").read_text(encoding="utf-8").replace(
        "return reproduce_blackbox(request, on_start, on_done)",
        "a = 1\n        b = 2\n        c = 3\n        d = 4\n        e = 5\n        f = 6\n"
        "        g = 7\n        h = 8\n        return reproduce_blackbox(request, on_start, "
        "on_done)"), encoding="utf-8"), "BlackboxKind.reproduce has 9 statements"),
    (lambda f: (f / "kind.py").write_text((f / "kind.py").read_text(encoding="utf-8").replace(
        "from nb1s.harness.experiments.blackbox.view import render_blackbox",
        "from nb1s.harness.experiments.blackbox.plot import render_blackbox"),
        encoding="utf-8"), "render does not delegate to blackbox/view.py"),
])
def test_a_kind_that_leaves_the_layout_is_named(tmp_path: Path, change: object,
                                                 problem: str) -> None:
    folder = tmp_path / "blackbox"
    shutil.copytree(kind_folders()["blackbox"], folder)
    assert layout_problems(folder) == []
    change(folder)  # type: ignore[operator]
    assert any(problem in p for p in layout_problems(folder)), layout_problems(folder)
