"""The export options every command that prints a table shares, defined once:
`--json PATH`, `--csv PATH`, `--markdown PATH`, `--latex PATH`.

Each takes a file name, or `-` for stdout; a bare option (last on the line, or followed by
another option) means `-`, so the older `--json` / `grade --csv` flags keep working. What
goes to stdout replaces the rich tables there (stdout stays machine-readable); files are
written beside the tables. A file name must end in its format's suffix, which also catches
`--json RUN_DIR` (an option eating a positional argument) before anything is overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from rlvr_audit.core.errors import AuditError

STDOUT = "-"
# flag -> (the file-name suffixes it accepts, what it writes)
FORMATS: dict[str, tuple[tuple[str, ...], str]] = {
    "--json": ((".json",), "JSON"),
    "--csv": ((".csv",), "CSV"),
    "--markdown": ((".md", ".markdown"), "Markdown"),
    "--latex": ((".tex",), "LaTeX (booktabs)"),
}


def fill_bare_exports(args: Sequence[str]) -> list[str]:
    """`--json` with no value (last, or before another option) -> `--json -`; before `--` only."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    out: list[str] = []
    for i, arg in enumerate(args[:end]):
        out.append(arg)
        if arg in FORMATS:
            nxt = args[i + 1] if i + 1 < end else None
            if nxt is None or (nxt.startswith("-") and nxt != STDOUT):
                out.append(STDOUT)
    return out + args[end:]


def _option(flag: str, what: str) -> Any:
    suffixes, fmt = FORMATS[flag]
    return typer.Option(
        None, flag, metavar="PATH", help=f"Write {what} as {fmt} to PATH ({'/'.join(suffixes)}), or - for stdout."
    )


def json_option(what: str = "the results") -> Any:
    return _option("--json", what)


def csv_option(what: str = "the table, plain numbers,") -> Any:
    return _option("--csv", what)


def markdown_option(what: str = "the tables") -> Any:
    return _option("--markdown", what)


def latex_option(what: str = "the tables") -> Any:
    return _option("--latex", what)


@dataclass(frozen=True)
class Exports:
    """The export options of one command call (each a path, `-` or None)."""

    json: str | None = None
    csv: str | None = None
    markdown: str | None = None
    latex: str | None = None

    def __post_init__(self) -> None:
        given = {flag: getattr(self, flag[2:]) for flag in FORMATS}
        to_stdout = [flag for flag, value in given.items() if value == STDOUT]
        if len(to_stdout) > 1:
            raise AuditError(
                f"{' and '.join(to_stdout)} both print to stdout",
                f"give a file name to all but one, e.g. {to_stdout[1]} out{FORMATS[to_stdout[1]][0][0]}",
            )
        for flag, value in given.items():
            suffixes = FORMATS[flag][0]
            if value not in (None, STDOUT) and Path(value).suffix.lower() not in suffixes:
                raise AuditError(
                    f"{flag} '{value}' is not a {'/'.join(suffixes)} file name",
                    f"pass {flag} FILE{suffixes[0]}, or {flag} - for stdout (put a bare {flag} after the arguments)",
                )

    @property
    def to_stdout(self) -> bool:
        """Whether one export goes to stdout (then no rich table is printed there)."""
        return STDOUT in (self.json, self.csv, self.markdown, self.latex)

    def write(
        self, *, payload: Any = None, tables: Sequence[Any] = (), csv_tables: Sequence[Any] | None = None
    ) -> None:
        """Write each requested format: `payload` as JSON, `csv_tables` (default `tables`) as
        CSV (blank line between tables), `tables` as Markdown and LaTeX."""
        csv_tables = tables if csv_tables is None else csv_tables
        renders = (
            (self.json, lambda: json.dumps(payload, indent=2, ensure_ascii=False) + "\n"),
            (self.csv, lambda: "\n".join(t.to_csv() for t in csv_tables)),
            (self.markdown, lambda: "\n".join(t.to_markdown() for t in tables)),
            (self.latex, lambda: "\n".join(t.to_latex() for t in tables)),
        )
        for target, render in renders:
            if target is None:
                continue
            text = render()
            if target == STDOUT:
                typer.echo(text, nl=False)
            else:
                path = Path(target)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
