"""Benchmark of the reproducibility harness: aggregation and the local executor.

1. Aggregating a Figure-7-sized results folder (6 variants x 3 spaces x 6 seeds x 101
   epochs of fixture runs, labelled as such) with `aggregate_results` (numpy, one pass per
   metric) against a straightforward baseline that re-reads each run's records per epoch and
   uses Python's `statistics` module, as a first script would.
2. Running 8 jobs of 0.5 s each with the local executor (4 workers) against running them
   one after another. The jobs sleep, so this measures orchestration overhead and parallel
   scaling, not compute.
Prints both timings and the ratio for each.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("darts", "darts2", "gdas", "pcdarts", "enas", "random_ws")


def _write_fixture(root: Path, epochs: int = 100, seeds: int = 6) -> None:
    from nb1s.harness.recipe.plan import Plan, RunSpec

    runs = []
    for v_i, variant in enumerate(VARIANTS):
        for space in (1, 2, 3):
            for seed in range(seeds):
                spec = RunSpec(variant=variant, label=variant, optimizer=variant, space=space,
                               seed=seed, epochs=epochs)
                runs.append(spec)
                path = root / "runs" / spec.key
                path.mkdir(parents=True)
                # the run-schema format (docs/run-schema.md), so the aggregation validates
                (path / "run.json").write_text(json.dumps({
                    "optimizer": variant, "space": space, "seed": seed, "epochs": epochs,
                    "hyperparameters": {}, "options": {}, "status": "complete",
                    "fixture": True, "data": {"nb101": {"synthetic": True}, "cifar10": {
                        "path": "fixture", "kind": "digits", "synthetic": True}}}))
                lines = [json.dumps({"epoch": e, "config_id": e, "nb101_hash": f"{e:032x}",
                                     "test_error_mean": 0.06, "valid_error_mean": 0.06,
                                     "test_error_repeats": [0.06] * 3,
                                     "valid_error_repeats": [0.06] * 3,
                                     "test_regret": 0.01 + 1e-4 * (e + seed + v_i),
                                     "valid_regret": 0.01, "oneshot_valid_error": 0.2,
                                     "oneshot_train_error": 0.2})
                         for e in range(epochs + 1)]
                (path / "epochs.jsonl").write_text("\n".join(lines) + "\n")
    plan = Plan(recipe="fig7", version=1, title="bench fixture", kind="search",
                profile="paper", protocol="paper", runs=runs, final_epoch="last", band="std",
                spaces=[1, 2, 3], labels=["synthetic"])
    (root / "plan.json").write_text(json.dumps(plan.as_dict()))


def _baseline_aggregate(root: Path) -> dict[tuple[str, int], list[tuple[float, float]]]:
    plan = json.loads((root / "plan.json").read_text())
    out: dict[tuple[str, int], list[tuple[float, float]]] = {}
    groups: dict[tuple[str, int], list[str]] = {}
    for r in plan["runs"]:
        groups.setdefault((r["variant"], r["space"]), []).append(
            f"{r['variant']}/space{r['space']}/seed{r['seed']}")
    for key, run_keys in groups.items():
        curve = []
        epochs = plan["runs"][0]["epochs"] + 1
        for e in range(epochs):
            for metric in ("test_regret", "valid_regret", "oneshot_valid_error",
                           "oneshot_train_error"):
                vals = []
                for rk in run_keys:  # re-read per epoch, as a naive script would
                    recs = (root / "runs" / rk / "epochs.jsonl").read_text().splitlines()
                    vals.append(json.loads(recs[e])[metric])
                if metric == "test_regret":
                    curve.append((statistics.mean(vals), statistics.stdev(vals)))
        out[key] = curve
    return out


def _best_of(fn: object, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def bench_aggregate() -> tuple[float, float]:
    from nb1s.harness.experiments.search_curves.aggregate import aggregate_results

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_fixture(root)
        ours = _best_of(lambda: aggregate_results(root))
        base = _best_of(lambda: _baseline_aggregate(root), repeats=1)
        agg = aggregate_results(root)
        ref = _baseline_aggregate(root)
        g = agg["groups"][0]
        mean0 = ref[(g["variant"], g["space"])][5][0]
        assert abs(g["metrics"]["test_regret"]["mean"][5] - mean0) < 1e-12
    return ours, base


def bench_executor(jobs: int = 8, workers: int = 4) -> tuple[float, float]:
    from nb1s.harness.executors import Job, run_job_process
    from nb1s.harness.executors.local import LocalExecutor

    with tempfile.TemporaryDirectory() as tmp:
        todo = [Job(f"j{i}", (), Path(tmp) / f"j{i}.log",
                    program=(sys.executable, "-c", "import time; time.sleep(0.5)"))
                for i in range(jobs)]
        t0 = time.perf_counter()
        LocalExecutor(workers=workers, gpus=[]).run(todo)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        for job in todo:
            run_job_process(job)
        base = time.perf_counter() - t0
    return ours, base


def main(argv: list[str] | None = None) -> int:
    del argv
    agg_ours, agg_base = bench_aggregate()
    ex_ours, ex_base = bench_executor()
    print("harness benchmark (fixture data, labelled synthetic)")
    print(f"{'task':<46}{'nb1s':>10}{'baseline':>11}{'speed-up':>10}")
    print(f"{'aggregate 108 runs x 101 epochs x 4 metrics':<46}{agg_ours:>9.3f}s"
          f"{agg_base:>10.3f}s{agg_base / agg_ours:>9.1f}x")
    print(f"{'8 jobs x 0.5 s, local executor (4 workers)':<46}{ex_ours:>9.3f}s"
          f"{ex_base:>10.3f}s{ex_base / ex_ours:>9.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
