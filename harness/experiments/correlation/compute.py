"""Figure 3: rank correlation between supernet error and NAS-Bench-101 error.

For one finished search run and one supernet snapshot, a sample of architectures gets its
one-shot error (`nb1s.optimizers.fixed_evaluation`, on fixed evaluation batches) and its
NB101 test error at each budget the store holds; Spearman's rho (the paper's statistic)
and Kendall's tau are computed per budget. Repeat rules: `mean` pairs each architecture's
one-shot error with the mean of its 3 NB101 repeats; `paired_x3` repeats the one-shot
error three times against the three repeats, as the released script did.

This module loads the run's own settings from its run.json to rebuild the supernet, so an
evaluation always matches the search that trained it. It computes; it does not print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from nb1s.enumerate.architecture_sets import ArchitectureSet, architecture_ids
from nb1s.harness.errors import UserError
from nb1s.harness.nb101.store import NB101Store

CorrelationRepeats = Literal["mean", "paired_x3"]


@dataclass(frozen=True)
class Snapshot:
    """A rebuilt supernet (eval-ready) and the run it came from."""

    search: Any  # nb1s.optimizers.OneShotSearch (torch is imported lazily)
    meta: dict[str, Any]
    epoch: int


def load_snapshot(run: Path, epoch: int, device: Any) -> Snapshot:
    """Rebuild the run's supernet and load its state after `epoch` (a kept snapshot, or
    the final checkpoint when `epoch` is the run's last)."""
    import torch

    from nb1s.enumerate import get_space
    from nb1s.harness.recipe.search_settings import SettingError, settings_from_run
    from nb1s.harness.search.run_directory import RunDirectory
    from nb1s.harness.search.runner import resolve_settings
    from nb1s.optimizers import OneShotSearch

    folder = RunDirectory(run)
    stored = folder.read_meta()
    meta = stored.to_json()
    path = folder.snapshot_file(epoch)
    if not path.is_file():
        if epoch != stored.epochs or stored.status != "complete":
            raise UserError(f"{run} has no supernet snapshot after epoch {epoch} (run it with "
                            f"--set snapshot_epochs={epoch})")
        path = folder.checkpoint_file
    try:
        values = settings_from_run(meta)
    except SettingError as exc:
        raise UserError(f"{run}/run.json: {exc}") from None
    settings = resolve_settings(meta["optimizer"], int(meta["epochs"]), values)
    search = OneShotSearch(settings.method, get_space(int(meta["space"])), settings.hp,
                           settings.options, int(meta["seed"]), device)
    state = torch.load(path, map_location=device, weights_only=False)
    search.load_state_dict(state["search"])
    return Snapshot(search, meta, epoch)


def evaluation_batches(images: npt.NDArray[np.uint8], labels: npt.NDArray[np.int64],
                       batch_size: int, max_images: int, device: Any) -> list[Any]:
    """The first `max_images` (0: all) images as normalized batches on `device`."""
    import torch

    from nb1s.harness.images.augment import Augmenter

    if max_images:
        images, labels = images[:max_images], labels[:max_images]
    aug = Augmenter(device)
    out = []
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(np.ascontiguousarray(images[start:start + batch_size])).to(device)
        y = torch.from_numpy(np.ascontiguousarray(labels[start:start + batch_size])).to(device)
        out.append((aug.normalize(x), y.long()))
    return out


def sample_architectures(space: int, which: ArchitectureSet, sample: int,
                         seed: int) -> npt.NDArray[np.int64]:
    """Every member of the set (`sample` 0) or `sample` of them drawn without replacement."""
    ids = architecture_ids(space, which)
    if sample and sample < len(ids):
        rng = np.random.default_rng(seed)
        ids = np.sort(rng.choice(ids, size=sample, replace=False))
    return ids


def controller_samples(search: Any, count: int, seed: int) -> npt.NDArray[np.int64]:
    """Config ids of `count` architectures drawn from an ENAS search's controller, in draw
    order with repeats kept.

    The paper scores ENAS on "100 architectures sampled from the controller" (§5.2), and the
    released evaluate_one_shot_models_enas.py calls its controller 100 times per snapshot
    and scores every draw, a repeated architecture as often as it was drawn. The draws
    use torch's generator seeded with `seed` (the original's wrapper had seeded torch with
    0), inside a forked RNG state, so the search's own streams are left as they were.
    """
    import torch

    from nb1s.enumerate import encode
    from nb1s.optimizers.enas import ControllerSampling

    if not isinstance(search.update, ControllerSampling):
        raise UserError("controller samples need an ENAS run (its snapshot holds the "
                        "controller)")
    search.update.ensure(search)  # built (or restored) outside the forked stream
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        configs = [search.update.sample(search) for _ in range(count)]
    return np.asarray([encode(search.space, c.parents, c.ops) for c in configs],
                      dtype=np.int64)


def rank_correlations(oneshot: npt.NDArray[np.float64], nb_repeats: npt.NDArray[np.float64],
                      repeats: CorrelationRepeats) -> dict[str, float | None]:
    """Spearman and Kendall (with p-values) of one-shot vs NB101 errors; None when undefined
    (a constant input, e.g. a supernet that classifies every image alike)."""
    from scipy import stats

    if repeats == "mean":
        x, y = oneshot, nb_repeats.mean(axis=1)
    elif repeats == "paired_x3":
        x, y = np.repeat(oneshot, nb_repeats.shape[1]), nb_repeats.ravel()
    else:
        raise ValueError(f"unknown repeat rule {repeats!r}")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return {"spearman": None, "spearman_p": None, "kendall": None, "kendall_p": None}
    rho = stats.spearmanr(x, y)
    tau = stats.kendalltau(x, y)
    return {"spearman": float(rho.statistic), "spearman_p": float(rho.pvalue),
            "kendall": float(tau.statistic), "kendall_p": float(tau.pvalue)}


def correlate(oneshot: npt.NDArray[np.float64], store: NB101Store, space: int,
              config_ids: npt.NDArray[np.int64], budgets: Sequence[int],
              repeats: CorrelationRepeats) -> dict[str, Any]:
    """Per budget the store holds: rank correlations; the others are listed as missing."""
    per_budget: dict[str, Any] = {}
    missing = []
    for budget in budgets:
        if budget not in store.budgets:
            missing.append(int(budget))
            continue
        errors = store.space_errors(space, config_ids, budget)
        per_budget[str(budget)] = rank_correlations(oneshot, errors.test_error, repeats)
    return {"budgets": per_budget, "missing_budgets": missing}
