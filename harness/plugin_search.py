"""`python -m nb1s.harness.plugin_search PKG.MODULE:CLASS search ...`: nb1s with a user optimizer.

A user's optimizer lives in the user's code, not in nb1s's registry. This entry point
imports and registers it, then hands the remaining arguments to the normal `nb1s` command
line, so the search itself (tracking, run directory, resume) is exactly the built-in one.
Executors use it as the job's program when `nb1s check` runs an import path.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stderr.write("usage: python -m nb1s.harness.plugin_search PKG.MODULE:CLASS ARGS...\n")
        sys.exit(2)
    from nb1s.harness.cli.app import main as nb1s_main
    from nb1s.harness.errors import UserError
    from nb1s.harness.recipe.optimizer_catalog import load_plugin

    try:
        load_plugin(args[0])
    except UserError as exc:
        sys.stderr.write(f"nb1s: error: {exc}\n")
        sys.exit(2)
    sys.argv = ["nb1s", *args[1:]]
    nb1s_main()


if __name__ == "__main__":
    main()
