"""`nb1s search`: one one-shot search run, wired together (data, store, tracker, run dir).

The optimizer code knows nothing about files or NAS-Bench-101; this module builds the
pieces around it: the CIFAR-10 (or digits) splits on the device, the NB101 tracker, the run
directory with its checkpoint, and the callback that joins them after every epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nb1s
from nb1s.harness.errors import RunStopped, UserError
from nb1s.harness.recipe.search_settings import (
    GROUPS,
    PRESET_KEY,
    SETTINGS,
    SettingError,
    SettingValue,
    hyperparameter_values,
    parse_set_arguments,
    spec_of,
    tracking_record,
)
from nb1s.harness.search.run_directory import RunDirectory
from nb1s.optimizers.config import Hyperparameters, Options, range_problems

if TYPE_CHECKING:
    from nb1s.harness.search.run_writer import RunWriter
    from nb1s.optimizers.registry import OneShotMethod

ProgressFn = Callable[[int, int, dict[str, Any]], None]


@dataclass
class SearchRequest:
    """Everything `nb1s search` was asked to do."""

    optimizer: str
    space: int
    out: Path
    seed: int = 0
    epochs: int | None = None
    overrides: list[str] = field(default_factory=list)
    data_dir: Path | None = None
    cifar_dir: Path | None = None
    resume: bool = False
    device: str = "auto"
    recipe: dict[str, Any] | None = None  # recipe identity (recipe_meta), recorded as-is


@dataclass
class ResolvedSettings:
    """The method, every hyperparameter and every paper/original switch of one run."""

    method: OneShotMethod
    hp: Hyperparameters
    options: Options
    preset: str
    regret_reference: str
    snapshot_epochs: tuple[int, ...] = ()

    def options_record(self) -> dict[str, str]:
        return {"preset": self.preset, **self.options.as_dict()}

    def tracking_record(self, regret_minimum: dict[str, Any]) -> dict[str, Any]:
        """run.json `tracking`: the tracking keys and the minimum regrets are taken from."""
        record = tracking_record({"regret_reference": self.regret_reference,
                                  "snapshot_epochs": self.snapshot_epochs})
        return {"regret_reference": record["regret_reference"],
                "regret_minimum": regret_minimum,
                "snapshot_epochs": record["snapshot_epochs"]}


def resolve_settings(optimizer: str, epochs: int | None, values: Mapping[str, SettingValue],
                     max_config_id: int | None = None) -> ResolvedSettings:
    """Method, hyperparameters, switches and tracking settings from typed settings.

    `values` come from the settings codec (`--set` text through `parse_set_arguments`, or
    a finished run's `run.json` through `settings_from_run`). `preset=paper|original`
    selects every paper-vs-original switch at once; single switches and hyperparameters
    then override it. Every value is then checked against its declared range
    (`nb1s.optimizers.RANGES`; `architecture` against `max_config_id`) before anything
    starts.
    """
    from nb1s.optimizers import get_method

    try:
        method = get_method(optimizer)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    try:
        by_group = {group: {k: v for k, v in values.items() if spec_of(k).group == group}
                    for group in GROUPS}
        hyper = hyperparameter_values(by_group["hyperparameter"])
    except SettingError as exc:
        raise UserError(str(exc)) from None
    switches = {k: str(v) for k, v in by_group["option"].items() if k != PRESET_KEY}
    preset = str(by_group["option"].get(PRESET_KEY, SETTINGS[PRESET_KEY].default))
    tracking = by_group["tracking"]
    regret_reference = str(tracking.get("regret_reference",
                                        SETTINGS["regret_reference"].default))
    snapshots = tracking.get("snapshot_epochs", ())
    if epochs is not None:
        hyper["epochs"] = epochs
    try:
        options = Options.preset(preset).with_values(**switches)
        hp = method.hyperparameters(**hyper)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    problems = range_problems(hp.as_dict(), max_config_id)
    if problems:
        raise UserError("out of range: " + "; ".join(problems))
    if hp.init_channels % max(hp.partial_channels, 1):
        raise UserError(f"init_channels {hp.init_channels} is not divisible by "
                        f"partial_channels {hp.partial_channels}")
    return ResolvedSettings(method, hp, options, preset, regret_reference,
                            snapshots if isinstance(snapshots, tuple) else ())


def pick_device(name: str) -> Any:
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise UserError(f"unknown device {name!r}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda requested but no CUDA GPU is available")
    return dev


class Diverged(Exception):
    """A search whose loss or architecture weights became non-finite (NaN or infinity)."""

    def __init__(self, epoch: int, what: str) -> None:
        super().__init__(f"{what} became non-finite at epoch {epoch}")
        self.epoch = epoch


def _check_finite(result: Any) -> None:
    """Raise Diverged when an epoch's loss or logits are not finite.

    Why: NaN logits discretize to config 0 and NaN losses aggregate to NaN, so a diverged
    run would otherwise finish as "complete" with an arbitrary architecture.
    """
    import numpy as np

    loss = result.train_loss
    if loss is not None and not math.isfinite(loss):
        raise Diverged(result.epoch, f"the training loss ({loss})")
    for name, weights in result.arch_weights.items():
        if not np.all(np.isfinite(weights)):
            raise Diverged(result.epoch, f"architecture weights {name!r}")


def run_search(request: SearchRequest, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Run (or resume) one search; returns a summary of the run directory.

    Every input is checked before the folder is touched; the folder is then locked for
    the life of this process (`folder_lock`), so a second search or resume on it is
    refused. Ctrl-C or SIGTERM records `interrupted` with the last saved epoch; a loss that
    becomes non-finite records `diverged`; both raise `RunStopped` (one line, exit 130/1).
    """
    from nb1s.enumerate import get_space
    from nb1s.harness.guards.out_folder import check_out

    check_out(request.out, "search")
    space = get_space(request.space)
    settings = resolve_settings(request.optimizer, request.epochs,
                                parse_set_arguments(request.overrides), space.num_configs - 1)
    if not request.resume and RunDirectory(request.out).has_run():
        raise UserError(f"{request.out} already holds a run: pass --resume to continue it, "
                        "or choose another --out")
    device = pick_device(request.device)
    return _run_checked(request, space, settings, device, progress)


def _run_checked(request: SearchRequest, space: Any, settings: ResolvedSettings, device: Any,
                 progress: ProgressFn | None) -> dict[str, Any]:
    """Load data and model (still nothing written), then lock the folder and run."""
    from nb1s.harness.images.cifar import load_images, resolve_cifar_dir, search_split
    from nb1s.harness.images.device_batches import DeviceBatches
    from nb1s.harness.nb101.store import open_store
    from nb1s.harness.search.environment import git_hash, torch_environment
    from nb1s.harness.search.tracker import NB101Tracker
    from nb1s.optimizers import OneShotSearch, count_parameters
    from nb1s.optimizers.results_version import RESULTS_VERSION

    method, hp, options = settings.method, settings.hp, settings.options
    store = open_store(request.data_dir)
    tracker = NB101Tracker(store, space.number, settings.regret_reference)
    images = load_images(resolve_cifar_dir(request.cifar_dir))
    x, y, weight_idx, arch_idx = search_split(images, options.data_split, hp.train_portion)
    batches = DeviceBatches(x, y, weight_idx, arch_idx, hp, options, device, request.seed)
    search = OneShotSearch(method, space, hp, options, request.seed, device)

    meta: dict[str, Any] = {
        "schema_version": 1,
        "optimizer": method.name,
        "space": space.number,
        "seed": request.seed,
        "epochs": hp.epochs,
        "hyperparameters": hp.as_dict(),
        "options": settings.options_record(),
        "tracking": settings.tracking_record(tracker.minimum),
        "nb1s_version": nb1s.__version__,
        "results_version": RESULTS_VERSION,
        "git_hash": git_hash(),
        **torch_environment(device),
        "parameter_count": count_parameters(search.model),
        "data": {
            "nb101": store.provenance,
            "cifar10": {"path": str(images.path), "kind": images.kind,
                        "synthetic": images.synthetic, "checksum": images.checksum(),
                        "split": {"name": options.data_split,
                                  "weights": len(weight_idx), "architecture": len(arch_idx)}},
        },
    }
    if request.recipe is not None:
        meta["recipe"] = request.recipe
    from nb1s.harness.guards.folder_lock import folder_lock

    with folder_lock(request.out, f"nb1s search {method.name}") as lock:
        return _run_locked(request, settings, meta, search, batches, tracker, device, lock,
                           progress)


def _run_locked(request: SearchRequest, settings: ResolvedSettings, meta: dict[str, Any],
                search: Any, batches: Any, tracker: Any, device: Any, lock: Any,
                progress: ProgressFn | None) -> dict[str, Any]:
    """The run itself, with the folder locked: create or reopen, epochs, stop or finish."""
    import torch

    from nb1s.harness.guards.interrupts import signals_ignored, sigterm_as_interrupt
    from nb1s.harness.search.environment import peak_memory_mb
    from nb1s.harness.search.run_writer import RunWriter, load_checkpoint

    hp = settings.hp
    out = request.out
    checkpoint = load_checkpoint(out) if request.resume else None
    if checkpoint is not None:
        search.load_state_dict(checkpoint["search"])
        batches.load_state_dict(checkpoint["data"])
        writer = RunWriter.reopen(out, meta, search.reported)
        if writer.meta.status == "complete":
            return summarize(writer)
    else:
        if request.resume and RunDirectory(out).has_run():
            RunDirectory(out).run_file.unlink()  # killed before epoch 0 was saved: start over
        writer = RunWriter.create(out, meta)
    saved = [search.reported]

    def on_epoch(result: Any, state: Any) -> None:
        _check_finite(result)
        record: dict[str, Any] = {"epoch": result.epoch, **tracker.lookup(result.config_id)}
        record.update({
            "oneshot_train_error": result.oneshot_train_error,
            "oneshot_valid_error": result.oneshot_valid_error,
            "selection_valid_error": result.selection_valid_error,
            "train_loss": result.train_loss,
            "lr": result.lr,
            "temperature": result.temperature,
            "wall_time_s": result.wall_time_s,
            "peak_memory_mb": peak_memory_mb(device),
        })
        writer.add_epoch(record, result.arch_weights)
        writer.save_checkpoint({"search": state.state_dict(), "data": batches.state_dict()})
        saved[0] = result.epoch
        lock.heartbeat()
        if result.epoch in settings.snapshot_epochs:
            writer.save_snapshot(result.epoch, {"search": state.state_dict()})
        if progress is not None:
            progress(result.epoch, hp.epochs, record)

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    try:
        with sigterm_as_interrupt():
            search.run(batches, on_epoch)
    except KeyboardInterrupt:
        with signals_ignored():
            writer.stop("interrupted", saved[0], "interrupted by a signal (Ctrl-C or SIGTERM)")
        raise RunStopped(f"{out} stopped after epoch {saved[0]} of {hp.epochs} (run.json "
                         "status: interrupted); continue it with the same command plus "
                         "--resume", 130, "interrupted") from None
    except Diverged as exc:
        writer.stop("diverged", exc.epoch, str(exc))
        raise RunStopped(f"{out}: {exc}; the run stopped (run.json status: diverged). Lower "
                         "the learning rate or check the data", 1, "diverged") from None
    writer.finish()
    return summarize(writer)


def summarize(writer: RunWriter) -> dict[str, Any]:
    """What the CLI prints: where the run is, its settings and its last record."""
    meta = writer.meta
    last = writer.records[-1].to_json() if writer.records else {}
    return {
        "out": str(writer.out),
        "optimizer": meta.optimizer,
        "space": meta.space,
        "seed": meta.seed,
        "epochs": meta.epochs,
        "status": meta.status,
        "records": len(writer.records),
        "synthetic": {"nb101": meta.data.nb101.synthetic,
                      "images": meta.data.cifar10.kind},
        "final": {k: last.get(k) for k in ("epoch", "config_id", "nb101_hash",
                                           "test_error_mean", "test_regret", "valid_regret",
                                           "oneshot_valid_error")},
    }
