"""GPU throughput: searches per hour with K = 1..8 searches sharing one GPU (`--runs-per-gpu`).

    python bench/gpu_throughput.py            # or: make bench-gpu
    python bench/gpu_throughput.py --gpu 1 --k 1,2,4 --optimizer gdas --json

For each K, K real `nb1s search` processes run at once on one GPU (CUDA_VISIBLE_DEVICES),
exactly as the local executor packs them: the paper's search size (C=16, 9 cells, the
optimizer's default batch, 32x32x3 images) for `--epochs` epochs of at most `--batches`
weight steps each (`max_batches_per_epoch`; the digits' 748 weight-split images give 8 steps
of 96 per epoch, and an epoch never wraps around its data), different seeds. The inputs are
SYNTHETIC: a synthetic NAS-Bench-101 index and scikit-learn's digits in CIFAR-10's format
(step time depends on tensor shapes, not on pixel values). Reported per K: wall seconds and
search steps per second over all K for the whole processes (interpreter, CUDA and supernet
start-up included), the steady step rate (the sum over the K searches of their steps per
epoch over the mean seconds of epochs 2..E, from the cumulative `wall_time_s` of their run
records: start-up and warm-up excluded, which over a few dozen steps per search would
otherwise dominate K=1 and flatter every larger K), the peak GPU memory torch allocated in
any one search (its run records), and searches/hour for a full paper search (50 epochs of
ceil(25,000 / batch) steps), extrapolated from the steady rate, so the figure excludes the
full evaluation passes: an upper bound on full searches. The K with the most searches/hour
is the one to pass as `--runs-per-gpu`, with `--gpu-memory-per-run` at the reported peak
plus headroom.

On a machine without a CUDA GPU it prints one line and exits 2: no number is made up.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _cuda_device_name(gpu: str) -> str | None:
    """The GPU's name, or None when torch sees no CUDA device (checked in a child process
    so this process never initialises CUDA)."""
    code = ("import torch,sys; ok = torch.cuda.is_available(); "
            "print(torch.cuda.get_device_name(0) if ok else '')")
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": gpu}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=False, timeout=120)
    name = out.stdout.strip()
    return name or None


def _data(root: Path) -> tuple[Path, Path]:
    """A SYNTHETIC NB101 index of space 1 and the digits folder (built once)."""
    from nb1s.harness.images.digits import write_digits
    from nb1s.harness.nb101.importer import import_tfrecord
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    record = root / "synthetic.tfrecord"
    write_synthetic_tfrecord(record, models=5, seed=0, spaces=[1])
    import_tfrecord(record, root / "nb101")
    write_digits(root / "digits")
    return root / "nb101", root / "digits"


def _batch_size(optimizer: str) -> int:
    from nb1s.optimizers.config import Hyperparameters, builtin_defaults

    return int(builtin_defaults(optimizer).get("batch_size", Hyperparameters.batch_size))


def run_k(k: int, gpu: str, optimizer: str, epochs: int, batches: int, nb101: Path,
          digits: Path, root: Path, device: str = "cuda", extra: tuple[str, ...] = ()
          ) -> dict[str, Any]:
    """K searches at once on `gpu`; wall time, step rate, peak memory, searches/hour.

    `device` and `extra` (`--set` values) exist for the test of this machinery on a CPU
    (tests/test_runs_per_gpu.py); the benchmark itself always runs `cuda` at paper size."""
    procs = []
    outs = []
    start = time.perf_counter()
    for seed in range(k):
        out = root / f"k{k}" / f"seed{seed}"
        outs.append(out)
        cmd = [sys.executable, "-m", "nb1s.harness.cli.app", "search", optimizer, "--space",
               "1", "--seed", str(seed), "--epochs", str(epochs), "--out", str(out),
               "--data-dir", str(nb101), "--cifar-dir", str(digits), "--device", device,
               "--set", f"max_batches_per_epoch={batches}", "--set", "max_eval_batches=1",
               *[x for item in extra for x in ("--set", item)], "--json"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True, env={**os.environ,
                                                      "CUDA_VISIBLE_DEVICES": gpu}))
    errors = [p.communicate()[1] for p in procs]
    wall = time.perf_counter() - start
    failed = [e.strip().splitlines()[-1] if e.strip() else f"exit {p.returncode}"
              for p, e in zip(procs, errors, strict=True) if p.returncode != 0]
    if failed:
        raise RuntimeError(f"K={k}: {failed[0]}")
    overrides = dict(item.split("=", 1) for item in extra)
    per_epoch = steps_per_epoch(int(overrides.get("batch_size", _batch_size(optimizer))),
                                batches)
    peak = 0.0
    steady = 0.0
    for out in outs:
        records = [json.loads(line) for line in (out / "epochs.jsonl").read_text().splitlines()
                   if line.strip()]
        peak = max([peak, *(float(r.get("peak_memory_mb") or 0.0) for r in records)])
        steady += per_epoch / steady_epoch_seconds(records)
    from nb1s.harness.experiments.cost import PAPER_EPOCHS, PAPER_WEIGHT_IMAGES

    steps = k * epochs * per_epoch
    full = PAPER_EPOCHS * math.ceil(PAPER_WEIGHT_IMAGES / _batch_size(optimizer))
    return {"k": k, "wall_s": round(wall, 2), "steps_per_s": round(steps / wall, 2),
            "steady_steps_per_s": round(steady, 2),
            "peak_memory_mib_per_search": round(peak), "full_searches_per_hour":
            round(steady * 3600 / full, 4)}


def steps_per_epoch(batch_size: int, batches: int) -> int:
    """Weight steps of one epoch on the digits folder: `batches` (max_batches_per_epoch)
    or fewer, as the weight split holds only 748 images (8 batches of 96; an epoch does not
    wrap around its data)."""
    from nb1s.harness.experiments.cost import weight_images

    return min(batches, math.ceil(weight_images(True, "original", 0.5) / batch_size))


def steady_epoch_seconds(records: list[dict[str, Any]]) -> float:
    """Mean seconds of a search's epochs 2..E from its cumulative `wall_time_s` (epoch 0 is
    the first evaluation; epoch 1 also pays CUDA's and cuDNN's warm-up, so it is left out
    when later epochs exist)."""
    times = [float(r["wall_time_s"]) for r in sorted(records, key=lambda r: int(r["epoch"]))]
    first = 1 if len(times) > 2 else 0
    if len(times) < 2 or times[-1] <= times[first]:
        raise RuntimeError(f"no timed epoch in the run records: {times}")
    return (times[-1] - times[first]) / (len(times) - 1 - first)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpu", default="0", help="GPU id (CUDA_VISIBLE_DEVICES value).")
    parser.add_argument("--k", default="1,2,3,4,5,6,7,8", help="K values, e.g. 1,2,4,8.")
    parser.add_argument("--optimizer", default="darts")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batches", type=int, default=50,
                        help="Weight steps per epoch at most (the digits hold 8 of 96).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        ks = [int(x) for x in args.k.split(",")]
    except ValueError:
        print(f"gpu_throughput: --k {args.k!r}: expected integers such as 1,2,4", file=sys.stderr)
        return 2
    name = _cuda_device_name(args.gpu)
    if name is None:
        print(f"gpu_throughput: no CUDA GPU visible as CUDA_VISIBLE_DEVICES={args.gpu} (torch "
              "sees none): this benchmark measures GPUs only; nothing was run", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="nb1s-gpu-bench-") as tmp:
        nb101, digits = _data(Path(tmp))
        for k in ks:
            rows.append(run_k(k, args.gpu, args.optimizer, args.epochs, args.batches, nb101,
                              digits, Path(tmp)))
            if not args.json:
                r = rows[-1]
                print(f"K={r['k']}: {r['wall_s']} s, {r['steps_per_s']} steps/s with start-up, "
                      f"{r['steady_steps_per_s']} steady, peak "
                      f"{r['peak_memory_mib_per_search']} MiB per search, "
                      f"{r['full_searches_per_hour']} full searches/hour", flush=True)
    best = max(rows, key=lambda r: r["full_searches_per_hour"])
    result = {"gpu": name, "optimizer": args.optimizer, "epochs": args.epochs,
              "batches_per_epoch": args.batches, "synthetic_inputs": True, "rows": rows,
              "best_k": best["k"]}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{name}: most searches/hour at K={best['k']} (SYNTHETIC inputs; full-search "
              "figures extrapolated from the steady step rate, evaluation passes excluded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
