"""The configuration spaces CS1-CS3 BOHB tunes, and the values each leaves fixed.

Facts: docs/original-code.md#figure-5 (the original's `worker.py::get_config_space` and
`complete_config`). The defaults ConfigSpace assigns where the original gave none (geometric
mean on a log scale, midpoint on a linear one, integers rounded) matter: the default
configuration is BOHB's very first sample, so for CS3 that first run trains at batch 72 and
momentum 0.495, not at the DARTS defaults.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ConfigSpace import (
    ConfigurationSpace,
    UniformFloatHyperparameter,
    UniformIntegerHyperparameter,
)

from nb1s.harness.errors import UserError

CONFIGURATION_SPACES = (1, 2, 3)
#: hyperparameters of CS3 that the shipped worker never passed to the search (finding 5)
CS3_ONLY_DROPPED = ("arch_learning_rate", "arch_weight_decay", "cutout_length", "grad_clip")
#: values every space fixes (`complete_config`: all spaces)
FIXED_ALL: dict[str, Any] = {"init_channels": 16, "layers": 9}
#: further fixed values per space (`complete_config`)
FIXED: dict[int, dict[str, Any]] = {
    1: {"batch_size": 96, "momentum": 0.9, "learning_rate": 0.025},
    2: {"batch_size": 96, "momentum": 0.9},
    3: {},
}


def configuration_space(cs: int, seed: int | None = None) -> ConfigurationSpace:
    """CS1, CS2 or CS3 as a ConfigSpace object (seeded: its sampler draws BOHB's random picks)."""
    if cs not in CONFIGURATION_SPACES:
        raise UserError(f"configuration space {cs} does not exist: choose 1, 2 or 3")
    space = ConfigurationSpace(seed=seed)
    hps: list[Any] = [
        UniformFloatHyperparameter("weight_decay", 1e-5, 1e-3, default_value=3e-4, log=True),
        UniformFloatHyperparameter("cutout_prob", 0.0, 1.0, default_value=0.0),
    ]
    if cs >= 2:
        hps.append(UniformFloatHyperparameter("learning_rate", 1e-3, 1.0, default_value=0.025,
                                              log=True))
    if cs == 3:
        hps += [
            UniformFloatHyperparameter("arch_learning_rate", 1e-5, 1e-2, log=True),
            UniformFloatHyperparameter("arch_weight_decay", 1e-4, 1e-1, log=True),
            UniformFloatHyperparameter("momentum", 0.0, 0.99),
            UniformIntegerHyperparameter("cutout_length", 2, 32, log=True),
            UniformIntegerHyperparameter("batch_size", 16, 128),
            UniformIntegerHyperparameter("grad_clip", 1, 9),
        ]
    space.add(hps)
    return space


def plain(config: dict[str, Any]) -> dict[str, Any]:
    """Python floats/ints instead of numpy scalars.

    Why: hpbandster ships configurations to its workers through Pyro4's serpent serializer,
    which writes a numpy 2 scalar as `np.float64(...)`; the worker cannot read that back and
    the job is silently never started.
    """
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, bool | str):
            out[key] = value
        elif isinstance(value, int | np.integer):
            out[key] = int(value)
        else:
            out[key] = float(value)
    return out


def complete_config(cs: int, config: dict[str, Any], cutout_applied: bool,
                    cs3_extra_applied: bool) -> dict[str, Any]:
    """The search hyperparameters one evaluation trains with (the original's `complete_config`).

    `cutout_applied` false is the shipped worker (no `--cutout`: `cutout_prob` is then
    inert); `cs3_extra_applied` false drops `CS3_ONLY_DROPPED`, which the shipped worker
    never forwarded, so the search keeps its own defaults for them.
    """
    values = {**FIXED_ALL, **FIXED[cs], **plain(config)}
    if not cs3_extra_applied:
        for name in CS3_ONLY_DROPPED:
            values.pop(name, None)
    values["cutout"] = bool(cutout_applied)
    if "grad_clip" in values:
        values["grad_clip"] = float(values["grad_clip"])
    return values
