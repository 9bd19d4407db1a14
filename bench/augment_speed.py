"""CPU data pipeline: nb1s's batched augmentation against the per-image DataLoader path.

Times one epoch's worth of augmented training batches (random crop with 4 px zero
padding, horizontal flip, normalisation; `--cutout` adds cutout 16) on random uint8
images (timing only), in images per second, for every combination of
- torch intra-op threads: 1 and 2 (`torch.set_num_threads`, the process-wide setting a
  search runs with);
- machine: idle, or under a parallel load (one busy-looping process per core, started for
  the measurement and stopped after it);
with rounds of nb1s and the baseline interleaved and the median kept. The baseline is
the original scripts' loader path minus PIL: a `DataLoader` over a dataset that pads,
crops, flips and normalises one image at a time in numpy (`search_speed.CpuAugmentedImages`).
nb1s is `DeviceBatches.train_pairs` (gather + `Augmenter.train`) as the search uses it.
Target (issue 11): never slower than the baseline, at any thread count, idle or loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

_BURN = "while True:\n    pass\n"


@contextmanager
def parallel_load(active: bool) -> Iterator[None]:
    """One busy-looping process per core while the block runs (nothing when inactive)."""
    procs = [subprocess.Popen([sys.executable, "-c", _BURN])
             for _ in range(os.cpu_count() or 1)] if active else []
    try:
        if procs:
            time.sleep(0.3)
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def _nb1s_rate(images: np.ndarray, batch: int, cutout: int, seed: int) -> float:
    """One epoch of both queues' batches, drawn as the search draws them."""
    from nb1s.harness.images.device_batches import DeviceBatches
    from nb1s.optimizers import Options, get_method

    hp = get_method("darts").hyperparameters(
        epochs=1, batch_size=batch, cutout=bool(cutout), cutout_length=cutout or 16,
        cutout_prob=1.0)
    n = len(images)
    labels = np.zeros(n, dtype=np.int64)
    source = DeviceBatches(images, labels, np.arange(n // 2), np.arange(n // 2, n), hp,
                           Options(), torch.device("cpu"), seed)
    start = time.perf_counter()
    for _ in source.train_pairs(0, 1):
        pass
    return n / (time.perf_counter() - start)


def _baseline_rate(images: np.ndarray, batch: int, seed: int) -> float:
    from search_speed import CpuAugmentedImages

    labels = np.zeros(len(images), dtype=np.int64)
    loader = torch.utils.data.DataLoader(CpuAugmentedImages(images, labels, seed),
                                         batch_size=batch, shuffle=True, num_workers=0)
    start = time.perf_counter()
    for _ in loader:
        pass
    return len(images) / (time.perf_counter() - start)


def run(images_n: int, batch: int, rounds: int, cutout: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    images_np = rng.integers(0, 256, size=(images_n, 3, 32, 32), dtype=np.uint8)
    threads_before = torch.get_num_threads()
    rows = []
    try:
        for loaded in (False, True):
            for threads in (1, 2):
                torch.set_num_threads(threads)
                ours, base = [], []
                with parallel_load(loaded):
                    _nb1s_rate(images_np[: batch * 2], batch, cutout, 0)  # warm-up
                    for r in range(rounds):
                        base.append(_baseline_rate(images_np, batch, r))
                        ours.append(_nb1s_rate(images_np, batch, cutout, r))
                ours_med, base_med = statistics.median(ours), statistics.median(base)
                rows.append({"threads": threads, "load": "parallel" if loaded else "idle",
                             "nb1s_images_per_s": ours_med,
                             "baseline_images_per_s": base_med,
                             "speedup": ours_med / base_med,
                             "nb1s_spread": [min(ours), max(ours)]})
    finally:
        torch.set_num_threads(threads_before)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cutout", type=int, default=0, help="cutout length (0: off)")
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.quick:
        args.images, args.rounds = 2_048, 3
    rows = run(args.images, args.batch, args.rounds, args.cutout)
    ok = all(r["speedup"] >= 1.0 for r in rows)
    if args.json:
        print(json.dumps({"rows": rows, "never_slower": ok}, indent=2))
        return 0 if ok else 1
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"CPU augmentation, images/s (median of {args.rounds} interleaved "
                        f"rounds, {args.images:,} images, batch {args.batch}"
                        f"{', cutout ' + str(args.cutout) if args.cutout else ''})")
    for col in ("torch threads", "machine", "nb1s", "baseline (per-image DataLoader)",
                "ratio", "nb1s min-max"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(str(r["threads"]), r["load"], f"{r['nb1s_images_per_s']:,.0f}",
                      f"{r['baseline_images_per_s']:,.0f}", f"{r['speedup']:.2f}x",
                      f"{r['nb1s_spread'][0]:,.0f}-{r['nb1s_spread'][1]:,.0f}")
    console = Console(width=130)
    console.print(table)
    console.print(f"target: never slower than the baseline at any thread count: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
