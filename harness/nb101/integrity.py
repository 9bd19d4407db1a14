"""Checksums of the index columns: written at import, verified when an index is opened.

A truncated column already fails to load, but a column whose values were overwritten
(NaN or zeros written into it by a stray script, a bad copy) loads fine and is then served
silently: every lookup, minimum and regret built on it is wrong. The importer records the
size and sha256 of every `.npy` file in `provenance.json` (`columns`); opening an index
compares them. Hashing a full-size index takes about a second, so the result is cached
per file in `VERIFIED_FILE`, keyed by size and modification time: later opens only stat
the files. An index imported before checksums existed (no `columns`) is not verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from nb1s.atomic import atomic_write_text
from nb1s.harness.errors import UserError

VERIFIED_FILE = ".nb1s-verified.json"
CHUNK = 1 << 22


def file_checksum(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def column_checksums(directory: Path) -> dict[str, dict[str, Any]]:
    """{file name: {size, sha256}} for every column file of an index directory."""
    return {p.name: {"size": p.stat().st_size, "sha256": file_checksum(p)}
            for p in sorted(Path(directory).glob("*.npy"))}


def verify_columns(directory: Path, provenance: dict[str, Any]) -> None:
    """Refuse an index whose column files differ from the checksums recorded at import.

    Raises UserError ("re-run `nb1s data import`") naming the first damaged column.
    """
    expected = provenance.get("columns")
    if not isinstance(expected, dict):
        return
    directory = Path(directory)
    cache = _read_cache(directory)
    fresh: dict[str, list[Any]] = {}
    for name, want in sorted(expected.items()):
        path = directory / name
        try:
            st = path.stat()
        except OSError:
            raise UserError(f"index column {path} is missing; re-run `nb1s data import`") \
                from None
        if st.st_size != want.get("size"):
            raise UserError(f"index column {path} has {st.st_size} bytes, the import wrote "
                            f"{want.get('size')}: the index is damaged; re-run `nb1s data "
                            "import`")
        key = [st.st_size, st.st_mtime_ns, want.get("sha256")]
        if cache.get(name) == key:
            fresh[name] = key
            continue
        if file_checksum(path) != want.get("sha256"):
            raise UserError(f"index column {path} does not match its checksum from the "
                            "import: the index is damaged; re-run `nb1s data import`")
        fresh[name] = key
    if fresh != cache:
        with contextlib.suppress(OSError):  # a read-only data folder: verify every time
            atomic_write_text(directory / VERIFIED_FILE, json.dumps(fresh) + "\n")


def _read_cache(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((directory / VERIFIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
