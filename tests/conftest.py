"""Shared test setup: the plain-Python oracle in bench/ is importable as `plain_enumerator`."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
