"""The configuration space fANOVA sees: CS2 of the BOHB tuning (lr, L2, cutout probability).

The original analysis script built this space by hand rather than importing the BOHB
worker's, so the forest's bounds are the CS2 bounds whatever else a run logged; nb1s does
the same, with the bounds and defaults of docs/fanova.md (the BOHB worker's CS2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ConfigSpace import ConfigurationSpace

# name -> (lower, upper, default, log scale); the names are the search CLI's
CS2: dict[str, tuple[float, float, float, bool]] = {
    "learning_rate": (1e-3, 1.0, 0.025, True),
    "weight_decay": (1e-5, 1e-3, 3e-4, True),
    "cutout_prob": (0.0, 1.0, 0.0, False),
}
# how the paper's Figure 16 names them
SYMBOLS = {"learning_rate": "lr", "weight_decay": "L2", "cutout_prob": "CO"}


def cs2_space() -> ConfigurationSpace:
    """CS2 as a ConfigSpace object (its hyperparameter order is the one fANOVA's X uses)."""
    from ConfigSpace import ConfigurationSpace, UniformFloatHyperparameter

    space = ConfigurationSpace()
    space.add([UniformFloatHyperparameter(name, lo, hi, default_value=default, log=log)
               for name, (lo, hi, default, log) in CS2.items()])
    return space


def space_names(space: ConfigurationSpace) -> list[str]:
    """The hyperparameter names in the space's own order (the columns fANOVA expects)."""
    return list(space.keys())
