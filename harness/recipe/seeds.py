"""`--seeds`: run a recipe with other seeds than it pins (e.g. enough for a verdict).

A verdict needs seeds (docs/verdicts.md: at CV 0.5 a x2 change is shown with 8-12 seeds
per side), while a recipe pins the paper's (or the smoke profile's few). The override
replaces the recipe's seeds for this invocation and says so in every run's `sources`
("--seeds on the command line"), so a results folder records where its seeds came from.
The recipe identity (name, version, profile, protocol) is unchanged: runs with other
seeds of the same recipe are comparable, and the exact rule compares the common ones.
"""

from __future__ import annotations

from nb1s.harness.errors import UserError
from nb1s.harness.recipe.schema import Recipe, Sourced

SOURCE = "--seeds on the command line"
MAX_SEEDS = 1000


def parse_seeds(text: str) -> list[int]:
    """'0-5' / '0,1,2,7' / '0-3,10' -> sorted unique seeds; one clear error otherwise."""
    seeds: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise UserError(f"--seeds {text!r}: expected numbers like 0-5 or 0,1,2,7") from None
        if a < 0 or b < a:
            raise UserError(f"--seeds {text!r}: {part!r} is not a range of seeds >= 0")
        if b - a >= MAX_SEEDS:
            raise UserError(f"--seeds {text!r}: more than {MAX_SEEDS} seeds")
        seeds.update(range(a, b + 1))
    if len(seeds) > MAX_SEEDS:
        raise UserError(f"--seeds {text!r}: more than {MAX_SEEDS} seeds")
    return sorted(seeds)


def with_seeds(recipe: Recipe, seeds: list[int] | None) -> Recipe:
    """`recipe` with its search seeds (and its smoke profile's) replaced by `seeds`."""
    if seeds is None:
        return recipe
    if recipe.search is None:
        raise UserError(f"--seeds applies to recipes with searches; {recipe.name!r} has none")
    search = recipe.search.model_copy(update={"seeds": Sourced[list[int]](value=seeds,
                                                                          source=SOURCE)})
    profiles = {name: prof.model_copy(update={"seeds": seeds})
                for name, prof in recipe.profiles.items()}
    return recipe.model_copy(update={"search": search, "profiles": profiles})


def format_seeds(seeds: list[int]) -> str:
    """[0, 1, 2, 3, 7] -> '0-3,7' (what `parse_seeds` reads back)."""
    out: list[str] = []
    run: list[int] = []
    for s in sorted(set(seeds)):
        if run and s == run[-1] + 1:
            run.append(s)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [s]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


def seeds_option(recipe: Recipe) -> str:
    """' --seeds 0-3' when `recipe` carries a `--seeds` override, else ''."""
    pin = recipe.search.seeds if recipe.search is not None else None
    if isinstance(pin, Sourced) and pin.source == SOURCE:
        return f" --seeds {format_seeds(list(pin.value))}"
    return ""
