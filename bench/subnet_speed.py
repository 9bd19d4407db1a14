"""Random-WS / ENAS sub-network training: only the sampled ops vs the original's masked supernet.

The original trains a sampled architecture by running the *whole* supernet with 0/1 weights
(docs/original-code.md#masked-sub-networks), which is the main reason Random-WS took 11 h for 50
epochs. nb1s's `subnet_forward=sampled` evaluates only the sampled op of each choice block. Both are
timed here in one run on the same random batches (timing only, nothing is learnt): Random-WS
steps (uniform sample + SGD step) in images/s; the ratio is sampled / masked. Best of a few
interleaved rounds, because a shared 2-core box is noisy.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from nb1s.enumerate import get_space
from nb1s.optimizers import OneShotSearch, Options, get_method


def _steps_per_second(search: OneShotSearch, x: torch.Tensor, y: torch.Tensor,
                      steps: int) -> float:
    pairs = [((x, y), (x, y))] * steps
    start = time.perf_counter()
    search.train_epoch(pairs, epoch=0)
    return steps * x.shape[0] / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--space", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--layers", type=int, default=9)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    method = get_method("random_ws")
    hp = method.hyperparameters(batch_size=args.batch, init_channels=args.channels,
                                layers=args.layers)
    searches = {mode: OneShotSearch(method, get_space(args.space), hp,
                                    Options(subnet_forward=mode), seed=0)
                for mode in ("masked", "sampled")}
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, 3, 32, 32, generator=gen)
    y = torch.randint(10, (args.batch,), generator=gen)
    for search in searches.values():  # warm-up
        _steps_per_second(search, x, y, 1)
    best = {mode: 0.0 for mode in searches}
    for _ in range(args.rounds):
        for mode, search in searches.items():
            best[mode] = max(best[mode], _steps_per_second(search, x, y, args.steps))
    result = {"benchmark": "subnet_speed", "space": args.space, "batch": args.batch,
              "init_channels": args.channels, "layers": args.layers,
              "images_per_s": best, "speedup": best["sampled"] / best["masked"]}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Random-WS training steps, space {args.space}, batch {args.batch}, "
              f"{args.channels} channels, {args.layers} cells (images/s, best of "
              f"{args.rounds})")
        print(f"  original (masked supernet): {best['masked']:8.1f}")
        print(f"  nb1s subnet_forward=sampled: {best['sampled']:8.1f}")
        print(f"  speed-up: {result['speedup']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
