"""The `nb1s` command line: one Typer app, one module per command group.

Heavy libraries (torch, matplotlib) are imported inside the commands that need them, so
`nb1s enumerate` and `nb1s query` start fast. `main` is the console entry point: it
turns `UserError` and the library's expected input errors into one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import contextlib
import sys

import rich
import typer

from nb1s.enumerate import InvalidConfigError, InvalidSpecError, UnknownSpaceError
from nb1s.harness.cli import (
    blackbox_cmd,
    data_cmd,
    enumerate_cmd,
    hash_cmd,
    plan_cmd,
    query_cmd,
    recipe_cmd,
    reference_cmd,
    reproduce_cmd,
    search_cmd,
)
from nb1s.harness.cli.output import console_width
from nb1s.harness.errors import RunStopped, UserError

# The experiment kinds' views print to rich's global console (they sit below the CLI and
# never import it): give it the width `nb1s.harness.cli.output.console` has.
rich.reconfigure(width=console_width(sys.stdout))

app = typer.Typer(
    name="nb1s",
    help="Reproducibility harness for NAS-Bench-1Shot1 (Zela, Siems, Hutter, ICLR 2020).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for group in (enumerate_cmd, hash_cmd, reproduce_cmd, data_cmd, query_cmd, search_cmd,
              recipe_cmd, reference_cmd, plan_cmd):
    group.register(app)
blackbox_cmd.register(app)

EXPECTED_ERRORS = (UserError, InvalidConfigError, InvalidSpecError, UnknownSpaceError)


def os_error_line(exc: OSError) -> str:
    """One line naming the path and the reason (no traceback for an unwritable --out)."""
    reason = exc.strerror or str(exc)
    where = exc.filename if exc.filename is not None else None
    if where is None:
        return reason
    return f"{where}: {reason}"


def _exit_now(code: int) -> None:
    """After an interrupt of a process that loaded torch, exit without the interpreter's
    teardown.

    Why: after a Ctrl-C of an in-process search (fig5's smoke BOHB evaluations) the
    interpreter spent seconds, up to 14 s on a loaded machine, in C-level finalisation of
    torch and the data it held, with every result already on disk and the one line
    printed. Everything that must survive is written atomically before this point and
    folder locks are released by the kernel, so only buffered output needs flushing. A
    process without torch (`nb1s blackbox`, numpy only) exits normally: its worker pool's
    own clean-up then runs in order.
    """
    import logging
    import os

    if "torch" not in sys.modules:
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def main() -> None:
    """Console entry point with clean errors (one line on stderr, exit code 2).

    File-system errors (a read-only or immutable --out, a path under a regular file) and
    undecodable input files are caught here, in one place, rather than per command: the
    atomic writers have already removed their temporary files, so nothing half-written
    remains and the user only needs to know which path failed and why.
    """
    from nb1s.harness.executors.job import die_with_parent
    from nb1s.harness.guards.interrupts import sigterm_as_interrupt

    die_with_parent()
    try:
        with sigterm_as_interrupt():
            app(standalone_mode=True)
    except RunStopped as exc:
        sys.stderr.write(f"nb1s: {exc.label}: {exc}\n")
        if exc.label == "interrupted":
            _exit_now(exc.exit_code)
        sys.exit(exc.exit_code)
    except EXPECTED_ERRORS as exc:
        sys.stderr.write(f"nb1s: error: {exc}\n")
        sys.exit(2)
    except UnicodeDecodeError as exc:
        sys.stderr.write(f"nb1s: error: input is not UTF-8 text ({exc.reason} at byte "
                         f"{exc.start})\n")
        sys.exit(2)
    except OSError as exc:
        sys.stderr.write(f"nb1s: error: {os_error_line(exc)}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("nb1s: interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
