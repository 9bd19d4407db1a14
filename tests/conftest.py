"""Shared test setup.

The plain-Python oracle in bench/ is importable as `plain_enumerator`, the search-test
helpers as `search_helpers`, and every end-to-end search test shares one synthetic
NB101 index and digits dataset (`search_data`), built once per session.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="session")
def search_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One SYNTHETIC NB101 index (spaces 1-3) + digits dataset for the search tests."""
    from search_helpers import build_search_data

    return build_search_data(tmp_path_factory.mktemp("search-data"))


@pytest.fixture(autouse=True)
def _signal_handlers_as_found() -> Iterator[None]:
    """Every test leaves Ctrl-C and SIGTERM handled as it found them.

    A handler left behind (SIG_IGN is inherited by child processes) made later signal tests
    fail on a fresh-clone CI run: their children ignored Ctrl-C, and a BOHB run waited for
    an interrupt that never came. Restoring here keeps one test's leftovers out of the next.
    """
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        if signal.getsignal(sig) is not handler and handler is not None:
            signal.signal(sig, handler)
