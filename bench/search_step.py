"""CPU search step: nb1s against the original code's step (re-derived), and each lever.

DARTS first order on search space 3 at batch 32 (issue 11's target case). Every variant
starts from the same weights (the original's re-derivation gets nb1s's weights copied into
it, `original_darts.py`), takes the same batch, and the variants' rounds are interleaved,
so a busy machine slows them alike; the median seconds per search step (architecture step
+ weight step) is kept. Rows, each adding one lever to the row before:
- original (re-derived): separate input projections, plain backward in both steps;
- nb1s, plain: fused input projections (one 1x1 conv for all k + 1), softmax once per
  forward, every fast path off (`nb1s.optimizers.fast_paths`), the original's backward;
- + split projections; + CPU max-pool in channels-last (both exact fast paths);
- + lean backward: only the gradients each step uses (= the nb1s default);
- + channels_last: `Hyperparameters.channels_last` (float-tolerance equal; off by default);
- + torch.compile instead of channels_last (only with `--compile`: minutes to compile);
- at each intra-op thread count in `--threads` (default 1; `--threads 1,2` for both).
After timing, one step of every variant from identical states is compared with the plain
nb1s step (largest difference of any weight, BN statistic or architecture logit), so a
lever that changes results shows it. The default size is the paper's (C=16, 9 cells);
`--quick` uses C=8 and fewer rounds to stay under two minutes on 2 shared cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import torch
from original_darts import OriginalSearch, copy_from_nb1s

from nb1s.enumerate import OPS, get_space
from nb1s.optimizers import OneShotSearch, Options, get_method
from nb1s.optimizers.fast_paths import fast_paths

Batch = tuple[torch.Tensor, torch.Tensor]
Pair = tuple[Batch, Batch]

PLAIN = {"split_projections": False, "cpu_maxpool_channels_last": False}
#: name -> (hyperparameter levers, lean backward, torch.compile, fast-path switches); each
#: row adds one lever to the row before it
NB1S_VARIANTS: dict[str, tuple[dict[str, Any], bool, bool, dict[str, bool]]] = {
    "nb1s, plain (fused projections only)": ({}, False, False, PLAIN),
    "+ split projections": ({}, False, False, {"cpu_maxpool_channels_last": False}),
    "+ CPU max-pool in channels-last": ({}, False, False, {}),
    "+ lean backward (= nb1s default)": ({}, True, False, {}),
    "+ channels_last (option, off by default)": ({"channels_last": True}, True, False, {}),
}
ORIGINAL = "original (re-derived)"
DEFAULT = "+ lean backward (= nb1s default)"
CHANNELS_LAST = "+ channels_last (option, off by default)"
PLAIN_NB1S = "nb1s, plain (fused projections only)"


def _search(channels: int, batch: int, levers: dict[str, Any], lean: bool,
            compile_: bool) -> OneShotSearch:
    method = get_method("darts")
    hp = method.hyperparameters(epochs=1, batch_size=batch, init_channels=channels, layers=9,
                                **levers)
    search = OneShotSearch(method, get_space(3), hp, Options(), seed=0, lean_backward=lean)
    if compile_:
        search.model.compile()
    return search


def _pair(batch: int) -> Pair:
    g = torch.Generator().manual_seed(0)
    x, xv = (torch.randn(batch, 3, 32, 32, generator=g) for _ in range(2))
    y, yv = (torch.randint(0, 10, (batch,), generator=g) for _ in range(2))
    return (x, y), (xv, yv)


def _stepper(channels: int, batch: int, name: str, variants: dict[str, Any]
             ) -> tuple[Callable[[Pair], None], Callable[[], list[torch.Tensor]]]:
    """A function taking one search step, and one reading the state (original layout)."""
    if name == ORIGINAL:
        base = _search(channels, batch, {}, False, False)
        original: OriginalSearch = copy_from_nb1s(base, OPS)
        for group in original.weight_optimizer.param_groups:
            group["lr"] = base.lr_for_epoch(0)
        original.net.train()

        def state_original() -> list[torch.Tensor]:
            net = original.net
            return [t.detach().clone() for t in [*net.state_dict().values(),
                                                 *net.arch_parameters()]]

        return lambda pair: original.step(*pair), state_original
    levers, lean, compile_, switches = variants[name]
    search = _search(channels, batch, levers, lean, compile_)

    def state_nb1s() -> list[torch.Tensor]:
        net = copy_from_nb1s(search, OPS).net
        return [t.detach().clone() for t in [*net.state_dict().values(),
                                             *net.arch_parameters()]]

    def step_nb1s(pair: Pair) -> None:
        with fast_paths(**switches):
            search.train_epoch([pair], 0)

    return step_nb1s, state_nb1s


def _max_difference(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max((float((x.double() - y.double()).abs().max()) for x, y in
                zip(a, b, strict=True) if x.numel()), default=0.0)


def run(channels: int, batch: int, rounds: int, compile_: bool,
        threads: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    from rich.console import Console
    from rich.progress import Progress

    variants: dict[str, Any] = dict(NB1S_VARIANTS)
    if compile_:
        variants["+ torch.compile (instead of channels_last)"] = ({}, True, True, {})
    names = [ORIGINAL, *variants]
    pair = _pair(batch)
    threads_before = torch.get_num_threads()
    cases = [(name, t) for t in threads for name in names]
    times: dict[tuple[str, int], list[float]] = {case: [] for case in cases}
    differences: dict[str, float] = {}
    try:
        steppers = {case: _stepper(channels, batch, case[0], variants)[0] for case in cases}
        # on stderr, so that `--json` output on stdout stays parseable
        with Progress(transient=True, console=Console(stderr=True)) as progress:
            task = progress.add_task("search step rounds", total=(rounds + 1) * len(cases))
            for r in range(rounds + 1):  # round 0 warms up (and compiles)
                for case in cases:
                    torch.set_num_threads(case[1])
                    start = time.perf_counter()
                    steppers[case](pair)
                    if r:
                        times[case].append(time.perf_counter() - start)
                    progress.advance(task)
        torch.set_num_threads(threads[0])
        states = {}
        for name in names:
            step, state = _stepper(channels, batch, name, variants)
            step(pair)
            states[name] = state()
        for name in names:
            differences[name] = _max_difference(states[PLAIN_NB1S], states[name])
    finally:
        torch.set_num_threads(threads_before)
    rows = []
    for name, t in cases:
        median = statistics.median(times[(name, t)])
        original = statistics.median(times[(ORIGINAL, t)])
        rows.append({"variant": name, "threads": t, "median_s_per_step": median,
                     "speedup_vs_original_same_threads": original / median,
                     "max_state_difference_after_one_step": differences[name]})
    def ratio(name: str, t: int) -> float:
        return statistics.median(times[(ORIGINAL, t)]) / statistics.median(times[(name, t)])

    targets = [{"target": f"DARTS 1st order, SS3, batch {batch}, C={channels}, {t} thread(s),"
                          f" {label}: >= 1.3x the original", "ratio": ratio(name, t),
                "met": ratio(name, t) >= 1.3}
               for t in threads for name, label in ((DEFAULT, "nb1s default"),
                                                    (CHANNELS_LAST, "with channels_last"))]
    return {"optimizer": "darts (1st order)", "space": 3, "batch": batch, "channels": channels,
            "layers": 9, "rounds": rounds, "rows": rows, "targets": targets}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compile", action="store_true", help="also time torch.compile")
    parser.add_argument("--threads", default="1",
                        help="comma-separated intra-op thread counts to time, e.g. 1,2")
    parser.add_argument("--quick", action="store_true", help="C=8, 3 rounds")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.quick:
        args.channels, args.rounds = 8, 3
    try:
        threads = tuple(int(t) for t in args.threads.split(","))
    except ValueError:
        threads = ()
    if min(args.channels, args.batch, args.rounds, *threads, 0 if not threads else 1) < 1:
        print("search_step: --channels, --batch, --rounds and --threads must be >= 1",
              file=sys.stderr)
        return 2
    result = run(args.channels, args.batch, args.rounds, args.compile, threads)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"CPU search step, DARTS 1st order, space 3, batch {result['batch']}, "
                        f"C={result['channels']}, 9 cells; median of {result['rounds']} "
                        "interleaved rounds")
    for col in ("variant", "threads", "s / step", "vs original (same threads)",
                "max |state diff| vs plain nb1s, 1 step"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for r in result["rows"]:
        table.add_row(r["variant"], str(r["threads"]), f"{r['median_s_per_step']:.3f}",
                      f"{r['speedup_vs_original_same_threads']:.2f}x",
                      f"{r['max_state_difference_after_one_step']:.1e}")
    console = Console(width=140)
    console.print(table)
    for t in result["targets"]:
        console.print(f"target {t['target']}: {t['ratio']:.2f}x "
                      f"({'met' if t['met'] else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
