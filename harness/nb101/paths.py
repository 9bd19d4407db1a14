"""Where the imported NAS-Bench-101 index lives, and what to tell a user who has none.

One index per directory. The default is per user (`$XDG_DATA_HOME/nb1s/nb101`, else
`~/.local/share/nb1s/nb101`), so every script and checkout on the machine shares one
import of the 500 MB file; `$NB1S_DATA_DIR` or `--data-dir` point elsewhere (a cluster
scratch disk, a test's temporary directory).
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "NB1S_DATA_DIR"
DOWNLOAD_BASE = "https://storage.googleapis.com/nasbench/"

#: The official files: name -> (approximate size, SHA256), from the NAS-Bench-101 release.
OFFICIAL_FILES: dict[str, tuple[str, str]] = {
    "nasbench_only108.tfrecord": (
        "499 MB", "4c39c3936e36a85269881d659e44e61a245babcb72cb374eacacf75d0e5f4fd1"),
    "nasbench_full.tfrecord": (
        "1.95 GB", "3d64db8180fb1b0207212f9032205064312b6907a3bbc81eabea10db2f5c7e9c"),
}


def default_data_dir() -> Path:
    """$NB1S_DATA_DIR, else $XDG_DATA_HOME/nb1s/nb101, else ~/.local/share/nb1s/nb101."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "nb1s" / "nb101"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> Path:
    """An explicit directory wins over the environment and the per-user default."""
    return Path(data_dir).expanduser() if data_dir else default_data_dir()


FULL_FILE = "nasbench_full.tfrecord"
ONLY108_FILE = "nasbench_only108.tfrecord"


def missing_data_message(directory: Path, budgets: tuple[int, ...] = (108,)) -> str:
    """One line saying what to download and which command imports it.

    `budgets`: the epoch budgets the command will query. Beyond 108 only the full file
    has them (HB and BOHB query 4/12/36/108), so the line then names that file alone:
    suggesting the smaller file would send a user to import data that is refused next.
    """
    if set(budgets) <= {108}:
        files = " or ".join(f"{DOWNLOAD_BASE}{name} ({size})"
                            for name, (size, _) in OFFICIAL_FILES.items())
        what = ONLY108_FILE
        why = ""
    else:
        files = f"{DOWNLOAD_BASE}{FULL_FILE} ({OFFICIAL_FILES[FULL_FILE][0]})"
        what = FULL_FILE
        why = (f" (budgets {'/'.join(map(str, sorted(budgets)))} are only in the full file, "
               f"not in {ONLY108_FILE})")
    return (f"no NAS-Bench-101 index in {directory}: download {files}{why}, then run "
            f"`nb1s data import {what} --into {directory}` "
            f"(or set ${DATA_ENV} / pass --data-dir to use another index)")
