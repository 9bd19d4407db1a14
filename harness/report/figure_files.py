"""Writing a matplotlib figure as PNG and PDF, atomically (shared by every plot module).

Each plot module draws; this one only serialises, so the formats, the resolution and the
atomic replacement (a reader never sees half a file) are the same for every figure.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from nb1s.atomic import atomic_write_bytes

FORMATS = ("png", "pdf")
DPI = 120


def save_figure(fig: Any, out_dir: Path, stem: str) -> list[Path]:
    """Write `fig` to `out_dir/stem.png` and `.pdf`, close it, return the paths."""
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in FORMATS:
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=DPI)
        path = out_dir / f"{stem}.{fmt}"
        atomic_write_bytes(path, buf.getvalue())
        written.append(path)
    plt.close(fig)
    return written
