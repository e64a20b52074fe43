"""The one user-facing error type: a message plus the fix; and the exit codes of every command.

Exit codes (README "Exit codes"): 0 success; 1 a CI gate tripped; 2 bad input or usage;
3 a run is incomplete (finish it first); 130 interrupted (Ctrl-C), finished work kept.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE = 1
EXIT_BAD_INPUT = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130  # what shells report for SIGINT


class AuditError(Exception):
    """An error caused by user input; the CLI prints it as one line and exits non-zero.

    `fix` says what to do about it ("pass --data-file FILE", ...).
    """

    def __init__(self, message: str, fix: str | None = None, exit_code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.exit_code = exit_code

    def one_line(self) -> str:
        text = self.message.strip().rstrip(".")
        if self.fix:
            text += f"; {self.fix}"
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.one_line()


class GateFailure(AuditError):
    """A CI gate (--fail-if-...) tripped: exit code 1, reason on one line."""

    def __init__(self, message: str):
        super().__init__(message, None, exit_code=EXIT_GATE)


class IncompleteRun(AuditError):
    """A run lacks records it should hold (an interrupted `baseline`): exit code 3, so a CI
    script can tell "finish the run" from bad input and from a tripped gate."""

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message, fix, exit_code=EXIT_INCOMPLETE)
