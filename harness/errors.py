"""The one error type the CLI turns into a clean one-line message and exit code 2.

Library layers raise their own precise exceptions (`InvalidSpecError`, ...); the CLI
maps the expected ones onto `UserError` so that bad input never prints a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a missing prerequisite the user can fix; the message is one line."""

    exit_code = 2


class RunStopped(UserError):
    """A run that stopped before its end for a reason that is not bad input.

    `interrupted` (Ctrl-C or SIGTERM; exit 130, like a shell) and `diverged` (a non-finite
    loss; exit 1): still one line, never a traceback, but not the exit code of a typo.
    """

    def __init__(self, message: str, exit_code: int, label: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.label = label
