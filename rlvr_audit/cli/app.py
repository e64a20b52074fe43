"""The `rlvr-audit` command line. Thin: each command lives in its own module of rlvr_audit/cli/ and
calls the library; this module wires them up and turns AuditError into one line."""

from __future__ import annotations

import importlib
import os
import sys

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
    "rlvr_audit.cli.baseline",
    "rlvr_audit.cli.compare",
    "rlvr_audit.cli.importer",
    "rlvr_audit.cli.train",
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


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app, prints AuditError as one line (exit 2, or 1 for gates)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("RLVR_AUDIT_DEBUG") == "1"
    try:
        app(args=args, standalone_mode=False)
    except AuditError as exc:
        if debug:
            raise
        typer.secho(f"error: {exc.one_line()}", err=True, fg="red")
        return exc.exit_code
    except KeyboardInterrupt:
        typer.secho("interrupted; finished work is saved, rerun the command to resume", err=True)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        return 1
    except Exception as exc:
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if debug:
            raise
        typer.secho(
            f"error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
            err=True,
            fg="red",
        )
        return 1
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
