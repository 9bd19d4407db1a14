"""The import graph runs top-down along the data flow (pyproject's import-linter contracts).

`make lint` runs `lint-imports` on the tree; these tests run the same contracts from the
same configuration, and show that each contract type breaks when an import goes the wrong way
(the probe imports are added to an in-memory copy of the graph, never to the source tree).
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract

ROOT = Path(__file__).resolve().parents[1]
configuration.configure()  # the contracts read importlinter's settings (timer, ...)
TYPES: dict[str, type[Contract]] = {"layers": LayersContract, "independence": IndependenceContract,
         "forbidden": ForbiddenContract}


def _config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        section: dict[str, Any] = tomllib.load(fh)["tool"]["importlinter"]
    return section


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    cfg = _config()
    return grimp.build_graph(cfg["root_package"], cache_dir=None,
                             include_external_packages=cfg["include_external_packages"])


def _check(graph: grimp.ImportGraph, name_part: str) -> bool:
    cfg = _config()
    (spec,) = [c for c in cfg["contracts"] if name_part in c["name"]]
    options = {k: v for k, v in spec.items() if k not in ("name", "type")}
    session = {"root_packages": [cfg["root_package"]], "include_external_packages": True}
    kind = TYPES[spec["type"]]
    contract = kind(spec["name"], session, options)
    return bool(contract.check(copy.deepcopy(graph), verbose=False).kept)


def test_every_contract_is_kept(graph: grimp.ImportGraph) -> None:
    names = [c["name"] for c in _config()["contracts"]]
    assert len(names) >= 5
    broken = [n for n in names if not _check(graph, n)]
    assert broken == []


@pytest.mark.parametrize(("name_part", "importer", "imported"), [
    ("Three layers", "nb1s.optimizers.darts", "nb1s.harness.search.runner"),
    ("Three layers", "nb1s.enumerate.spaces", "nb1s.optimizers.ops"),
    ("data flow", "nb1s.harness.recipe.schema", "nb1s.harness.cli.app"),
    ("data flow", "nb1s.harness.search.runner", "nb1s.harness.experiments.registry"),
    ("data flow", "nb1s.harness.nb101.store", "nb1s.harness.images.cifar"),
    ("independent", "nb1s.harness.experiments.proxy.compute",
     "nb1s.harness.experiments.correlation.compute"),
    ("no torch", "nb1s.enumerate.spaces", "torch"),
    ("pure configuration", "nb1s.optimizers.config.options", "torch"),
    ("optimizers never", "nb1s.optimizers.darts", "yaml"),
    ("One layout", "nb1s.harness.experiments.blackbox.view",
     "nb1s.harness.experiments.blackbox.reproduce"),
    ("One layout", "nb1s.harness.experiments.bohb.reproduce",
     "nb1s.harness.experiments.bohb.kind"),
    ("One layout", "nb1s.harness.experiments.correlation.documents",
     "nb1s.harness.experiments.correlation.view"),
])
def test_a_wrong_way_import_breaks_its_contract(graph: grimp.ImportGraph, name_part: str,
                                                importer: str, imported: str) -> None:
    assert _check(graph, name_part)
    probe = copy.deepcopy(graph)
    probe.add_import(importer=importer, imported=imported)
    assert not _check(probe, name_part)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Module-level import cycles (strongly connected components of more than one module)."""
    import networkx as nx

    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    return [sorted(c) for c in nx.strongly_connected_components(edges) if len(c) > 1]


def test_no_module_imports_itself_through_a_cycle() -> None:
    """No runtime import cycle anywhere in nb1s (imports under TYPE_CHECKING only type)."""
    graph = grimp.build_graph("nb1s", exclude_type_checking_imports=True, cache_dir=None)
    assert _cycles(graph) == []
    probe = copy.deepcopy(graph)
    probe.add_import(importer="nb1s.harness.recipe.plan", imported="nb1s.harness.recipe.catalog")
    probe.add_import(importer="nb1s.harness.recipe.catalog", imported="nb1s.harness.recipe.plan")
    assert _cycles(probe) == [["nb1s.harness.recipe.catalog", "nb1s.harness.recipe.plan"]]


def _kinds() -> list[str]:
    """The experiment kinds of the independence contract (dotted package names)."""
    (spec,) = [c for c in _config()["contracts"] if c["type"] == "independence"]
    return list(spec["modules"])


def _named_modules(source: str) -> list[str]:
    """Dotted `nb1s.` names in the string literals of `source`, docstrings left out.

    An `importlib.import_module("nb1s...")` (or an f-string building one) is invisible to
    the import graph; a literal naming a module is how such an import shows in the source.
    """
    import ast

    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and node.value.startswith("nb1s.")]


def _crossings(graph: grimp.ImportGraph, sources: dict[str, str]) -> list[str]:
    """`importer -> imported` for every module of one kind that imports another kind,
    statically (the graph) or by a module name in a string (`sources`: module -> text)."""
    kinds = _kinds()
    out = []
    for kind in kinds:
        others = [k for k in kinds if k != kind]
        for module in sorted(graph.find_descendants(kind) | {kind}):
            named = _named_modules(sources.get(module, ""))
            for imported in sorted(graph.find_modules_directly_imported_by(module) | set(named)):
                if any(imported == o or imported.startswith(o + ".") for o in others):
                    out.append(f"{module} -> {imported}")
    return out


def _kind_sources(graph: grimp.ImportGraph) -> dict[str, str]:
    sources = {}
    for kind in _kinds():
        for module in graph.find_descendants(kind) | {kind}:
            path = ROOT / Path(*module.split(".")[1:])
            file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
            sources[module] = file.read_text(encoding="utf-8")
    return sources


def test_no_kind_imports_another_kind_not_even_by_name(graph: grimp.ImportGraph) -> None:
    """Kinds share code only through modules below them (harness/blackbox_runs/ for the
    black-box records of fig5/14/15), never by importing each other, statically or through
    `importlib` with a module name the import-linter contract cannot see."""
    sources = _kind_sources(graph)
    assert len(sources) > 20 and "nb1s.harness.experiments.bohb.blackbox_adapter" in sources
    assert _crossings(graph, sources) == []
    # a static import between two kinds is found
    probe = copy.deepcopy(graph)
    probe.add_import(importer="nb1s.harness.experiments.bohb.kind",
                     imported="nb1s.harness.experiments.blackbox.kind")
    assert _crossings(probe, sources) == [
        "nb1s.harness.experiments.bohb.kind -> nb1s.harness.experiments.blackbox.kind"]
    # and so is one by name through importlib (an f-string too), which the graph misses
    hidden = dict(sources)
    hidden["nb1s.harness.experiments.bohb.blackbox_adapter"] += (
        '\n\ndef _m(name):\n    """nb1s.harness.experiments.blackbox is only named here."""\n'
        '    return importlib.import_module(f"nb1s.harness.experiments.blackbox.{name}")\n')
    assert _crossings(graph, hidden) == [
        "nb1s.harness.experiments.bohb.blackbox_adapter -> nb1s.harness.experiments.blackbox."]
