"""The `rlvr-audit` command line. Thin: each command lives in its own module of rlvr_audit/cli/ and
calls the library; this module wires them up and turns AuditError into one line."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import typer

from rlvr_audit.cli.exports import fill_bare_exports
from rlvr_audit.core import redact
from rlvr_audit.core.errors import EXIT_BAD_INPUT, EXIT_GATE, EXIT_INTERRUPTED, EXIT_OK, AuditError
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
    wide: bool = typer.Option(
        False, "--wide", help="Print tables at full width (default: the terminal's width, or COLUMNS when piped)."
    ),
) -> None:
    _state["debug"] = debug or os.environ.get("RLVR_AUDIT_DEBUG") == "1"


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)


INTERRUPTED_MESSAGE = "interrupted; finished work is saved, rerun the command to resume"


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app and prints every error as one line, secrets masked.

    Exit codes (README "Exit codes"; `core.errors`): 0 ok, 1 a CI gate tripped (or an
    internal error), 2 bad input or usage, 3 a run is incomplete, 130 interrupted."""
    args, debug = _split_debug(sys.argv[1:] if argv is None else argv)
    args, wide = _split_flag(args, "--wide")
    args = fill_bare_exports(args)  # a bare --json/--csv/--markdown/--latex means stdout
    from rlvr_audit.report.tables import set_full_width

    set_full_width(wide)
    debug = debug or os.environ.get("RLVR_AUDIT_DEBUG") == "1"
    redact.remember_argv(args)
    try:
        code = app(args=args, prog_name="rlvr-audit", standalone_mode=False)
    except AuditError as exc:
        if debug:
            _traceback()  # then the same line and exit code as without --debug
        _error(exc.one_line())
        return exc.exit_code
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        code = EXIT_INTERRUPTED  # click turns Ctrl-C (and EOF at a prompt) into Abort
    except Exception as exc:
        if isinstance(exc, _click_exceptions().ClickException):
            _error(usage_message(exc))
            return EXIT_BAD_INPUT  # a usage error, or a file click could not open: input either way
        if debug:
            _traceback()
        _error(f"{type(exc).__name__}: {exc}" + ("" if debug else " (rerun with --debug for the traceback)"))
        return EXIT_GATE
    if code == EXIT_INTERRUPTED:
        typer.secho(INTERRUPTED_MESSAGE, err=True)
    return code if isinstance(code, int) and not isinstance(code, bool) else EXIT_OK


def _split_debug(args: list[str]) -> tuple[list[str], bool]:
    """(args without --debug, whether it was given): --debug may come anywhere before a
    `--` (after the subcommand too, where the error message tells people to add it)."""
    return _split_flag(args, "--debug")


def _split_flag(args: list[str], flag: str) -> tuple[list[str], bool]:
    """(args without `flag`, whether it was given): a global flag may come anywhere before `--`."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    kept = [a for a in args[:end] if a != flag]
    return kept + args[end:], len(kept) < end


def _traceback() -> None:
    sys.stderr.write(redact.redact_text(traceback.format_exc()))


def _error(text: str) -> None:
    typer.secho(f"error: {redact.redact_text(text)}", err=True, fg="red")


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
