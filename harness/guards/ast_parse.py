"""One `ast.parse` at a time in this process, for the processes that run BOHB with threads.

CPython 3.11 keeps the AST constructor's recursion depth in per-interpreter state, so two
threads turning source into AST objects at once (a thread switch inside one of them, e.g.
when a finalizer runs) can fail the other with `SystemError: AST constructor recursion
depth mismatch (before=63, after=37)` (CPython gh-106905 and its follow-ups). A BOHB run
does exactly that: Pyro4's serpent decodes every message hpbandster's dispatcher, master
and workers exchange with `ast.literal_eval`, while an in-process evaluation reads `.npy`/
`.npz` headers, which numpy also decodes with `ast.literal_eval`. Seen in a local
`nb1s reproduce fig5 --profile smoke` (Python 3.11.7): one evaluation failed with it and the
run ended `failed-evaluations`, so its records differed from a clean run's.

Why a lock around the stdlib function rather than another serializer: both callers reach
it through `ast.literal_eval`, which looks `parse` up in the `ast` module at each call, so
wrapping `ast.parse` covers both without touching hpbandster, Pyro4 or numpy. Parsing is
short; the lock only makes concurrent parses wait for each other.
"""

from __future__ import annotations

import ast
import functools
import threading
from typing import Any

_LOCK = threading.RLock()


def serialize_ast_parse() -> None:
    """Make `ast.parse` (and so `ast.literal_eval`) take one process-wide lock; idempotent."""
    if getattr(ast.parse, "__nb1s_serialized__", False):
        return
    unlocked = ast.parse

    @functools.wraps(unlocked)
    def parse(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return unlocked(*args, **kwargs)

    parse.__nb1s_serialized__ = True  # type: ignore[attr-defined]
    ast.parse = parse
