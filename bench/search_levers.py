"""CPU search-step levers, each against the unmodified nb1s step, same weights and batches.

DARTS first order on search space 3 (the issue's reference case: batch 32; the default
C=16, 9 cells; `--quick` uses C=4). Every variant starts from the same seed (so the same
weights), takes the same batches, and rounds of the variants are interleaved; the median
seconds per search step (architecture step + weight step) is kept. Levers:
- `channels_last`: the existing `Hyperparameters.channels_last` (oneDNN's native layout);
- `1 thread` / `2 threads`: torch intra-op threads for the step (`torch.set_num_threads`);
- `torch.compile`: only with `--compile` (the compile itself takes minutes on 2 cores).
After timing, one step of each variant from fresh, identical models is compared with the
unmodified step: the largest difference of any weight or architecture parameter is
reported, so a lever that changes results shows it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

import torch

from nb1s.enumerate import get_space
from nb1s.optimizers import OneShotSearch, Options, get_method


def _search(channels: int, batch: int, **levers: Any) -> OneShotSearch:
    method = get_method("darts")
    hp = method.hyperparameters(epochs=1, batch_size=batch, init_channels=channels, layers=9,
                                **levers)
    return OneShotSearch(method, get_space(3), hp, Options(), seed=0)


Batch = tuple[torch.Tensor, torch.Tensor]


def _batches(batch: int) -> list[tuple[Batch, Batch]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(batch, 3, 32, 32, generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    xv = torch.randn(batch, 3, 32, 32, generator=g)
    yv = torch.randint(0, 10, (batch,), generator=g)
    return [((x, y), (xv, yv))]


VARIANTS: dict[str, tuple[dict[str, Any], int]] = {
    "unmodified (2 threads)": ({}, 2),
    "unmodified, 1 thread": ({}, 1),
    "channels_last (2 threads)": ({"channels_last": True}, 2),
    "channels_last, 1 thread": ({"channels_last": True}, 1),
}


def max_difference(a: OneShotSearch, b: OneShotSearch) -> float:
    """Largest absolute difference of any weight or architecture parameter."""
    worst = 0.0
    for p, q in zip([*a.model.parameters(), *a.arch.parameters()],
                    [*b.model.parameters(), *b.arch.parameters()], strict=True):
        worst = max(worst, float((p.detach() - q.detach()).abs().max()))
    return worst


def run(channels: int, batch: int, rounds: int, compile_: bool) -> dict[str, Any]:
    variants = dict(VARIANTS)
    threads_before = torch.get_num_threads()
    pairs = _batches(batch)
    searches = {name: _search(channels, batch, **levers) for name, (levers, _) in
                variants.items()}
    if compile_:
        compiled = _search(channels, batch)
        compiled.model.compile()
        searches["torch.compile (2 threads)"] = compiled
        variants["torch.compile (2 threads)"] = ({}, 2)
    times: dict[str, list[float]] = {name: [] for name in searches}
    try:
        for name, search in searches.items():  # warm-up (and compile)
            torch.set_num_threads(variants[name][1])
            search.train_epoch(pairs, 0)
        for _ in range(rounds):
            for name, search in searches.items():
                torch.set_num_threads(variants[name][1])
                start = time.perf_counter()
                search.train_epoch(pairs, 0)
                times[name].append(time.perf_counter() - start)
        torch.set_num_threads(threads_before)
        reference = _search(channels, batch)
        reference.train_epoch(pairs, 0)
        differences = {}
        for name, (levers, threads) in variants.items():
            fresh = _search(channels, batch, **levers)
            if name.startswith("torch.compile"):
                fresh.model.compile()
            torch.set_num_threads(threads)
            fresh.train_epoch(pairs, 0)
            differences[name] = max_difference(reference, fresh)
    finally:
        torch.set_num_threads(threads_before)
    base = statistics.median(times["unmodified (2 threads)"])
    rows = [{"variant": name, "median_s_per_step": statistics.median(t),
             "speedup_vs_unmodified": base / statistics.median(t),
             "max_param_difference_after_one_step": differences[name]}
            for name, t in times.items()]
    return {"optimizer": "darts (1st order)", "space": 3, "batch": batch, "channels": channels,
            "rounds": rounds, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compile", action="store_true", help="also time torch.compile")
    parser.add_argument("--quick", action="store_true", help="C=4, 3 rounds")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.quick:
        args.channels, args.rounds = 4, 3
    result = run(args.channels, args.batch, args.rounds, args.compile)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"search step levers on CPU: DARTS 1st order, space 3, batch "
                        f"{result['batch']}, C={result['channels']}, 9 cells; median of "
                        f"{result['rounds']} interleaved rounds")
    for col in ("variant", "s / step", "vs unmodified", "max |param diff| after 1 step"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for r in result["rows"]:
        table.add_row(r["variant"], f"{r['median_s_per_step']:.3f}",
                      f"{r['speedup_vs_unmodified']:.2f}x",
                      f"{r['max_param_difference_after_one_step']:.1e}")
    Console(width=130).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
