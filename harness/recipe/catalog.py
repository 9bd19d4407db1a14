"""Where recipes live and how a name (or alias such as `fig12`) finds its file.

Recipes are data kept at the repository's top level (`recipes/`), so that users read and
edit them like any config; the wheel ships the same files as `nb1s/recipes`.
`NB1S_RECIPES_DIR` points nb1s at another folder (the Docker image uses it for its copy).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nb1s.harness.errors import UserError
from nb1s.harness.recipe.schema import Recipe, RecipeError, parse_recipe

ENV_VAR = "NB1S_RECIPES_DIR"


def recipes_dir() -> Path:
    """The recipe folder: `$NB1S_RECIPES_DIR`, else the recipes shipped with nb1s.

    In a source checkout that is the top-level `recipes/`; in an installed wheel it is the
    `nb1s/recipes` package data (the same files, linked into the package at build time).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    # Checkout: harness/ is linked into nb1s/ and resolve() lands in the source tree, beside
    # recipes/. Wheel: nb1s/harness/../recipes is the packaged copy.
    return Path(__file__).resolve().parents[2] / "recipes"


def recipe_files(folder: Path | None = None) -> list[Path]:
    """Every recipe file, sorted by name."""
    root = folder or recipes_dir()
    if not root.is_dir():
        raise UserError(f"recipe folder {root} does not exist (set {ENV_VAR})")
    return sorted(root.glob("*.yaml"), key=_natural)


def _natural(path: Path) -> tuple[str, int, str]:
    """table1 < fig2 < fig10: kind first (tables, then figures), then the number."""
    match = re.fullmatch(r"([a-z]+)(\d*)(.*)", path.stem)
    if match is None:
        return (path.stem, 0, "")
    prefix, number, rest = match.groups()
    return ("0" if prefix == "table" else prefix, int(number or 0), rest)


def find_recipe_file(name_or_path: str, folder: Path | None = None) -> Path:
    """A recipe file from a path, a name (`fig2`) or an alias (`fig12` -> fig4).

    Aliases are read from the recipes themselves; a broken recipe never hides another.
    """
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return candidate
    files = recipe_files(folder)
    for f in files:
        if f.stem == name_or_path:
            return f
    for f in files:
        try:
            recipe = parse_recipe(f)
        except RecipeError:
            continue
        if name_or_path in recipe.aliases:
            return f
    names = ", ".join(f.stem for f in files)
    raise UserError(f"unknown recipe {name_or_path!r}; available: {names}")


def load_recipe(name_or_path: str, folder: Path | None = None) -> Recipe:
    """Find and validate a recipe; a broken one is a `UserError` with its first problem."""
    path = find_recipe_file(name_or_path, folder)
    try:
        return parse_recipe(path)
    except RecipeError as exc:
        first = exc.problems[0]
        more = f" (+{len(exc.problems) - 1} more; run `nb1s validate`)" if len(exc.problems) > 1 \
            else ""
        raise UserError(f"invalid recipe: {first}{more}") from None
