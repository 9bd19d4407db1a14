"""`make bench`: run every benchmark script in bench/ in turn (each prints its own table)."""

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
]


def main() -> int:
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
        status |= int(module.main([]) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
