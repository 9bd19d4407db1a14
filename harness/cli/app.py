"""The `nb1s` command line: one Typer app, one module per command group.

Heavy libraries (torch, matplotlib) are imported inside the commands that need them, so
`nb1s enumerate` and `nb1s query` start fast. `main` is the console entry point: it
turns `UserError` and the library's expected input errors into one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
import threading
from types import FrameType


def _resume_line(what: str) -> str:
    """`nb1s: interrupted: WHAT; resume with: nb1s ARGS` (the same command resumes)."""
    return f"nb1s: interrupted: {what}; resume with: nb1s {shlex.join(sys.argv[1:])}\n"


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C while this program still imports its modules: the one line, no traceback."""
    os.write(2, _resume_line("stopped before it started").encode())
    os._exit(130)


# Started as the program (`nb1s ...`, `python -m nb1s.harness.cli.app ...`), not imported
# by a test: a Ctrl-C during the second of imports below ends in one line, like any other
# interrupt (an ignored SIGINT, e.g. of a background job, stays ignored). `main` puts
# Python's own handler back before any command runs.
if (__name__ == "__main__" or os.path.basename(sys.argv[0]) == "nb1s") \
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted_while_starting)

import rich  # noqa: E402
import typer  # noqa: E402

from nb1s.enumerate import InvalidConfigError, InvalidSpecError, UnknownSpaceError  # noqa: E402
from nb1s.harness.cli import (  # noqa: E402
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
from nb1s.harness.cli.output import console_width  # noqa: E402
from nb1s.harness.errors import RunStopped, UserError  # noqa: E402

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


def _exiting_on_interrupt() -> None:
    """From here on a Ctrl-C is ignored: the command has stopped and this process only
    prints its one line and exits. A second press (an impatient user) would otherwise
    land in the interpreter's exit and end it with a traceback or a signal's exit code
    instead of 130."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is among the exceptions that led to `exc`."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def main() -> None:
    """Console entry point with clean errors (one line on stderr, exit code 2).

    File-system errors (a read-only or immutable --out, a path under a regular file) and
    undecodable input files are caught here, in one place, rather than per command: the
    atomic writers have already removed their temporary files, so nothing half-written
    remains and the user only needs to know which path failed and why.
    """
    from nb1s.harness.executors.job import die_with_parent
    from nb1s.harness.guards.interrupts import sigterm_as_interrupt

    if signal.getsignal(signal.SIGINT) is _interrupted_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    die_with_parent()
    try:
        with sigterm_as_interrupt():
            app(standalone_mode=True)
    except SystemExit as exc:
        # Typer turns a Ctrl-C that a command did not handle itself (one pressed while
        # the command still imports or checks its inputs) into a silent exit 130
        if exc.code == 130 and _caused_by_interrupt(exc):
            _exiting_on_interrupt()
            sys.stderr.write(_resume_line("stopped"))
        raise
    except RunStopped as exc:
        if exc.label == "interrupted":
            _exiting_on_interrupt()
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
        _exiting_on_interrupt()
        sys.stderr.write(_resume_line("stopped"))
        sys.exit(130)


if __name__ == "__main__":
    main()
