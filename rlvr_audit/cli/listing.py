"""`rlvr-audit list templates|profiles|benchmarks|rewards|claims`."""

from __future__ import annotations

import importlib
from enum import Enum
from typing import TYPE_CHECKING

import typer

from rlvr_audit.cli import exports
from rlvr_audit.core.errors import AuditError

if TYPE_CHECKING:
    from rlvr_audit.report.tables import TableData


class Kind(str, Enum):
    templates = "templates"
    profiles = "profiles"
    benchmarks = "benchmarks"
    rewards = "rewards"
    claims = "claims"


# kind -> "module:function" returning a list of flat dicts (the table's rows).
_SOURCES = {
    Kind.templates: "rlvr_audit.templates:describe_templates",
    Kind.profiles: "rlvr_audit.grading.describe:describe_profiles",
    Kind.benchmarks: "rlvr_audit.benchmarks.registry:describe_benchmarks",
    Kind.rewards: "rlvr_audit.training.rewards:describe_rewards",
    Kind.claims: "rlvr_audit.comparison.claim_registry:describe_claims",
}


def rows_for(kind: Kind) -> list[dict]:
    module_name, func = _SOURCES[kind].split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise AuditError(f"listing {kind.value} is not available in this build ({exc})") from exc
    return getattr(module, func)()


def list_table(kind: Kind, rows: list[dict]) -> TableData:
    """The rows as a table; long free text (profile notes) stays in the JSON, one line a row."""
    from rlvr_audit.report.tables import TableData

    columns = [c for c in rows[0] if c != "notes"] if rows else ["name"]
    return TableData(columns=columns, rows=[[_text(row.get(c, "")) for c in columns] for row in rows], title=kind.value)


def _text(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def register(app: typer.Typer) -> None:
    @app.command("list")
    def list_cmd(
        kind: Kind = typer.Argument(..., help="What to list."),
        json_out: str | None = exports.json_option("the rows (with notes)"),
        csv_out: str | None = exports.csv_option("the table"),
        markdown_out: str | None = exports.markdown_option("the table"),
        latex_out: str | None = exports.latex_option("the table"),
    ) -> None:
        """List templates, profiles, benchmarks, rewards or claims."""
        out = exports.Exports(json=json_out, csv=csv_out, markdown=markdown_out, latex=latex_out)
        rows = rows_for(kind)
        table = list_table(kind, rows)
        out.write(payload=rows, tables=[table])
        if out.to_stdout:
            return
        from rich.markup import escape
        from rich.table import Table

        from rlvr_audit.report.tables import print_table

        rich_table = Table(title=kind.value, show_lines=False)
        for col in table.columns:
            rich_table.add_column(col, overflow="fold")
        for row in rows:
            rich_table.add_row(*(escape(str(row.get(c, ""))) for c in table.columns))
        print_table(rich_table)
