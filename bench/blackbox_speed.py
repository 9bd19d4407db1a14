"""Black-box optimizer speed: vectorised RS/RE/REINFORCE vs per-seed loops; library overhead.

Part 1 (the issue's target: 500 seeds x 280 evaluations on SS3 in under 10 s, >= 100x a
per-seed loop). The objective is a SYNTHETIC table in the shape of the harness store's
per-space table: the real SS3 lookup index (config id -> distinct NB101 hash, from the
enumerator) in front of random [hashes, 3] error and time columns. nb1s runs each
optimizer for all seeds at once; the baseline is written in the original's style: seed
after seed, one query per evaluation that builds the NB101 spec, hashes it and looks the
hash up in a dict of per-repeat results, as Google's `api.NASBench.query` does, drawing
the repeat with Python's `random`. Both sides run the same algorithm; only the execution
differs.

Part 2: TPE, SMAC, HB and BOHB wrap their libraries, one query at a time. For each we
time a run with the synthetic table and one with a free objective (constant error, no
lookup), so the optimizer's own overhead is shown next to the objective's share. HB and
BOHB are timed with both hpbandster engines in the same run (in-process, the default, and
the Pyro client/server reference), interleaved, with the ratio and a check that both
engines returned identical records. SMAC is timed only with `--smac` (and once more with
SMAC3's own leaf cap, the baseline of nb1s's per-fit cap, records compared): its 280-query
runs take minutes on 2 cores, which would dominate `make bench`; without it the
default run took 2 min 32 s here (HB and BOHB with both engines; load average about 3).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from nb1s.enumerate import SearchSpace, decode, get_space, hash_spec, load_index
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.optimizers.discrete import (
    Evaluation,
    RepeatTable,
    TableObjective,
    encoding_for,
    hpbandster_inprocess,
    run_blackbox,
)
from nb1s.optimizers.discrete.hyperband import MAX_BUDGET, bohb, hyperband
from nb1s.optimizers.discrete.smac3 import smac

SPACE = 3
LIBRARY = ("TPE", "SMAC", "HB", "BOHB")


def store_shaped_objective(space: int, seed: int = 0) -> TableObjective:
    """SYNTHETIC errors on the real lookup index of `space` (hashes, config -> hash)."""
    index = load_index(space)
    rng = np.random.default_rng(seed)
    n = len(index.hashes)
    valid = np.clip(rng.uniform(0.05, 0.3, size=(n, 1)) + rng.normal(0, 0.005, (n, 3)), 0, 1)
    test = valid + rng.normal(0, 0.005, (n, 3))
    time_ = np.repeat(rng.uniform(500.0, 3000.0, size=(n, 1)), 3, axis=1)
    tables = {b: RepeatTable(valid + 0.01 * np.log(108 / b), test, time_ * b / 108)
              for b in (4, 12, 36, 108)}
    return TableObjective(positions=index.config_hash.astype(np.int64), tables=tables,
                          hashes=index.hashes, synthetic=True)


class QueryAPI(Protocol):
    """What the per-seed baselines query: one config id -> (valid, test, time)."""

    space: SearchSpace

    def query(self, config_id: int) -> tuple[float, float, float]: ...


class DictQueryAPI:
    """The original's query path: spec -> NB101 hash -> dict -> one random repeat."""

    def __init__(self, objective: TableObjective) -> None:
        assert objective.hashes is not None
        table = objective.tables[108]
        self.space = get_space(SPACE)
        self.data = {h.decode(): (table.valid_error[i].tolist(), table.test_error[i].tolist(),
                                  table.train_time[i].tolist())
                     for i, h in enumerate(objective.hashes)}

    def query(self, config_id: int) -> tuple[float, float, float]:
        matrix, ops = to_nb101_spec(self.space, decode(self.space, config_id))
        valid, test, time_ = self.data[hash_spec(matrix, ops).hash]
        r = random.randint(0, 2)
        return valid[r], test[r], time_[r]


def _sample(rng: random.Random, card: list[int]) -> list[int]:
    return [rng.randrange(c) for c in card]


def baseline_rs(api: QueryAPI, seeds: int, n: int) -> None:
    enc = encoding_for(api.space.number)
    card = enc.cardinalities.tolist()
    for seed in range(seeds):
        rng = random.Random(seed)
        for _ in range(n):
            api.query(int(enc.from_indices(np.asarray(_sample(rng, card)))))


def baseline_re(api: QueryAPI, seeds: int, n: int, pop: int = 100, tour: int = 10) -> None:
    enc = encoding_for(api.space.number)
    sp = enc.space
    card = enc.cardinalities.tolist()
    k = sp.num_choice_blocks
    for seed in range(seeds):
        rng = random.Random(seed)
        population: collections.deque[tuple[list[int], float]] = collections.deque()
        for _ in range(pop):
            arch = _sample(rng, card)
            population.append((arch, api.query(int(enc.from_indices(np.asarray(arch))))[0]))
        for _ in range(n - pop):
            parent = min((rng.choice(population) for _ in range(tour)), key=lambda m: m[1])[0]
            child = list(parent)
            kind = rng.randrange(3)
            if kind == 1:
                node = rng.randrange(2, k + 2)
                options = sp.parent_options[node - 1]
                parents = list(options[child[k + node - 1]])
                free = [v for v in range(node) if v not in parents]
                parents[rng.randrange(len(parents))] = rng.choice(free)
                child[k + node - 1] = options.index(tuple(sorted(parents)))
            elif kind == 2:
                b = rng.randrange(k)
                child[b] = rng.choice([o for o in range(3) if o != child[b]])
            population.append((child, api.query(int(enc.from_indices(np.asarray(child))))[0]))
            population.popleft()


def baseline_rl(api: QueryAPI, seeds: int, n: int, lr: float = 0.1) -> None:
    enc = encoding_for(api.space.number)
    card = enc.cardinalities.tolist()
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        logits = [np.zeros(c) for c in card]
        num = den = 0.0
        for _ in range(n):
            probs = [np.exp(lg - lg.max()) / np.exp(lg - lg.max()).sum() for lg in logits]
            choice = [int(rng.choice(len(p), p=p)) for p in probs]
            reward = 1.0 - api.query(int(enc.from_indices(np.asarray(choice))))[0]
            num, den = 0.9 * num + 0.1 * reward, 0.9 * den + 0.1
            adv = reward - num / den
            for lg, p, c in zip(logits, probs, choice, strict=True):
                grad = -p
                grad[c] += 1.0
                lg += lr * adv * grad


BASELINES: dict[str, Callable[[QueryAPI, int, int], None]] = {
    "RS": baseline_rs, "RE": baseline_re, "RL": baseline_rl}


class FreeObjective:
    """A free objective: constant errors, no lookup (the optimizer's own overhead)."""

    def __call__(self, config_ids: Any, budget: int, draws: Any) -> Evaluation:
        shape = np.shape(config_ids)
        return Evaluation(np.full(shape, 0.1), np.full(shape, 0.1), np.full(shape, 1.0))


ENGINE_RUNNERS: dict[str, Callable[..., Any]] = {"HB": hyperband, "BOHB": bohb}


@contextlib.contextmanager
def statsmodels_densities() -> Iterator[None]:
    """In-process BOHB as it ran before `categorical_kde`: statsmodels' own pdf per call."""
    saved = hpbandster_inprocess.use_categorical_densities
    hpbandster_inprocess.use_categorical_densities = lambda kde_models: None
    try:
        yield
    finally:
        hpbandster_inprocess.use_categorical_densities = saved


#: the engines timed per optimizer, label -> (hpbandster engine, run with statsmodels' pdf);
#: "inprocess-statsmodels" is the baseline of BOHB's exact categorical densities
ENGINES: dict[str, dict[str, tuple[str, bool]]] = {
    "HB": {"inprocess": ("inprocess", False), "pyro": ("pyro", False)},
    "BOHB": {"inprocess": ("inprocess", False),
             "inprocess-statsmodels": ("inprocess", True), "pyro": ("pyro", False)},
}


def engine_rows(name: str, objective: TableObjective, evaluations: int
                ) -> list[dict[str, Any]]:
    """HB or BOHB (`evaluations` x 108 epochs, seed 0) with each engine of `ENGINES`, each
    with the table and with the free objective; the runs interleaved so that a change in
    machine load hits all engines alike. The records of all engines are compared as well
    (they must be identical)."""
    runner = ENGINE_RUNNERS[name]
    runner(SPACE, objective, 0, MAX_BUDGET, engine="pyro")  # warm imports
    engines = ENGINES[name]
    seconds: dict[tuple[str, str], float] = {}
    records: dict[tuple[str, str], Any] = {}
    for label, objective_ in (("table", objective), ("free", FreeObjective())):
        for engine, (hpbandster_engine, statsmodels_pdf) in engines.items():
            start = time.perf_counter()
            with statsmodels_densities() if statsmodels_pdf else contextlib.nullcontext():
                records[engine, label] = runner(SPACE, objective_, 0, evaluations * MAX_BUDGET,
                                                engine=hpbandster_engine).records
            seconds[engine, label] = time.perf_counter() - start
    rows: list[dict[str, Any]] = []
    for engine in engines:
        n_table, n_free = len(records[engine, "table"]), len(records[engine, "free"])
        rows.append({"optimizer": name, "engine": engine, "seeds": 1,
                     "evaluations": n_table,
                     "run_s": round(seconds[engine, "table"], 3),
                     "per_evaluation_ms": round(1e3 * seconds[engine, "table"] / n_table, 3),
                     "free_objective_run_s": round(seconds[engine, "free"], 3),
                     "free_per_evaluation_ms": round(1e3 * seconds[engine, "free"] / n_free,
                                                     3)})
    for other in list(engines)[1:]:
        rows.append({"optimizer": name, "engine": f"{other} / inprocess",
                     "ratio": round(seconds[other, "table"] / seconds["inprocess", "table"], 1),
                     "free_objective_ratio": round(seconds[other, "free"]
                                                   / seconds["inprocess", "free"], 1),
                     "identical_records": all(
                         records[other, k].tobytes() == records["inprocess", k].tobytes()
                         for k in ("table", "free"))})
    return rows


def run(seeds: int, baseline_seeds: int, n: int, library_evals: int,
        rounds: int = 2, library: bool = True, smac: bool = False) -> list[dict[str, Any]]:
    """Best-of-`rounds` seconds per side, nb1s and baseline rounds interleaved (a busy
    machine then slows both alike); the baseline runs `baseline_seeds` and is scaled."""
    objective = store_shaped_objective(SPACE)
    api = DictQueryAPI(objective)
    rows: list[dict[str, Any]] = []
    for name, baseline in BASELINES.items():
        seconds = base = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            run_blackbox(name, SPACE, objective, range(seeds), n)
            seconds = min(seconds, time.perf_counter() - start)
            start = time.perf_counter()
            baseline(api, baseline_seeds, n)
            base = min(base, time.perf_counter() - start)
        base_scaled = base * seeds / baseline_seeds
        rows.append({"optimizer": name, "seeds": seeds, "evaluations": n,
                     "nb1s_s": round(seconds, 3),
                     "baseline_s": round(base_scaled, 3),
                     "baseline_measured_seeds": baseline_seeds,
                     "ratio": round(base_scaled / seconds, 1)})
    for name in LIBRARY if library else ():
        if name == "SMAC" and not smac:
            rows.append({"optimizer": name, "skipped": "needs --smac (about 7 min at 280)"})
            continue
        if name in ENGINE_RUNNERS:
            rows += engine_rows(name, objective, library_evals)
            continue
        with_table = run_blackbox(name, SPACE, objective, [0], 1)  # warm imports
        start = time.perf_counter()
        with_table = run_blackbox(name, SPACE, objective, [0], library_evals)
        table_s = time.perf_counter() - start
        start = time.perf_counter()
        free = run_blackbox(name, SPACE, FreeObjective(), [0], library_evals)
        free_s = time.perf_counter() - start
        rows.append({"optimizer": name, "seeds": 1, "evaluations": len(with_table.records),
                     "run_s": round(table_s, 3),
                     "per_evaluation_ms": round(1e3 * table_s / len(with_table.records), 3),
                     "free_objective_run_s": round(free_s, 3),
                     "free_per_evaluation_ms": round(1e3 * free_s / len(free.records), 3)})
        if name == "SMAC":
            rows.append(smac_leaf_cap_row(objective, library_evals, table_s, with_table))
    return rows


def smac_leaf_cap_row(objective: TableObjective, evaluations: int, capped_s: float,
                      capped: Any) -> dict[str, Any]:
    """SMAC with SMAC3's own 2**20-leaf cap per forest fit, against the run above (leaves
    capped at the rows of each fit, the default): seconds and whether the trials agree."""
    start = time.perf_counter()
    shipped = smac(SPACE, objective, 0, evaluations, cap_leaves_at_rows=False)
    shipped_s = time.perf_counter() - start
    return {"optimizer": "SMAC", "variant": "SMAC3's leaf cap / cap at rows",
            "shipped_cap_run_s": round(shipped_s, 3), "rows_cap_run_s": round(capped_s, 3),
            "ratio": round(shipped_s / capped_s, 1),
            "identical_records": shipped.records.tobytes() == capped.records.tobytes()}


class NasbenchQueryAPI:
    """The original's way over the harness: spec -> `nasbench_api.ModelSpec` -> `query`.

    `nb1s.harness.nb101.nasbench_api` is the drop-in for Google's API on the nb1s index;
    `query` draws one repeat with its seeded `random.Random`, as the original scripts did
    per query (docs/original-code.md#black-box-encoding).
    """

    def __init__(self, index_dir: Path, space: int, seed: int = 0) -> None:
        from nb1s.harness.nb101 import nasbench_api

        self._api = nasbench_api
        self.nasbench = nasbench_api.NASBench(index_dir, seed=seed)
        self.space = get_space(space)

    def query(self, config_id: int) -> tuple[float, float, float]:
        matrix, ops = to_nb101_spec(self.space, decode(self.space, config_id))
        data = self.nasbench.query(self._api.ModelSpec(matrix, ops))
        return (1.0 - data["validation_accuracy"], 1.0 - data["test_accuracy"],
                data["training_time"])


def full_index(index: Path | None, spaces: list[int]) -> Path:
    """A four-budget index: `index`, or the smoke profile's SYNTHETIC one built in a temp dir."""
    if index is not None:
        return index
    from nb1s.harness.experiments.blackbox.smoke_data import prepare_full_smoke_index

    return prepare_full_smoke_index(Path(tempfile.mkdtemp(prefix="nb1s-bench-")), spaces)


def harness_rows(index_dir: Path, space: int, seeds: int, baseline_seeds: int, n: int,
                 rounds: int = 2) -> list[dict[str, Any]]:
    """RS/RE/RL through the harness's NB101 objective vs a per-seed loop over `query`.

    Both sides read the same imported index; best of `rounds`, interleaved. The nb1s side
    is timed twice: the optimizer on the objective, and `run_blackbox_grid` (one record
    file per seed written atomically, what `nb1s blackbox` does).
    """
    from nb1s.harness.blackbox_runs.grid import run_blackbox_grid
    from nb1s.harness.blackbox_runs.objective import nb101_objective
    from nb1s.harness.nb101.store import NB101Store

    store = NB101Store(index_dir)
    start = time.perf_counter()
    objective = nb101_objective(store, space)
    build_s = time.perf_counter() - start
    api = NasbenchQueryAPI(index_dir, space)
    rows: list[dict[str, Any]] = []
    for name, baseline in BASELINES.items():
        seconds = base = grid_s = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            run_blackbox(name, space, objective, range(seeds), n)
            seconds = min(seconds, time.perf_counter() - start)
            start = time.perf_counter()
            baseline(api, baseline_seeds, n)
            base = min(base, time.perf_counter() - start)
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                run_blackbox_grid(name, space, range(seeds), n, Path(out), store=store)
                grid_s = min(grid_s, time.perf_counter() - start)
        base_scaled = base * seeds / baseline_seeds
        rows.append({"part": "harness", "optimizer": name, "space": space, "seeds": seeds,
                     "evaluations": n, "synthetic": store.synthetic,
                     "objective_build_s": round(build_s, 3), "nb1s_s": round(seconds, 3),
                     "grid_with_files_s": round(grid_s, 3),
                     "query_loop_s": round(base_scaled, 3),
                     "query_loop_measured_seeds": baseline_seeds,
                     "ratio": round(base_scaled / seconds, 1),
                     "ratio_with_files": round(base_scaled / grid_s, 1)})
    return rows


FIGURE5_OPTIMIZERS = ("RS", "RE", "RL", "TPE", "HB", "BOHB", "SMAC")


def figure5_rows(index_dir: Path, spaces: list[int], seeds: int, library_seeds: int,
                 workers: int, n: int = 280, optimizers: tuple[str, ...] = FIGURE5_OPTIMIZERS
                 ) -> list[dict[str, Any]]:
    """The black-box part of Figure 5 on `workers` local processes, per optimizer.

    RS/RE/RL run all `seeds`; TPE, SMAC, HB and BOHB run `library_seeds` and their time
    is EXTRAPOLATED linearly to `seeds` (labelled so in the rows).
    """
    from nb1s.harness.blackbox_runs.grid import grid_settings, run_grid
    from nb1s.harness.nb101.store import NB101Store

    store = NB101Store(index_dir)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as out:
        for name in optimizers:
            ran_seeds = seeds if name in BASELINES else library_seeds
            jobs = [(grid_settings(name, sp, n, store, "one_random_repeat"), range(ran_seeds))
                    for sp in spaces]
            start = time.perf_counter()
            run_grid(jobs, Path(out), workers)
            measured = time.perf_counter() - start
            full = measured * seeds / ran_seeds
            rows.append({"part": "figure5", "optimizer": name, "spaces": spaces,
                         "workers": workers, "seeds_run": ran_seeds,
                         "measured_s": round(measured, 1),
                         "seeds_target": seeds,
                         "estimate_s": round(full, 1),
                         "estimate": "measured" if ran_seeds == seeds
                         else f"EXTRAPOLATED linearly from {ran_seeds} seeds"})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)  # progress of a long run
    total = sum(r["estimate_s"] for r in rows)
    rows.append({"part": "figure5", "optimizer": "all", "spaces": spaces, "workers": workers,
                 "measured_s": round(sum(r["measured_s"] for r in rows), 1),
                 "estimate_s": round(total, 1),
                 "estimate": "sum of the rows above (extrapolated where they say so)"})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="50 seeds, baseline on 5 seeds, 40 library evaluations")
    parser.add_argument("--skip-library", action="store_true",
                        help="only the vectorised optimizers (RS, RE, RL)")
    parser.add_argument("--smac", action="store_true",
                        help="also time SMAC (two runs of 280 queries: minutes)")
    parser.add_argument("--json", action="store_true", help="print JSON rows only")
    parser.add_argument("--harness", action="store_true",
                        help="only the harness part: RS/RE/RL through the NB101 objective "
                        "vs a per-seed loop over nasbench_api.query")
    parser.add_argument("--figure5", action="store_true",
                        help="only the black-box part of Figure 5 (7 optimizers x spaces)")
    parser.add_argument("--index", type=Path, default=None,
                        help="four-budget NB101 index (default: build the SYNTHETIC smoke "
                        "index of the spaces in a temp dir, about a minute for SS3)")
    parser.add_argument("--space", type=int, default=SPACE, help="harness part's space")
    parser.add_argument("--spaces", default="1,2,3", help="figure 5 part's spaces")
    parser.add_argument("--library-seeds", type=int, default=2,
                        help="figure 5 part: seeds of TPE/SMAC/HB/BOHB (extrapolated)")
    parser.add_argument("--workers", type=int, default=2, help="figure 5 part's workers")
    parser.add_argument("--optimizers", default=",".join(FIGURE5_OPTIMIZERS),
                        help="figure 5 part: which optimizers (default: all seven)")
    args = parser.parse_args(argv)
    if args.harness or args.figure5:
        seeds = 50 if args.quick else 500
        extra: list[dict[str, Any]] = []
        if args.harness:
            index = full_index(args.index, [args.space])
            extra += harness_rows(index, args.space, seeds, 5 if args.quick else 10, 280)
        if args.figure5:
            spaces = [int(x) for x in args.spaces.split(",")]
            index = full_index(args.index, spaces)
            extra += figure5_rows(index, spaces, seeds, args.library_seeds, args.workers,
                                  optimizers=tuple(args.optimizers.split(",")))
        if args.json:
            print(json.dumps(extra, indent=1))
        else:
            print("NB101 index: " + ("SYNTHETIC" if all(r.get("synthetic", True)
                                                         for r in extra) else "real"))
            for row in extra:
                print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
        return 0
    if args.quick:
        rows = run(seeds=50, baseline_seeds=5, n=280, library_evals=40,
                   library=not args.skip_library, smac=args.smac)
    else:
        rows = run(seeds=500, baseline_seeds=10, n=280, library_evals=280,
                   library=not args.skip_library, smac=args.smac)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print("SYNTHETIC objective (random errors on the real SS3 lookup index); "
          "baseline timed on fewer seeds and scaled linearly")
    for row in rows:
        print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
