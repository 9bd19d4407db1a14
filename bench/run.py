"""`make bench`: run every benchmark script in bench/ in turn (each prints its own table).

`python bench/run.py --quick` passes `--quick` to the benchmarks that have a quick mode
(small sizes, seconds to a minute each); the others run as usual.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Each module has a main(argv) that times nb1s and its baseline side by side.
BENCHMARKS = [
    "enumerator",
    "nb101_data",
    "search_speed",
    "subnet_speed",
    "harness_runs",
    "fig6_distribution",
    "compat_api",
    "augment_speed",
    "search_step",
    "blackbox_speed",
]
#: Benchmarks with a `--quick` mode.
QUICK = {"compat_api", "augment_speed", "search_step", "blackbox_speed"}


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (sys.argv[1:] if argv is None else argv)
    status = 0
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print(f"[bench] {name}: not present, skipped")
                continue
            raise
        print(f"[bench] {name}")
        status |= int(module.main(["--quick"] if quick and name in QUICK else []) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
