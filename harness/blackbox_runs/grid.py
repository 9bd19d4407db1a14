"""Run one black-box optimizer over many seeds on one space: one record file per seed.

Layout: `<out>/ss{N}/{OPT}/seed-{k}.npy` (a numpy structured array of
`nb1s.optimizers.discrete.RECORD_DTYPE`, written atomically) and `blackbox-run.json`
beside them (settings and data provenance). A seed whose file exists is finished and skipped, so an
interrupted grid resumes where it stopped; that file refuses a resume with other
settings (evaluations, repeat policy, data, SMAC's surrogate model), which would mix
incomparable records.

The tasks are mapped by the executors (`executors.task_map`, chosen by the executor's
capabilities): local worker processes (executors/process_pool.py) or, on an executor with
job arrays (`--executor slurm`), the tasks of one submitit job array, grouped for a
scheduler (cluster.py); every task runs the same `_run_task`. Locally, RS/RE/RL are
vectorised across seeds, so each task is a chunk of seeds run as one array program (a
seed's records do not depend on its chunk); TPE, SMAC, HB and BOHB are one task per
seed. Every worker opens the memory-mapped NB101 index itself.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.atomic import atomic_write_bytes, atomic_write_many
from nb1s.harness.blackbox_runs.budget import CHUNK, check_fits, estimate
from nb1s.harness.blackbox_runs.cluster import (
    MAX_ARRAY_TASKS,
    SLURM_FOLDER,
    ArrayRun,
    ClusterSettings,
    check_executor,
    estimated_seconds,
    grid_request,
    seeds_per_task,
    slurm_array,
    submit,
    target_seconds,
    wait,
)
from nb1s.harness.blackbox_runs.documents import FORMAT, BlackboxRunSettings
from nb1s.harness.blackbox_runs.documents import RUN_FILE as RUN_FILE  # re-exported
from nb1s.harness.blackbox_runs.objective import (
    budgets_needed,
    nb101_objective,
    repeat_policy,
)
from nb1s.harness.documents import read_document, write_checked
from nb1s.harness.errors import UserError
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.executors.base import ExecutorSettings
from nb1s.harness.nb101.store import NB101Store, open_store
from nb1s.optimizers.discrete import (
    BLACKBOX_OPTIMIZERS,
    RECORD_DTYPE,
    TableObjective,
    blackbox_optimizer,
)
from nb1s.optimizers.discrete.smac3 import MODELS as SMAC_MODELS

SPACES = (1, 2, 3)


def seed_ranges(text: str) -> list[tuple[int, int]]:
    """'0-499', '3', '0,2,5-7' -> sorted, merged, inclusive (low, high) ranges; UserError
    on anything else. Nothing is expanded, so `0-99999999` costs nothing to read."""
    ranges: list[tuple[int, int]] = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            if "-" in part:
                low, high = (int(x) for x in part.split("-", 1))
                if high < low:
                    raise ValueError
            else:
                low = high = int(part)
        except ValueError:
            raise UserError(f"bad seed range {text!r}: use e.g. 0-499, 7 or 0,2,5-7 "
                            f"(non-negative, low-high)") from None
        if low < 0:
            raise UserError(f"bad seed range {text!r}: seeds must be non-negative integers")
        ranges.append((low, high))
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def count_seeds(text: str) -> int:
    """How many seeds `text` names (without listing them)."""
    return sum(high - low + 1 for low, high in seed_ranges(text))


def parse_seeds(text: str) -> list[int]:
    """'0-499', '3', '0,2,5-7' -> sorted unique seeds; UserError on anything else.

    Callers bound the count first (`count_seeds`, budget.py) when it comes from a user."""
    return [seed for low, high in seed_ranges(text) for seed in range(low, high + 1)]


def check_optimizer(name: str) -> str:
    """The black-box optimizer's canonical name; matched case-insensitively (`rs` is `RS`,
    as `DARTS` is `darts` for `nb1s search`)."""
    if name in BLACKBOX_OPTIMIZERS:
        return name
    for known in BLACKBOX_OPTIMIZERS:
        if known.casefold() == str(name).casefold():
            return known
    raise UserError(f"unknown black-box optimizer {name!r}: choose one of "
                    f"{', '.join(BLACKBOX_OPTIMIZERS)}")


def check_space(space: int) -> int:
    if int(space) not in SPACES:
        raise UserError(f"search space {space} does not exist: choose 1, 2 or 3")
    return int(space)


def run_folder(out: Path, space: int, optimizer: str) -> Path:
    return Path(out) / f"ss{space}" / optimizer


def seed_file(out: Path, space: int, optimizer: str, seed: int) -> Path:
    """Where one seed's records live (the layout in the module docstring)."""
    return run_folder(out, space, optimizer) / f"seed-{seed}.npy"


def record_bytes(records: np.ndarray) -> bytes:
    """A record array as a seed file's bytes (np.save format, no pickle)."""
    buf = io.BytesIO()
    np.save(buf, np.asarray(records, dtype=RECORD_DTYPE), allow_pickle=False)
    return buf.getvalue()


def save_records(path: Path, records: np.ndarray) -> None:
    """Write a record array atomically."""
    atomic_write_bytes(path, record_bytes(records))


def load_records(path: Path) -> np.ndarray:
    """One seed file; UserError when it is not a record array."""
    try:
        records = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is not a black-box record file ({exc})") from None
    if records.dtype != RECORD_DTYPE:
        raise UserError(f"{path} holds {records.dtype}, not black-box records")
    return records


def record_problem(path: Path, seed: int, optimizer: str, evaluations: int) -> str | None:
    """Why the file at `path` is not the finished records of `seed`, or None when it is.

    A seed file counts as finished only by its content: it loads as a record array (no
    pickle), holds rows of this seed only, numbered 0..n-1, on a finite, non-decreasing
    simulated time, and as many rows as `evaluations` asks (HB and BOHB, whose records are
    rungs of a budget, at least one). A truncated, emptied, random or foreign file is
    damaged: it is run again, never counted as finished.
    """
    if not path.is_file():
        return "missing"
    try:
        records = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        return f"unreadable ({str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__})"
    if records.dtype != RECORD_DTYPE or records.ndim != 1:
        return f"holds {records.dtype} {records.shape}, not black-box records"
    if len(records) == 0:
        return "holds no records"
    if not np.all(records["seed"] == seed):
        return f"holds records of other seeds than {seed}"
    if not np.array_equal(records["index"], np.arange(len(records))):
        return "its records are not numbered 0..n-1"
    times = records["sim_time"]
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
        return "its simulated time is not finite and non-decreasing"
    in_epochs = blackbox_optimizer(optimizer).budget_in_epochs  # the registered entry's fact
    if not in_epochs and len(records) != int(evaluations):
        return f"holds {len(records)} records, not {evaluations}"
    return None


def missing_seed_files(out: Path, runs: Sequence[tuple[str, int, int]],
                       seeds: Sequence[int]) -> list[str]:
    """`ss{N}/{OPT}/seed-{k}` (with ` (why)` when damaged, `record_problem`) for every
    planned seed file under `out` that is not finished: `runs` are the planned
    (optimizer, space, evaluations), `seeds` the seeds of each. Re-derived from the files
    themselves, never from a summary written earlier, by every kind whose results folder
    holds black-box records (`blackbox`; `bohb`'s fig5/14/15 black-box side)."""
    missing = []
    for optimizer, space, evaluations in runs:
        for seed in seeds:
            path = seed_file(out, int(space), optimizer, int(seed))
            why = record_problem(path, int(seed), optimizer, int(evaluations))
            if why is not None:
                missing.append(f"ss{space}/{optimizer}/seed-{seed}"
                               + ("" if why == "missing" else f" ({why})"))
    return missing


@dataclass(frozen=True)
class GridSettings:
    """What every seed of one (space, optimizer) folder must share to be comparable."""

    optimizer: str
    space: int
    evaluations: int
    repeat_policy: str
    data_dir: str
    data_sha256: str | None
    synthetic: bool
    #: SMAC's surrogate (`smac3.MODELS`, the recipe switch `smac_model`); None for every
    #: other optimizer, so their run files do not depend on it
    smac_model: str | None = None

    def optimizer_options(self) -> dict[str, Any]:
        """The optimizer's own keyword arguments (`run_blackbox(options=...)`)."""
        return {"model": self.smac_model} if self.smac_model is not None else {}


@dataclass(frozen=True)
class _Task:
    settings: GridSettings
    seeds: tuple[int, ...]
    out: str


_OBJECTIVES: dict[tuple[str, int, str, tuple[int, ...]], TableObjective] = {}


def _objective(settings: GridSettings) -> TableObjective:
    """The objective of a worker process, built once per process and setting."""
    budgets = budgets_needed(settings.optimizer)
    key = (settings.data_dir, settings.space, settings.repeat_policy, budgets)
    if key not in _OBJECTIVES:
        store = NB101Store(Path(settings.data_dir))
        _OBJECTIVES[key] = nb101_objective(store, settings.space,
                                           repeat_policy(settings.repeat_policy), budgets)
    return _OBJECTIVES[key]


def _run_task(task: _Task) -> list[int]:
    """Run a chunk of seeds and write one file per seed; returns the seeds written.

    A vectorised optimizer runs the chunk as one array program; a library optimizer runs
    seed after seed and writes each seed's file as soon as it is done, so a grouped Slurm
    task that hits its time limit keeps the seeds it finished (each seed is the same
    single-seed run a local worker does).
    """
    from nb1s.optimizers.discrete import run_blackbox

    s = task.settings
    out = Path(task.out)
    groups = ([list(task.seeds)] if blackbox_optimizer(s.optimizer).vectorised
              else [[seed] for seed in task.seeds])
    for seeds in groups:
        trajectory = run_blackbox(s.optimizer, s.space, _objective(s), seeds, s.evaluations,
                                  s.optimizer_options())
        # a vectorised chunk's files (up to 500) in one batch: one fsync per file and
        # one per folder instead of a journal commit per file (nb1s.atomic)
        atomic_write_many((seed_file(out, s.space, s.optimizer, seed),
                           record_bytes(trajectory.for_seed(seed))) for seed in seeds)
    return list(task.seeds)


def _check_run_file(folder: Path, settings: GridSettings) -> None:
    """Write the run file, or refuse when it records other settings than this run's (a
    damaged or foreign run file is one line, `documents.BlackboxRunSettings`)."""
    path = folder / RUN_FILE
    mine = {"format": FORMAT, **asdict(settings)}
    if path.is_file():
        theirs = read_document(path, BlackboxRunSettings).to_json()
        keys = ("optimizer", "space", "evaluations", "repeat_policy", "data_sha256",
                "synthetic", "smac_model")
        differ = [k for k in keys if theirs.get(k) != mine[k]]
        if differ:
            raise UserError(f"{folder} holds seeds run with other settings ("
                            + ", ".join(f"{k}: {theirs.get(k)!r} there, {mine[k]!r} now"
                                        for k in differ)
                            + "): choose another --out")
        return
    if any(folder.glob("seed-*.npy")):
        # the settings of these seeds are unknown: never adopt them under this run's
        raise UserError(f"{folder} holds seed files but no {RUN_FILE}, so the settings they "
                        "were run with are unknown: restore that file or choose another --out")
    write_checked(path, mine, BlackboxRunSettings)


def check_smac_model(name: str) -> str:
    """SMAC's surrogate model by name (`smac3.MODELS`); UserError on anything else."""
    if str(name) not in SMAC_MODELS:
        raise UserError(f"unknown SMAC model {name!r}: choose {' or '.join(SMAC_MODELS)}")
    return str(name)


def grid_settings(optimizer: str, space: int, evaluations: int, store: NB101Store,
                  policy: str, smac_model: str = SMAC_MODELS[0]) -> GridSettings:
    """Validate the inputs and describe the run (nothing is run). `smac_model` is
    recorded for SMAC only (a SMAC seed file of one model never counts under another)."""
    optimizer = check_optimizer(optimizer)
    model = check_smac_model(smac_model)
    if int(evaluations) < 1:
        raise UserError(f"--evaluations must be at least 1 (got {evaluations})")
    entry = blackbox_optimizer(optimizer)
    if int(evaluations) < entry.min_evaluations:
        raise UserError(f"{optimizer} needs at least {entry.min_evaluations} evaluations, "
                        f"got {evaluations}")
    pol = repeat_policy(policy)
    prov = store.provenance
    source = prov.get("source") or {}
    return GridSettings(optimizer, check_space(space), int(evaluations),
                        pol.value, str(store.directory.resolve()),
                        source.get("sha256") if isinstance(source, dict) else None,
                        store.synthetic, model if model in entry.models else None)


def preload_modules(optimizers: set[str]) -> list[str]:
    """What the fork server imports once for all workers: this module and the libraries
    the optimizers' registered entries name (`BlackBoxOptimizer.libraries`)."""
    libraries = [m for opt in sorted(optimizers) for m in blackbox_optimizer(opt).libraries]
    return [__name__, *dict.fromkeys(libraries)]



SeedsDone = Callable[[GridSettings, list[int]], None]


def pending_seeds(settings: GridSettings, seeds: Sequence[int], out: Path) -> list[int]:
    """The seeds of `seeds` without a valid record file (finished seeds are skipped; a
    damaged file, `record_problem`, is run again and replaced atomically)."""
    return [int(s) for s in seeds
            if record_problem(seed_file(out, settings.space, settings.optimizer, int(s)),
                              int(s), settings.optimizer, settings.evaluations) is not None]


def damaged_seeds(settings: GridSettings, seeds: Sequence[int], out: Path) -> list[str]:
    """`seed-k: why` for every existing seed file of `seeds` that is damaged."""
    found = []
    for seed in seeds:
        path = seed_file(out, settings.space, settings.optimizer, int(seed))
        if not path.is_file():
            continue
        why = record_problem(path, int(seed), settings.optimizer, settings.evaluations)
        if why is not None:
            found.append(f"{path.name}: {why}")
    return found


def _prepare(jobs: Sequence[tuple[GridSettings, Sequence[int]]], out: Path
             ) -> list[tuple[GridSettings, list[int]]]:
    """Check every job's data and run file; each job's pending seeds (finished ones skipped)."""
    prepared = []
    for settings, seeds in jobs:
        _objective(settings)  # fail here, in one line, on missing budgets or architectures
        folder = run_folder(out, settings.space, settings.optimizer)
        folder.mkdir(parents=True, exist_ok=True)
        _check_run_file(folder, settings)
        prepared.append((settings, pending_seeds(settings, seeds, out)))
    return prepared


def _chunked(settings: GridSettings, todo: list[int], size: int, out: Path) -> list[_Task]:
    return [_Task(settings, tuple(todo[i:i + size]), str(out))
            for i in range(0, len(todo), size)]


def _slow_first(tasks: list[_Task]) -> list[_Task]:
    """Slow optimizers first (by their entries' seconds per seed), so the long tasks do not
    start last on a busy pool; equally slow ones keep their order."""
    return sorted(tasks, key=lambda t: -blackbox_optimizer(t.settings.optimizer)
                  .seconds_per_seed)


def _local_tasks(prepared: list[tuple[GridSettings, list[int]]], out: Path,
                 workers: int) -> list[_Task]:
    """Chunks of CHUNK seeds (vectorised, spread over the workers) or single seeds."""
    tasks: list[_Task] = []
    for settings, todo in prepared:
        vectorised = blackbox_optimizer(settings.optimizer).vectorised
        size = CHUNK if vectorised else 1
        if vectorised and workers > 1:
            size = max(1, min(CHUNK, -(-len(todo) // workers)))
        tasks += _chunked(settings, todo, size, out)
    return _slow_first(tasks)


def _cluster_tasks(prepared: list[tuple[GridSettings, list[int]]], out: Path,
                   parallelism: int) -> list[_Task]:
    """Groups of seeds sized for a job array (cluster.seeds_per_task), longer ones when
    that is needed to stay within MAX_ARRAY_TASKS."""
    work = sum(estimated_seconds(s.optimizer, s.evaluations, len(todo)) for s, todo in prepared)
    target = target_seconds(work, parallelism)
    while True:
        tasks: list[_Task] = []
        for settings, todo in prepared:
            size = seeds_per_task(settings.optimizer, settings.evaluations,
                                  blackbox_optimizer(settings.optimizer).vectorised, target)
            tasks += _chunked(settings, todo, size, out)
        if len(tasks) <= MAX_ARRAY_TASKS or target > 1e9:
            return _slow_first(tasks)
        target *= 2


def run_grid(jobs: Sequence[tuple[GridSettings, Sequence[int]]], out: Path, workers: int = 1,
             on_seeds: SeedsDone | None = None, cluster: ClusterSettings | None = None,
             on_submit: Callable[[ArrayRun], None] | None = None, *,
             executor: str = "local") -> int:
    """Run every pending seed of every (settings, seeds) job; seeds run.

    Settings must come from `grid_settings` (validated). `on_seeds(settings, seeds)` is
    called in this process after each task's files are written. The tasks are mapped by
    the executors (`executors.task_map`): with `cluster` (an executor with job arrays),
    one submitit job array (cluster.py; `on_submit` receives what was submitted, also
    when nothing was left to submit) and `workers` is not used; otherwise `executor`'s
    local worker processes, `workers` of them (one task runs in this process).
    """
    if int(workers) < 1:
        raise UserError(f"--workers must be at least 1 (got {workers})")
    prepared = _prepare(jobs, out)
    if cluster is not None:
        return _run_array(prepared, out, cluster, on_seeds, on_submit)
    tasks = _local_tasks(prepared, out, int(workers))
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            done = _run_task(task)
            if on_seeds is not None:
                on_seeds(task.settings, done)
        return sum(len(t.seeds) for t in tasks)
    from nb1s.harness.executors.base import ExecutorSettings
    from nb1s.harness.executors.task_map import task_map

    count = min(int(workers), len(tasks))
    pool = task_map(executor, ExecutorSettings(workers=count), grid_request(
        Path(out), count, preload_modules({t.settings.optimizer for t in tasks})))
    with pool:
        futures = pool.submit(_run_task, tasks)
        owner = dict(zip(futures, tasks, strict=True))
        for future in as_completed(futures):
            task = owner[future]
            try:
                done = future.result()
            except (UserError, ValueError) as exc:
                raise UserError(f"{task.settings.optimizer} on space {task.settings.space}, "
                                f"seeds {task.seeds[0]}..{task.seeds[-1]}: {exc}") from None
            if on_seeds is not None:
                on_seeds(task.settings, done)
    return sum(len(t.seeds) for t in tasks)


def _run_array(prepared: list[tuple[GridSettings, list[int]]], out: Path,
               settings: ClusterSettings, on_seeds: SeedsDone | None,
               on_submit: Callable[[ArrayRun], None] | None) -> int:
    """Submit the pending tasks as one job array and wait for it (cluster.py)."""
    tasks = _cluster_tasks(prepared, out, settings.parallelism)
    if not tasks:  # everything finished: no array at all
        if on_submit is not None:
            on_submit(ArrayRun(folder=str(settings.folder)))
        return 0
    array = slurm_array(settings)
    handles, run = submit(tasks, _run_task, settings, array)
    if on_submit is not None:
        on_submit(run)

    def finished(task: Any, seeds: list[int]) -> None:
        if on_seeds is not None:
            on_seeds(task.settings, seeds)

    def landed(task: _Task) -> list[int]:
        return [seed for seed in task.seeds if seed_file(
            Path(task.out), task.settings.space, task.settings.optimizer, seed).is_file()]

    return wait(tasks, handles, run, finished, landed=landed, watch=array.watch)


def run_blackbox_grid(optimizer: str, space: int, seeds: Sequence[int], evaluations: int,
                      out: Path, data_dir: Path | None = None,
                      policy: str = "one_random_repeat", workers: int = 1,
                      on_start: Callable[[int], None] | None = None,
                      on_seeds: SeedsDone | None = None,
                      store: NB101Store | None = None,
                      execution: ExecutionOptions | None = None,
                      smac_model: str = SMAC_MODELS[0],
                      parsed: ExecutorSettings | None = None) -> dict[str, Any]:
    """Run `optimizer` on `space` for every unfinished seed; one record file per seed.

    `on_start(n_pending)` is called once before running, `on_seeds` after each task
    (progress). Bad input (optimizer, space, seeds, evaluations, policy, data without the
    needed budgets or architectures) is a UserError before anything runs. The executor
    options are checked and parsed once (`parsed`: as `check_executor` already returned
    them for `execution`, e.g. once for many grids); on an executor with job arrays
    (`--executor slurm`) the pending seeds are one submitit job array (cluster.py;
    `workers` is then its parallelism) and the result also says what was submitted.
    """
    optimizer = check_optimizer(optimizer)
    check_space(space)
    repeat_policy(policy)  # refused before the (maybe missing) data is opened
    check_smac_model(smac_model)
    if execution is not None and parsed is None:
        parsed = check_executor(execution)
    store = store if store is not None else open_store(data_dir, budgets_needed(optimizer))
    settings = grid_settings(optimizer, space, evaluations, store, policy, smac_model)
    if not seeds or min(seeds) < 0:
        raise UserError("give at least one non-negative seed")
    est = estimate([(settings.optimizer, settings.evaluations)], len(seeds), workers)
    check_fits(est, out)  # before the run file or any seed file is written
    pending = len(pending_seeds(settings, seeds, out))
    damaged = damaged_seeds(settings, seeds, out)
    if on_start is not None:
        on_start(pending)
    cluster = cluster_settings(execution, out, parsed)
    arrays: list[ArrayRun] = []
    start = time.perf_counter()
    ran = run_grid([(settings, seeds)], out, workers, on_seeds, cluster, arrays.append,
                   executor=execution.executor if execution is not None else "local")
    result = {"optimizer": settings.optimizer, "space": settings.space,
              "evaluations": settings.evaluations, "repeat_policy": settings.repeat_policy,
              "smac_model": settings.smac_model, "seeds": len(seeds), "ran": ran,
              "skipped": len(seeds) - pending,
              "damaged": damaged, "estimate": asdict(est),
              "folder": str(run_folder(out, settings.space, settings.optimizer)),
              "synthetic": settings.synthetic, "seconds": round(time.perf_counter() - start, 3)}
    if cluster is not None:
        result["executor"] = cluster.executor
        result["slurm"] = arrays[0].as_dict()
    return result


def _runs_arrays(execution: ExecutionOptions) -> bool:
    """Whether the chosen executor runs job arrays (a capability, not a name)."""
    from nb1s.harness.executors.task_map import runs_arrays

    return runs_arrays(execution.executor)


def cluster_settings(execution: ExecutionOptions | None, out: Path,
                     parsed: ExecutorSettings | None = None) -> ClusterSettings | None:
    """The job array's settings on an executor with job arrays (jobs in OUT/slurm), else
    None; `parsed`: the options as `check_executor` already parsed them (not again)."""
    if execution is None or not _runs_arrays(execution):
        return None
    return ClusterSettings.from_options(execution, Path(out) / SLURM_FOLDER, parsed)


def run_blackbox_array(runs: Sequence[tuple[str, int, int]], seeds: Sequence[int], out: Path,
                       execution: ExecutionOptions, data_dir: Path | None = None,
                       policy: str = "one_random_repeat",
                       on_start: Callable[[int], None] | None = None,
                       on_seeds: SeedsDone | None = None,
                       smac_model: str = SMAC_MODELS[0]) -> dict[str, Any]:
    """Every (optimizer, space, evaluations) of `runs` for `seeds` as ONE job array.

    What Figures 5/14/15 need on a cluster (bohb/blackbox_adapter.py): a run whose inputs
    are refused (data without its budgets, RE below its population) is `blocked` with its
    one-line reason and the others still run; without a reachable Slurm or without data
    every run is blocked, so that the BOHB side of the figures still finishes. Returns
    {"ran": [one dict per run, as `run_blackbox_grid`'s], "blocked": [...], "slurm": what
    was submitted}.
    """
    repeat_policy(policy)
    check_smac_model(smac_model)
    if not _runs_arrays(execution):
        raise UserError("run_blackbox_array needs an executor that runs job arrays "
                        "(--executor slurm)")
    try:  # no Slurm, no data: every run is blocked (the BOHB side still finishes)
        cluster = ClusterSettings.from_options(execution, Path(out) / SLURM_FOLDER)
        store = open_store(data_dir, tuple(sorted({b for name, _, _ in runs
                                                   for b in budgets_needed(name)})))
    except UserError as exc:
        return {"ran": [], "blocked": [f"every black-box run: {exc}"], "slurm": None}
    jobs: list[tuple[GridSettings, Sequence[int]]] = []
    blocked: list[str] = []
    for name, space, evaluations in runs:
        try:
            settings = grid_settings(name, space, evaluations, store, policy, smac_model)
            _objective(settings)  # budgets and architectures, as run_grid checks them
        except (UserError, ValueError) as exc:
            blocked.append(f"{name} on space {space}: {exc}")
            continue
        jobs.append((settings, seeds))
    pending = {(s.optimizer, s.space): len(pending_seeds(s, seeds, out)) for s, _ in jobs}
    if on_start is not None:
        on_start(sum(pending.values()))
    written: dict[tuple[str, int], int] = dict.fromkeys(pending, 0)

    def counted(settings: GridSettings, done: list[int]) -> None:
        written[(settings.optimizer, settings.space)] += len(done)
        if on_seeds is not None:
            on_seeds(settings, done)

    arrays: list[ArrayRun] = []
    start = time.perf_counter()
    run_grid(jobs, out, 1, counted, cluster, arrays.append)
    seconds = round(time.perf_counter() - start, 3)
    ran = [{"optimizer": s.optimizer, "space": s.space, "evaluations": s.evaluations,
            "repeat_policy": s.repeat_policy, "smac_model": s.smac_model,
            "seeds": len(seeds),
            "ran": written[(s.optimizer, s.space)],
            "skipped": len(seeds) - pending[(s.optimizer, s.space)],
            "folder": str(run_folder(out, s.space, s.optimizer)), "synthetic": s.synthetic,
            "seconds": seconds, "executor": cluster.executor} for s, _ in jobs]
    return {"ran": ran, "blocked": blocked, "slurm": arrays[0].as_dict() if arrays else None}
