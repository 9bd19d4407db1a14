"""Machine (`--json`) or human (rich) output, chosen once per command.

Commands compute a plain, JSON-serialisable result and hand it here together with a
function that renders it for people; no module both computes and prints.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console

#: Width used when output is not a terminal (piped, captured, redirected to a file). Rich
#: would fall back to 80 columns and wrap every word of a wide table; nothing downstream of
#: a pipe needs that, and a file is easier to read with whole rows.
WIDE_DEFAULT = 200


def console_width(stream: Any) -> int | None:
    """Columns for a console writing to `stream`: None (rich measures) on a terminal or when
    $COLUMNS is set, else `WIDE_DEFAULT`."""
    if os.environ.get("COLUMNS", "").isdigit():
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        pass
    return WIDE_DEFAULT


console = Console(width=console_width(sys.stdout))
err_console = Console(stderr=True, width=console_width(sys.stderr))


def emit(result: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `result` as one JSON document, or render it with rich."""
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, sort_keys=False) + "\n")
    else:
        render(result)
