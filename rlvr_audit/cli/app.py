"""The `rlvr-audit` command line. Thin: each command lives in its own module of rlvr_audit/cli/ and
calls the library; this module wires them up and turns AuditError into one line."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.version import __version__

app = typer.Typer(
    name="rlvr-audit",
    help="Audit claimed gains of RL-trained reasoning models: evaluate under a grid of "
    "templates x grading profiles, train with the studied rewards, compare claimed vs "
    "adjusted gains.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module defines `register(app)`; the command modules import their heavy
# dependencies inside the command bodies, so start-up stays fast.
_COMMAND_MODULES = (
    "rlvr_audit.cli.listing",
    "rlvr_audit.cli.grade",
    "rlvr_audit.cli.cache",
    "rlvr_audit.cli.baseline",
    "rlvr_audit.cli.compare",
    "rlvr_audit.cli.importer",
    "rlvr_audit.cli.train",
    "rlvr_audit.cli.verify",
    "rlvr_audit.cli.make_benchmark",
    "rlvr_audit.cli.contamination",
    "rlvr_audit.cli.report",
    "rlvr_audit.cli.audit",
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rlvr-audit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    _state["debug"] = debug or os.environ.get("RLVR_AUDIT_DEBUG") == "1"


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)


_INTERRUPTED = 130  # what shells report for Ctrl-C; Typer turns KeyboardInterrupt into Exit(130)


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app and prints every error as one line. Exit codes: 0 ok,
    1 a CI gate tripped (or an unexpected error), 2 bad input or usage, 130 interrupted."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("RLVR_AUDIT_DEBUG") == "1"
    try:
        code = app(args=args, prog_name="rlvr-audit", standalone_mode=False)
    except AuditError as exc:
        if debug:
            raise
        typer.secho(f"error: {exc.one_line()}", err=True, fg="red")
        return exc.exit_code
    except KeyboardInterrupt:
        code = _INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        code = _INTERRUPTED  # click's abort: an interrupted prompt
    except Exception as exc:
        if isinstance(exc, _click_exceptions().ClickException):
            typer.secho(f"error: {usage_message(exc)}", err=True, fg="red")
            return 2 if isinstance(exc, _click_exceptions().UsageError) else exc.exit_code
        if debug:
            raise
        typer.secho(
            f"error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
            err=True,
            fg="red",
        )
        return 1
    if code == _INTERRUPTED:
        typer.secho("interrupted; finished work is saved, rerun the command to resume", err=True)
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


def _click_exceptions() -> Any:
    """The exceptions module of the click Typer actually runs on (recent Typer ships its own
    copy, whose classes are not the `click` package's)."""
    return sys.modules[typer.BadParameter.__module__]


def usage_message(exc: Exception) -> str:
    """One line for a click error; an unknown option names the closest known one."""
    errors = _click_exceptions()
    ctx = getattr(exc, "ctx", None)
    where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    if isinstance(exc, errors.NoSuchOption):
        closest = (exc.possibilities or [None])[0]
        hint = f"; did you mean {closest}?" if closest else ""
        return f"no such option {exc.option_name}{hint}{where}"
    return " ".join(exc.format_message().split()) + where


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
