"""Figure 5's smoke profile on Slurm against the local executor, record by record.

    python bench/fig5_engines.py --out DIR            # runs both, then compares
    python bench/fig5_engines.py --compare A B        # compares two finished results folders

Runs `nb1s reproduce fig5 --profile smoke --workers 1` once with `--executor local` and
once with `--executor slurm` (a reachable cluster with accounting: `make engines`), then
compares what each wrote:

- the BOHB side: every run's hpbandster log, `configs.json` (each sampled configuration and
  whether the model picked it) and `results.json` (each evaluation's budget, loss and
  info) line by line, and every evaluation's search records (`evaluations/*/epochs.jsonl`
  and its architecture weights);
- the black-box side: every seed file (`blackbox/**/seed-*.npy`) byte for byte.

Left out, because they measure the machine and not the search: hpbandster's time stamps,
`search_time_s`, and the epoch records' wall/epoch times and peak memory. Paths are
compared relative to each results folder.

Why `--workers 1`: with several workers, which evaluation finishes first is a race, and
BOHB's model samples from what has finished (harness/experiments/bohb/master.py), so
records with two workers are not expected to agree even between two local runs. One
worker on both sides (on Slurm a one-task hpbandster array: name server, master and
worker in one task) makes the sequence of evaluations a function of the seed alone, so
any difference is the executor's.

Too slow for CI (two fig5 smoke runs: 14 and 19 minutes side by side on the loaded 2-core
development VM), so it is this documented command; docs/cluster-and-container.md has its
measured result. Exit 0 when every record is equal, 1 at the first difference (named).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

#: fields that measure the machine (time, memory), not the search
MEASURED = frozenset({"wall_time_s", "epoch_time_s", "seconds", "peak_memory_mb",
                      "search_time_s"})


def _lines(path: Path) -> list[Any]:
    if not path.is_file():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _clean(value: Any, root: str) -> Any:
    """`value` without measured fields, its paths relative to the results folder `root`."""
    if isinstance(value, dict):
        return {k: _clean(v, root) for k, v in value.items() if k not in MEASURED}
    if isinstance(value, list):
        return [_clean(v, root) for v in value]
    if isinstance(value, str) and root in value:
        return value.replace(root, "<results>")
    return value


def bohb_records(out: Path) -> dict[str, Any]:
    """Every BOHB run's log and evaluations, keyed by their path under `out`."""
    root = str(out.resolve())
    found: dict[str, Any] = {}
    for configs in sorted((out / "bohb").rglob("configs.json")):
        run = configs.parent
        key = str(run.relative_to(out))
        results = [[cid, budget, _clean(result, root), exception]
                   for cid, budget, _stamps, result, exception in _lines(run / "results.json")]
        found[f"{key}/configs.json"] = _clean(_lines(configs), root)
        found[f"{key}/results.json"] = results
        for epochs in sorted((run / "evaluations").rglob("epochs.jsonl")):
            where = str(epochs.parent.relative_to(out))
            found[f"{where}/epochs.jsonl"] = _clean(_lines(epochs), root)
            weights = epochs.parent / "arch_weights.npz"
            if weights.is_file():
                with np.load(weights) as z:
                    found[f"{where}/arch_weights.npz"] = {n: z[n].tobytes()
                                                          for n in sorted(z.files)}
    return found


def blackbox_records(out: Path) -> dict[str, bytes]:
    """Every black-box seed file's bytes, keyed by its path under `out`."""
    return {str(p.relative_to(out)): p.read_bytes()
            for p in sorted((out / "blackbox").rglob("seed-*.npy"))}


def records(out: Path) -> dict[str, dict[str, Any]]:
    """Both sides' records of one results folder, read once: BOHB's and the black-box's."""
    return {"BOHB": bohb_records(out), "black-box": blackbox_records(out)}


def first_difference(a: Path, b: Path) -> str | None:
    """None when both results folders hold the same records, else the first difference."""
    return _difference(a, records(a), records(b))


def _difference(a: Path, left: dict[str, dict[str, Any]],
                right: dict[str, dict[str, Any]]) -> str | None:
    for side in ("BOHB", "black-box"):
        mine, theirs = left[side], right[side]
        if not mine:
            return f"{a} has no {side} records"
        if sorted(mine) != sorted(theirs):
            only = sorted(set(mine) ^ set(theirs))
            return f"{side}: the files differ, e.g. {only[0]}"
        for key in sorted(mine):
            if mine[key] != theirs[key]:
                return f"{side}: {key} differs"
    return None


def summary(found: dict[str, dict[str, Any]]) -> str:
    """Counts of what `records` found (the comparison's read, not a second one)."""
    bohb = found["BOHB"]
    evaluations = sum(len(v) for k, v in bohb.items() if k.endswith("results.json"))
    runs = sum(1 for k in bohb if k.endswith("results.json"))
    return (f"{runs} BOHB runs, {evaluations} BOHB evaluations, "
            f"{len(found['black-box'])} black-box seed files")


def _reproduce(out: Path, *extra: str) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", "reproduce", "fig5",
                           "--profile", "smoke", "--workers", "1", "--out", str(out),
                           "--json", *extra], capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    status = json.loads(done.stdout).get("status") if done.stdout.strip() else None
    if status not in ("complete", "pass", "fail") and done.returncode not in (0, 1):
        raise SystemExit(f"fig5 {' '.join(extra) or 'local'} failed (exit {done.returncode}):"
                         f" {done.stderr.strip().splitlines()[-1:] or status}")
    print(f"{' '.join(extra) or '--executor local'}: exit {done.returncode}, status "
          f"{status}, {seconds:.0f} s")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the two results folders")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        a, b = args.compare
    elif args.out:
        a, b = args.out / "local", args.out / "slurm"
        _reproduce(a)
        _reproduce(b, "--executor", "slurm")
    else:
        parser.error("give --out DIR or --compare A B")
    left = records(a)
    why = _difference(a, left, records(b))
    if why is not None:
        print(f"DIFFERENT: {why}")
        return 1
    print(f"EQUAL: {summary(left)}, record by record")
    return 0


if __name__ == "__main__":
    sys.exit(main())
