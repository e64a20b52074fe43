"""`rlvr-audit verify RUN...`: recompute every cell from the raw records and check the
run's provenance. Exit 0 when every run verifies, 1 on any failed check (one line per
failure on stderr), 3 when the only failures are records still to come (an interrupted
run: finish it), 2 on bad input. The work is in `rlvr_audit.workflows.verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import exports
from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import EXIT_GATE, EXIT_INCOMPLETE

_STYLES = {"ok": "green", "warn": "yellow", "FAIL": "bold red"}


def _print_tables(results: list[Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from rlvr_audit.report.tables import print_table

    for result in results:
        verdict = "[green]verifies[/]" if result.ok else "[bold red]does not verify[/]"
        table = Table(title=f"{escape(result.name)} ({escape(str(result.path))}): {verdict}", title_justify="left")
        table.add_column("check")
        table.add_column("status")
        table.add_column("detail", overflow="fold")
        for check in result.checks:
            style = _STYLES[check.status]
            table.add_row(escape(check.name), f"[{style}]{check.status}[/]", escape(check.detail))
        print_table(table)


def checks_table(results: list[Any]) -> Any:
    """Every check of every run, one row each (what --csv/--markdown/--latex write)."""
    from rlvr_audit.report.tables import TableData

    rows = [[r.name, c.name, c.status, c.detail] for r in results for c in r.checks]
    return TableData(columns=["run", "check", "status", "detail"], rows=rows, title="verify")


def register(app: typer.Typer) -> None:
    @app.command("verify")
    def verify_cmd(
        runs: list[Path] = typer.Argument(..., help="Run directories (each holding run.json)."),
        templates_dir: list[Path] | None = typer.Option(
            None, "--templates-dir", help="Extra directory of *.toml templates the runs used."
        ),
        regrade: bool = typer.Option(
            False, "--regrade", help="Also judge every stored verdict again (grades the run once more, no cache)."
        ),
        workers: int | None = opt.workers("Grading processes for --regrade (default: all cores; 0 = in-process)."),
        timeout: float = opt.timeout(),
        json_path: str | None = exports.json_option("the checks"),
        csv_path: str | None = exports.csv_option("the checks, one row each,"),
        markdown_path: str | None = exports.markdown_option("the checks"),
        latex_path: str | None = exports.latex_option("the checks"),
    ) -> None:
        """Check that a run's numbers follow from its records: hashes, fingerprints, missing,
        duplicate, stale and torn records, and summary.json against a recomputed grid."""
        from rlvr_audit.workflows.verify import VerifyOptions, verify_runs

        exported = exports.Exports(json=json_path, csv=csv_path, markdown=markdown_path, latex=latex_path)
        options = VerifyOptions(tuple(templates_dir or ()), regrade, workers, timeout)
        results = verify_runs(runs, options)
        ok = all(r.ok for r in results)
        payload = {"ok": ok, "runs": [r.to_json() for r in results]}
        exported.write(payload=payload, tables=[checks_table(results)])
        if not exported.to_stdout:
            _print_tables(results)
        failed = [(r, c) for r in results for c in r.failures()]
        for result, check in failed:
            typer.echo(f"FAIL {result.path}: {check.name}: {check.detail}", err=True)
        if failed:
            if all(r.incomplete for r in results if not r.ok):
                typer.echo(
                    "incomplete: finish the run first (rerun the command that made it: it resumes), then verify again",
                    err=True,
                )
                raise typer.Exit(EXIT_INCOMPLETE)
            raise typer.Exit(EXIT_GATE)
