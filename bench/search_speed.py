"""One-shot search step throughput: nb1s vs a straightforward baseline loop, same run.

For each optimizer it times the search step (architecture step + weight step) in images of
the weight split per second, on random uint8 images (timing only; nothing is learnt, so the
data being random does not matter):
- nb1s: the whole split resident on the device, augmentation batched on tensors there,
  GDAS evaluating only the sampled op of each choice block (plus, on a GPU, channels-last
  and bf16 autocast when `--gpu-levers` is given);
- baseline: per-image numpy augmentation in a `torch.utils.data.DataLoader` on the CPU
  (what the original scripts do, minus PIL), every op always evaluated.
On CPU the default size is small (batch 16, 4 initial channels, 9 cells; best of 3
rounds of 2 steps) so it runs in a few minutes on 2 cores; `--device cuda` runs the
same comparison on a GPU.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from typing import Any

import numpy as np
import torch

from nb1s.enumerate import get_space
from nb1s.harness.images.cifar import CIFAR_MEAN, CIFAR_STD
from nb1s.harness.images.device_batches import DeviceBatches
from nb1s.optimizers import OneShotSearch, Options, get_method

OPTIMIZERS = ("darts", "darts2", "gdas", "pcdarts")


class CpuAugmentedImages(torch.utils.data.Dataset[tuple[torch.Tensor, int]]):
    """Per-image crop (pad 4) + flip + normalise in numpy: the plain loader path."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, seed: int) -> None:
        self.images, self.labels = images, labels
        self.rng = np.random.default_rng(seed)
        self.mean = np.asarray(CIFAR_MEAN, dtype=np.float32)[:, None, None]
        self.std = np.asarray(CIFAR_STD, dtype=np.float32)[:, None, None]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        img = np.pad(self.images[i].astype(np.float32) / 255.0, ((0, 0), (4, 4), (4, 4)))
        dy, dx = self.rng.integers(0, 9, size=2)
        img = img[:, dy:dy + 32, dx:dx + 32]
        if self.rng.random() < 0.5:
            img = img[:, :, ::-1]
        return torch.from_numpy(np.ascontiguousarray((img - self.mean) / self.std)), \
            int(self.labels[i])


def _time_steps(search: OneShotSearch, pairs: Any, steps: int, batch: int,
                device: torch.device) -> float:
    """Images/s over `steps` search steps (the caller warms up and keeps the best round)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    search.train_epoch(itertools.islice(pairs, steps), 0)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return steps * batch / (time.perf_counter() - start)


def run(device_name: str, batch: int, channels: int, layers: int, steps: int,
        gpu_levers: bool, rounds: int = 3,
        optimizers: tuple[str, ...] = OPTIMIZERS) -> list[dict[str, Any]]:
    """Best-of-`rounds` throughput, rounds of nb1s and baseline interleaved (a busy machine
    then slows both sides alike instead of skewing the ratio)."""
    device = torch.device(device_name)
    rng = np.random.default_rng(0)
    n = batch * (steps * rounds + 1) * 2
    images = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n).astype(np.int64)
    w_idx, a_idx = np.arange(n // 2), np.arange(n // 2, n)
    rows = []
    for name in optimizers:
        method = get_method(name)
        levers = {"channels_last": True, "amp_bf16": True} if gpu_levers else {}
        common = {"epochs": 1, "batch_size": batch, "init_channels": channels, "layers": layers}
        hp = method.hyperparameters(**common, **levers)
        ours = OneShotSearch(method, get_space(1), hp, Options(), seed=0, device=device)
        source = DeviceBatches(images, labels, w_idx, a_idx, hp, Options(), device, seed=0)
        fast_pairs = iter(source.train_pairs(0, 1))

        base_hp = method.hyperparameters(**common, sampled_ops_only=False)
        base = OneShotSearch(method, get_space(1), base_hp, Options(), seed=0, device=device)
        loaders = [torch.utils.data.DataLoader(
            CpuAugmentedImages(images[idx], labels[idx], seed), batch_size=batch, shuffle=True,
            num_workers=0) for seed, idx in enumerate((w_idx, a_idx))]
        slow_pairs = ((tuple(t.to(device) for t in tb), tuple(t.to(device) for t in vb))
                      for tb, vb in zip(*loaders, strict=False))
        ours.train_epoch(itertools.islice(fast_pairs, 1), 0)  # warm-up
        base.train_epoch(itertools.islice(slow_pairs, 1), 0)
        fast = slow = 0.0
        for _ in range(rounds):
            fast = max(fast, _time_steps(ours, fast_pairs, steps, batch, device))
            slow = max(slow, _time_steps(base, slow_pairs, steps, batch, device))
        rows.append({"optimizer": name, "device": str(device), "nb1s_images_per_s": fast,
                     "baseline_images_per_s": slow, "speedup": fast / slow})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--layers", type=int, default=9)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gpu-levers", action="store_true",
                        help="nb1s side also uses channels-last + bf16 autocast (GPU)")
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS),
                        help="comma-separated subset of " + ", ".join(OPTIMIZERS))
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = run(args.device, args.batch, args.channels, args.layers, args.steps, args.gpu_levers,
               args.rounds, tuple(o for o in args.optimizers.split(",") if o))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"search step, images/s ({args.device}, batch {args.batch}, "
                  f"C={args.channels}, {args.layers} cells): nb1s vs baseline (same run)")
    for col in ("optimizer", "nb1s", "baseline", "speed-up"):
        table.add_column(col, justify="left" if col == "optimizer" else "right")
    for r in rows:
        table.add_row(r["optimizer"], f"{r['nb1s_images_per_s']:.1f}",
                      f"{r['baseline_images_per_s']:.1f}", f"{r['speedup']:.2f}x")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
