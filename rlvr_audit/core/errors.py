"""The one user-facing error type: a message plus the fix."""

from __future__ import annotations


class AuditError(Exception):
    """An error caused by user input; the CLI prints it as one line and exits non-zero.

    `fix` says what to do about it ("pass --data-file FILE", ...).
    """

    def __init__(self, message: str, fix: str | None = None, exit_code: int = 2):
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
        super().__init__(message, None, exit_code=1)
