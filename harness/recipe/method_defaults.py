"""Recipe runs against the optimizers' own defaults: no silent override of a method default.

Each optimizer keeps the hyperparameters in which the original's script for that method
differs from the shared DARTS values (`OneShotMethod.defaults`: GDAS clips its
architecture gradient at 5, Random-WS and ENAS train at batch 64 with clip 0.25, ...). A
recipe pins one block of shared hyperparameters for all its variants, so a shared value
can replace such a default without anyone deciding it: fig4 v1 and table2 v1 trained GDAS
without its clip because the block held DARTS's `arch_grad_clip: 0.0`. This check
resolves every run of a recipe under both protocols and reports each method-level value
that differs from the method's default, unless the variant pins that hyperparameter itself
(then it is a named, sourced choice). `epochs` is not checked: every recipe pins it for all
runs with its own source (the paper's 50 against GDAS's and PC-DARTS's script default 100).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nb1s.harness.recipe.plan import plan_recipe
from nb1s.harness.recipe.schema import PROTOCOLS, Recipe
from nb1s.optimizers.builtin import builtin_optimizer
from nb1s.optimizers.config import HyperparameterValue

#: method defaults a recipe pins at the level of the whole search block on purpose
NOT_CHECKED = ("epochs",)


@dataclass(frozen=True)
class DefaultOverride:
    """One run whose shared hyperparameter silently replaces its method's default."""

    protocol: str
    variant: str
    optimizer: str
    name: str
    value: HyperparameterValue
    default: HyperparameterValue

    def __str__(self) -> str:
        return (f"variant {self.variant} ({self.optimizer}, protocol {self.protocol}): shared "
                f"{self.name}={self.value!r} overrides the {self.optimizer} default "
                f"{self.default!r}")


def method_defaults(optimizer: str) -> dict[str, HyperparameterValue] | None:
    """The hyperparameters `optimizer` sets apart from the shared ones (None: unknown).

    Built-in methods are read from their torch-free declaration; a plugin method is known
    only once registered in this process (`optimizer_catalog.load_plugin`, which has
    imported torch already), so the registry is only asked when it is loaded.
    """
    builtin = builtin_optimizer(optimizer)
    if builtin is not None:
        defaults: Mapping[str, Any] = builtin.defaults
    else:
        registry = sys.modules.get("nb1s.optimizers.registry")
        method = getattr(registry, "METHODS", {}).get(optimizer) if registry else None
        if method is None:
            return None
        defaults = method.defaults
    return {k: v for k, v in defaults.items() if k not in NOT_CHECKED}


def default_overrides(recipe: Recipe) -> list[DefaultOverride]:
    """Every (protocol, variant, hyperparameter) where a shared value replaces a default."""
    if recipe.search is None:
        return []
    pinned = {v.key: set(v.hyperparameters) for v in recipe.search.variants}
    found: dict[tuple[str, str, str], DefaultOverride] = {}
    for protocol in PROTOCOLS:
        for run in plan_recipe(recipe, "paper", protocol).runs:
            defaults = method_defaults(run.optimizer)
            for name, default in (defaults or {}).items():
                if name not in run.hyperparameters or name in pinned[run.variant]:
                    continue
                value = run.hyperparameters[name]
                if value != default:
                    found.setdefault((protocol, run.variant, name), DefaultOverride(
                        protocol, run.variant, run.optimizer, name, value, default))
    return list(found.values())
