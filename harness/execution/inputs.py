"""The one place a plan's data folders are decided: `prepare_inputs(plan, results, options)`.

The plan says what it needs (`Plan.data`, decided from the profile in recipe/plan.py); the
options say what the user passed. A synthetic plan without user folders gets the smoke
data, built once under `--smoke-data` (default RESULTS/data); otherwise the user's folders
are checked before dozens of runs start (preflight). Local and Slurm runs may leave a
folder unset (`nb1s search` then uses its own default); Docker needs explicit folders to
mount, so they are resolved here.
"""

from __future__ import annotations

import os
from pathlib import Path

from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.executors.base import DataInputs
from nb1s.harness.recipe.plan import Plan

CIFAR_ENV = "NB1S_CIFAR_DIR"


def user_gave_data(plan: Plan, options: ExecutionOptions) -> bool:
    """Whether the user passed a folder the plan reads (which then replaces the smoke data)."""
    return options.data_dir is not None or (plan.data.images and options.cifar_dir is not None)


def prepare_inputs(plan: Plan, results: Path, options: ExecutionOptions) -> DataInputs:
    """The data folders every run of `plan` reads (see module docstring)."""
    if plan.data.synthetic and not user_gave_data(plan, options):
        from nb1s.harness.execution.smoke_data import prepare_smoke_data

        return prepare_smoke_data(options.smoke_data or results / "data",
                                  list(plan.data.spaces), images=plan.data.images,
                                  all_budgets=plan.data.all_budgets)
    nb101 = options.data_dir
    cifar = options.cifar_dir if plan.data.images else None
    if options.executor == "docker":
        from nb1s.harness.nb101.paths import resolve_data_dir

        nb101 = resolve_data_dir(nb101)
        env = os.environ.get(CIFAR_ENV)
        if plan.data.images:
            cifar = cifar or (Path(env) if env else None)
    data = DataInputs(nb101_dir=nb101, cifar_dir=cifar)
    preflight(data, images=plan.data.images)
    return data


def preflight(data: DataInputs, images: bool = True) -> None:
    """Fail before launching dozens of runs when the data is not there (one-line UserError).

    Uses the same resolution as `nb1s search` (option, else environment, else default), so
    a run that passes here finds its data.
    """
    from nb1s.harness.images.cifar import resolve_cifar_dir
    from nb1s.harness.nb101.store import open_store

    open_store(data.nb101_dir)
    if images:
        resolve_cifar_dir(data.cifar_dir)
