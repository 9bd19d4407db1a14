"""`make bench`: run every benchmark script in bench/ in turn (each prints its own table).

`python bench/run.py --quick` passes `--quick` to the benchmarks that have a quick mode
(small sizes, seconds to a minute each); the others run as usual.
"""

from __future__ import annotations

import importlib
import subprocess
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
#: Benchmarks run in a process of their own: compat_api loads TensorFlow (Google's real
#: `nasbench.api` through `tf.compat.v1`), which should not share a process with torch.
OWN_PROCESS = {"compat_api"}


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (sys.argv[1:] if argv is None else argv)
    status = 0
    here = Path(__file__).resolve().parent
    for name in BENCHMARKS:
        args = ["--quick"] if quick and name in QUICK else []
        if name in OWN_PROCESS:
            print(f"[bench] {name}", flush=True)
            status |= subprocess.run([sys.executable, str(here / f"{name}.py"), *args],
                                     check=False).returncode
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print(f"[bench] {name}: not present, skipped")
                continue
            raise
        print(f"[bench] {name}")
        status |= int(module.main(args) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
