"""The one error type the CLI turns into a clean one-line message and exit code 2.

Library layers raise their own precise exceptions (`InvalidSpecError`, ...); the CLI
maps the expected ones onto `UserError` so that bad input never prints a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a missing prerequisite the user can fix; the message is one line."""

    exit_code = 2
