"""NAS-Bench-101 data: nb1s's memory-mapped index against loading the file like `nasbench`.

On a SYNTHETIC only108 file (all 423,624 unique graphs x 3 repeats by default; the
numbers are invented, the format and size are the official ones) it times, side by side
in one run:
- nb1s: import, index open (fresh process), resident memory after open (fresh process),
  batched lookups of mean test error by search-space config id (space 3, the harness's
  path) and by NB101 hash;
- the baseline: what Google's API does at start-up (JSON + protobuf per record into
  Python dicts), its memory, then one dict lookup per query (given the hashes for free).
Targets (issue 3): open < 0.5 s, RSS after open < 200 MB, >= 1,000,000 batched queries/s
and >= 100x the baseline's query rate.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

_OPEN_PROBE = """
import json, sys, time
import psutil
t0 = time.perf_counter()
from nb1s.harness.nb101.store import open_store
from pathlib import Path
store = open_store(Path(sys.argv[1]))
opened = time.perf_counter() - t0
print(json.dumps({"open_s": opened, "rss_mb": psutil.Process().memory_info().rss / 2**20,
                  "models": store.num_models}))
"""


def _rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


def _best_rate(fn: Any, n: int, repeats: int = 3) -> float:
    """Queries per second of the fastest of `repeats` runs of `fn()` answering n queries."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def baseline_load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the `nasbench` API's two dicts exactly as its constructor does (minus TF)."""
    from nb1s.harness.nb101.model_metrics import ModelMetrics
    from nb1s.harness.nb101.tfrecord import iter_records

    fixed: dict[str, Any] = {}
    computed: dict[str, Any] = {}
    for payload in iter_records(path):
        module_hash, epochs, raw_adjacency, raw_operations, raw_metrics = json.loads(
            payload.decode("utf-8"))
        dim = int(np.sqrt(len(raw_adjacency)))
        adjacency = np.array([int(e) for e in raw_adjacency], dtype=np.int8).reshape(dim, dim)
        metrics = ModelMetrics.FromString(base64.b64decode(raw_metrics))
        if module_hash not in fixed:
            fixed[module_hash] = {"module_adjacency": adjacency,
                                  "module_operations": raw_operations.split(","),
                                  "trainable_parameters": metrics.trainable_parameters}
            computed[module_hash] = {}
        half, final = metrics.evaluation_data[1], metrics.evaluation_data[2]
        computed[module_hash].setdefault(epochs, []).append({
            "halfway_training_time": half.training_time,
            "halfway_train_accuracy": half.train_accuracy,
            "halfway_validation_accuracy": half.validation_accuracy,
            "halfway_test_accuracy": half.test_accuracy,
            "final_training_time": final.training_time,
            "final_train_accuracy": final.train_accuracy,
            "final_validation_accuracy": final.validation_accuracy,
            "final_test_accuracy": final.test_accuracy,
        })
    return fixed, computed


def run(models: int | None, queries: int, baseline_queries: int, workdir: Path,
        source: Path | None) -> dict[str, Any]:
    from nb1s.harness.nb101.importer import import_tfrecord
    from nb1s.harness.nb101.store import open_store
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    result: dict[str, Any] = {"synthetic": True}
    if source is None:
        source = workdir / "synthetic_only108.tfrecord"
        t0 = time.perf_counter()
        # Space 3 is always covered so the config-id path can be measured on small runs.
        written = write_synthetic_tfrecord(source, models=models, seed=0,
                                           spaces=[3] if models is not None else ())
        result["synth_s"] = time.perf_counter() - t0
        result["records"] = written["records"]
    result["file_mb"] = source.stat().st_size / 2**20
    index_dir = workdir / "index"
    t0 = time.perf_counter()
    provenance = import_tfrecord(source, index_dir)
    result["import_s"] = time.perf_counter() - t0
    result["records"] = provenance["records"]
    result["models"] = provenance["models"]
    result["index_mb"] = sum(f.stat().st_size for f in index_dir.iterdir()) / 2**20

    probe = subprocess.run([sys.executable, "-c", _OPEN_PROBE, str(index_dir)],
                           capture_output=True, text=True, check=True)
    result.update(json.loads(probe.stdout))

    rng = np.random.default_rng(0)
    store = open_store(index_dir)
    index = store.space_index(3)
    ids = rng.integers(0, len(index.config_hash), size=queries)
    store.space_errors(3, ids[:10])  # builds the per-space table once
    result["nb1s_config_qps"] = _best_rate(lambda: store.space_errors(3, ids).test_error_mean,
                                           queries)
    query_hashes = index.hashes[index.config_hash[ids]]
    test_acc = store.metric(108, "final_test_accuracy")

    def by_hash() -> np.ndarray:
        rows = store.rows_of(query_hashes)
        return 1.0 - np.asarray(test_acc[rows]).mean(axis=1)

    result["nb1s_hash_qps"] = _best_rate(by_hash, queries)

    gc.collect()
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    _fixed, computed = baseline_load(source)
    result["baseline_load_s"] = time.perf_counter() - t0
    result["baseline_rss_mb"] = _rss_mb() - rss_before
    baseline_keys = [h.decode("ascii") for h in query_hashes[:baseline_queries]]

    def baseline_queries_run() -> list[float]:
        out = []
        for key in baseline_keys:
            repeats = computed[key][108]
            out.append(1.0 - sum(r["final_test_accuracy"] for r in repeats) / len(repeats))
        return out

    result["baseline_qps"] = _best_rate(baseline_queries_run, len(baseline_keys))
    # Same answers: the comparison is only meaningful if both agree.
    ours = store.space_errors(3, ids[:baseline_queries]).test_error_mean
    result["answers_agree"] = bool(np.allclose(ours, baseline_queries_run(), rtol=0, atol=1e-12))
    result["config_speedup"] = result["nb1s_config_qps"] / result["baseline_qps"]
    result["hash_speedup"] = result["nb1s_hash_qps"] / result["baseline_qps"]
    result["open_speedup"] = result["baseline_load_s"] / result["open_s"]
    result["targets"] = {
        "open_under_0.5s": result["open_s"] < 0.5,
        "rss_under_200mb": result["rss_mb"] < 200,
        "batched_1M_qps": result["nb1s_config_qps"] >= 1e6,
        "100x_baseline": result["config_speedup"] >= 100,
    }
    return result


def render(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"NAS-Bench-101 data, SYNTHETIC only108 file: {r['models']:,} models, "
                        f"{r['records']:,} records, {r['file_mb']:.0f} MB")
    for col in ("", "nb1s", "baseline (nasbench-style dicts)", "ratio"):
        table.add_column(col, justify="right")
    table.add_row("import / load", f"{r['import_s']:.1f} s (once)",
                  f"{r['baseline_load_s']:.1f} s (every start)", "")
    table.add_row("open", f"{r['open_s'] * 1000:.0f} ms", f"{r['baseline_load_s']:.1f} s",
                  f"{r['open_speedup']:,.0f}x")
    table.add_row("memory", f"{r['rss_mb']:.0f} MB RSS after open",
                  f"+{r['baseline_rss_mb']:,.0f} MB RSS after load",
                  f"{r['baseline_rss_mb'] / r['rss_mb']:,.1f}x")
    table.add_row("queries/s by config id", f"{r['nb1s_config_qps']:,.0f}",
                  f"{r['baseline_qps']:,.0f}", f"{r['config_speedup']:,.0f}x")
    table.add_row("queries/s by hash", f"{r['nb1s_hash_qps']:,.0f}",
                  f"{r['baseline_qps']:,.0f}", f"{r['hash_speedup']:,.0f}x")
    console = Console(width=120)
    console.print(table)
    made = f"synthesized in {r['synth_s']:.1f} s; " if "synth_s" in r else ""
    console.print(f"{made}index on disk {r['index_mb']:.0f} MB; answers agree: "
                  f"{r['answers_agree']}; targets: {r['targets']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=None,
                        help="first N unique graphs (+ all of space 3); default all 423,624")
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--baseline-queries", type=int, default=200_000)
    parser.add_argument("--file", type=Path, default=None,
                        help="reuse an existing (synthetic) only108 tfrecord")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nb1s-bench-") as tmp:
        result = run(args.models, args.queries, args.baseline_queries, Path(tmp), args.file)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        render(result)
    return 0 if result["answers_agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
