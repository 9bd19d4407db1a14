"""Shared test setup.

The plain-Python oracle in bench/ is importable as `plain_enumerator`, the search-test
helpers as `search_helpers`, and every end-to-end search test shares one synthetic
NB101 index and digits dataset (`search_data`), built once per session.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="session")
def search_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One SYNTHETIC NB101 index (spaces 1-3) + digits dataset for the search tests."""
    from search_helpers import build_search_data

    return build_search_data(tmp_path_factory.mktemp("search-data"))
