"""Benchmark: the compiled enumerator against the plain-Python baseline, in one run.

Times, side by side: (1) all of Table 1 (every count of the three spaces, every SS3
configuration classified by NB101 hash), (2) the same plus the md5 hash string of every
class (what building the lookup indices needs), (3) loading a cached lookup index,
(4) the NAS-Bench-101 generator. The baseline for (1)/(2) is `plain_enumerator.table1`,
which hashes every distinct pruned graph in Python. For (4) the baseline walks up to 6
vertices by default (the full 7-vertex walk takes minutes: `--full-nb101-baseline`), and
the ratio is taken on identical work (both up to 6 vertices).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plain_enumerator as plain
from nb1s.enumerate._core import GraphClassifier, enumerate_nb101

from nb1s.enumerate import SPACES, count_space, enumerate_nb101_space, load_index
from nb1s.enumerate.index import build_index


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` calls, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(full_nb101_baseline: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    ours_counts, counts = timed(lambda: [count_space(SPACES[n]) for n in (1, 2, 3)], repeat=3)
    ours_hashes, _ = timed(lambda: [build_index(SPACES[n]) for n in (1, 2, 3)])
    base, base_counts = timed(lambda: [plain.table1(SPACES[n].parents) for n in (1, 2, 3)])
    for ours, theirs in zip(counts, base_counts, strict=True):
        mine = ours.as_dict()
        assert {k: mine[k] for k in theirs} == theirs, "baseline and compiled counts differ"
    rows.append({"task": "Table 1, all counts (3 spaces)", "nb1s_s": ours_counts,
                 "baseline_s": base})
    rows.append({"task": "Table 1 + md5 of every class (index build)", "nb1s_s": ours_hashes,
                 "baseline_s": base})

    with tempfile.TemporaryDirectory() as tmp:
        load_index(3, Path(tmp))
        load_s, _ = timed(lambda: load_index(3, Path(tmp)), repeat=5)
    rows.append({"task": "load cached SS3 index (1.3M configs)", "nb1s_s": load_s,
                 "baseline_s": None})

    small_v = 7 if full_nb101_baseline else 6
    ours_small, _ = timed(lambda: enumerate_nb101(GraphClassifier(), small_v), repeat=3)
    base_small, (_, unique, _) = timed(lambda: plain.nb101(max_vertices=small_v))
    rows.append({"task": f"NB101 generator, <= {small_v} vertices", "nb1s_s": ours_small,
                 "baseline_s": base_small, "unique": sum(unique.values())})
    full_s, space = timed(enumerate_nb101_space)
    rows.append({"task": "NB101 generator, whole space (7 vertices)", "nb1s_s": full_s,
                 "baseline_s": None, "unique": space.unique_nb101,
                 "labeled_graphs": space.labelled_graphs})
    for row in rows:
        row["speedup"] = (row["baseline_s"] / row["nb1s_s"]) if row["baseline_s"] else None
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--full-nb101-baseline", action="store_true",
                        help="also run the plain-Python NB101 generator at 7 vertices (minutes)")
    args = parser.parse_args(argv)
    rows = run(args.full_nb101_baseline)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="enumerator: compiled nb1s vs plain Python (same run)")
    for col in ("task", "nb1s", "baseline", "speed-up"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for row in rows:
        table.add_row(
            row["task"], f"{row['nb1s_s']:.3f} s",
            f"{row['baseline_s']:.2f} s" if row["baseline_s"] else "—",
            f"{row['speedup']:.0f}x" if row["speedup"] else "—",
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
