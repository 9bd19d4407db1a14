"""One BOHB function evaluation: an `nb1s search` at the budget's epochs, read back.

As the original worker (docs/original-code.md#figure-5), each evaluation trains from
scratch in its own process (here `nb1s search`, in its own run directory, resumable), with
the BOHB run's seed; the loss is the NAS-Bench-101 validation error at 108 epochs of the
final architecture. Which repeat counts is the protocol's `nb101_repeat`: `mean` of the
three, or `one_random` (the original's unseeded `np.random.choice(3)`, here drawn from the
run seed, the configuration id and the budget so a replay sees the same repeat).
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.harness.blackbox_runs.bohb_log import EvaluationInfo
from nb1s.harness.documents import validate_document
from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import child_env, nb1s_program
from nb1s.harness.experiments.bohb.protocol import BohbProtocol
from nb1s.harness.experiments.bohb.spaces import complete_config
from nb1s.harness.search.run_directory import RunDirectory

NB101_EPOCHS = 108
INTERRUPTED = 130  # exit code of an interrupted `nb1s search`
#: set when the BOHB run is interrupted (`stop_all`); cleared when a run starts
STOP = threading.Event()
_LOCK = threading.Lock()
_CHILDREN: set[subprocess.Popen[bytes]] = set()


@dataclass(frozen=True)
class EvaluationSpec:
    """What every evaluation of one BOHB run shares (picklable: Slurm tasks rebuild it)."""

    optimizer: str
    space: int
    cs: int
    seed: int
    folder: Path  # where the evaluations' run directories go
    protocol: BohbProtocol = field(default_factory=BohbProtocol)
    #: hyperparameters fixed by the recipe (method settings, smoke sizes); the configuration
    #: and `complete_config` come first, these replace them
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    #: `nb1s search` switches (preset, data_split, regret_reference)
    options: dict[str, Any] = field(default_factory=dict)
    data_dir: Path | None = None
    cifar_dir: Path | None = None
    device: str = "auto"
    #: run the search in this process (no interpreter and torch start per evaluation; the
    #: smoke profile) instead of an `nb1s search` subprocess (the paper profile)
    in_process: bool = False


def search_settings(spec: EvaluationSpec, config: dict[str, Any]) -> dict[str, Any]:
    """Every `--set` of the evaluation's `nb1s search`, protocol switches applied."""
    values = complete_config(spec.cs, config, spec.protocol.cutout_applied,
                             spec.protocol.cs3_extra_hyperparameters_applied)
    if (spec.optimizer == "gdas" and "grad_clip" in values
            and spec.protocol.gdas_arch_grad_clip == "tied"):
        # the released GDAS clips weights and architecture gradient with one --grad_clip
        values["arch_grad_clip"] = values["grad_clip"]
    values.update(spec.hyperparameters)
    values.update(spec.options)
    return values


def run_directory(spec: EvaluationSpec, config_id: tuple[int, ...], budget: float) -> Path:
    return spec.folder / f"config-{'-'.join(map(str, config_id))}-budget{round(budget)}"


def search_command(spec: EvaluationSpec, config: dict[str, Any], budget: float,
                   out: Path) -> list[str]:
    """The `nb1s search` command line of one evaluation."""
    argv = [*nb1s_program(), "search", spec.optimizer,
            "--space", str(spec.space), "--epochs", str(round(budget)),
            "--seed", str(spec.seed), "--out", str(out), "--device", spec.device, "--json"]
    for pair in overrides(spec, config):
        argv += ["--set", pair]
    if spec.data_dir is not None:
        argv += ["--data-dir", str(spec.data_dir)]
    if spec.cifar_dir is not None:
        argv += ["--cifar-dir", str(spec.cifar_dir)]
    return argv


def overrides(spec: EvaluationSpec, config: dict[str, Any]) -> list[str]:
    """The `key=value` settings of one evaluation, as `nb1s search --set` reads them."""
    pairs = []
    for key, value in search_settings(spec, config).items():
        text = str(value).lower() if isinstance(value, bool) else repr(value) \
            if isinstance(value, float) else str(value)
        pairs.append(f"{key}={text}")
    return pairs


def _search_here(spec: EvaluationSpec, config: dict[str, Any], budget: float, out: Path,
                 resume: bool) -> None:
    """The same search through the runner library, in this process (smoke profile)."""
    from nb1s.harness.search.runner import SearchRequest, run_search

    def stop_at_epoch_end(*_: Any) -> None:
        if STOP.is_set():  # the runner records `interrupted` and raises RunStopped
            raise KeyboardInterrupt

    run_search(SearchRequest(spec.optimizer, spec.space, out, spec.seed, round(budget),
                             overrides(spec, config), spec.data_dir, spec.cifar_dir, resume,
                             spec.device), progress=stop_at_epoch_end)


def stop_all() -> None:
    """Stop every evaluation of this process: searches here at their next epoch end,
    `nb1s search` children now (SIGINT: they record `interrupted` and can be resumed)."""
    STOP.set()
    with _LOCK:
        for child in list(_CHILDREN):
            with contextlib.suppress(OSError):
                child.send_signal(signal.SIGINT)


def _status(out: Path) -> str | None:
    """`complete`, `partial` (started: resume it) or None (nothing to resume from), as
    `RunDirectory` decides it for every search run."""
    status = RunDirectory(out).status()
    return None if status == "missing" else status


def repeat_index(spec: EvaluationSpec, config_id: tuple[int, ...], budget: float) -> int:
    """The NB101 repeat `one_random` reads: drawn from the seed, config id and budget."""
    rng = np.random.default_rng([spec.seed, *config_id, round(budget)])
    return int(rng.integers(3))


def evaluate(spec: EvaluationSpec, config: dict[str, Any], budget: float,
             config_id: tuple[int, ...]) -> dict[str, Any]:
    """Train (or resume, or reuse) the evaluation's search and return BOHB's loss and info."""
    out = run_directory(spec, config_id, budget)
    status = _status(out)
    if status != "complete" and spec.in_process:
        _search_here(spec, config, budget, out, status is not None)
    elif status != "complete":
        argv = search_command(spec, config, budget, out)
        if status is not None:
            argv.append("--resume")
        out.parent.mkdir(parents=True, exist_ok=True)
        log = out.parent / f"{out.name}.log"
        env = {**child_env(), "NB1S_PARENT_PID": str(os.getpid())}
        with log.open("ab") as fh:
            child = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, env=env)
            with _LOCK:
                _CHILDREN.add(child)
            try:
                code = child.wait()
            finally:
                with _LOCK:
                    _CHILDREN.discard(child)
        if code == INTERRUPTED:
            # Ctrl-C/SIGTERM reached the search too: stop BOHB, not just this evaluation
            # (hpbandster would record a failed job and start the next one)
            if not STOP.is_set():
                _thread.interrupt_main()
            raise RuntimeError(f"{out}: interrupted")
        if code != 0 or _status(out) != "complete":
            raise RuntimeError(f"nb1s search failed (exit {code}); see {log}")
    return read_evaluation(spec, out, config, budget, config_id)


def read_evaluation(spec: EvaluationSpec, out: Path, config: dict[str, Any], budget: float,
                    config_id: tuple[int, ...]) -> dict[str, Any]:
    """Loss and info of a finished evaluation's run directory."""
    from nb1s.harness.nb101.store import open_store

    record = RunDirectory(out).read()  # run.json and epochs.jsonl, validated
    final = record.epochs[-1] if record.epochs else None
    if final is None or final.wall_time_s is None or record.meta.tracking is None:
        raise UserError(f"{out}: the search recorded no final epoch with its wall time, or "
                        "no regret minimum")
    minimum = record.meta.tracking.regret_minimum
    store = open_store(spec.data_dir)
    row = store.row_of(final.nb101_hash)
    times = np.asarray(store.metric(NB101_EPOCHS, "final_training_time")[row], dtype=float)
    if spec.protocol.nb101_repeat == "mean":
        repeat: int | None = None
        valid, test = final.valid_error_mean, final.test_error_mean
        train_time = float(np.mean(times))
    else:
        repeat = repeat_index(spec, config_id, budget)
        valid = final.valid_error_repeats[repeat]
        test = final.test_error_repeats[repeat]
        train_time = float(times[repeat])
    if not np.isfinite(valid):
        raise UserError(f"{out}: the final architecture has no NB101 validation error")
    info = {
        "space": spec.space, "cs": spec.cs, "optimizer": spec.optimizer, "seed": spec.seed,
        "config": config,
        "search_settings": search_settings(spec, config),
        "budget": float(budget),
        "valid_error": float(valid),
        "test_error": float(test),
        "test_regret": float(test) - float(minimum.test),
        "valid_regret": float(valid) - float(minimum.valid),
        "nb101_repeat": repeat,
        "search_time_s": float(final.wall_time_s),
        "nb101_train_time_s": train_time,
        "architecture": int(final.config_id),
        "nb101_hash": final.nb101_hash,
        "run_directory": str(out),
        "synthetic": bool(record.meta.data.nb101.synthetic),
    }
    # what every reader of the log validates it as (`bohb_log.EvaluationInfo`)
    validate_document(info, EvaluationInfo, f"{out} (the evaluation's info)")
    return {"loss": float(valid), "info": info}
