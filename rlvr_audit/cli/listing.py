"""`rlvr-audit list templates|profiles|benchmarks|rewards|claims`."""

from __future__ import annotations

import importlib
import json
from enum import Enum

import typer

from rlvr_audit.core.errors import AuditError


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


def register(app: typer.Typer) -> None:
    @app.command("list")
    def list_cmd(
        kind: Kind = typer.Argument(..., help="What to list."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        """List templates, profiles, benchmarks, rewards or claims."""
        rows = rows_for(kind)
        if as_json:
            typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        from rich.markup import escape
        from rich.table import Table

        from rlvr_audit.report.tables import print_table

        table = Table(title=kind.value, show_lines=False)
        # Long free text (profile notes) stays in --json; the table keeps one line a row.
        columns = [c for c in rows[0] if c != "notes"] if rows else ["name"]
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*(escape(str(row.get(c, ""))) for c in columns))
        print_table(table)
