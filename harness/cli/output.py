"""Machine (`--json`) or human (rich) output, chosen once per command.

Commands compute a plain, JSON-serialisable result and hand it here together with a
function that renders it for people; no module both computes and prints.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def emit(result: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `result` as one JSON document, or render it with rich."""
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, sort_keys=False) + "\n")
    else:
        render(result)
