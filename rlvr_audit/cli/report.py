"""`rlvr-audit report RUN_OR_DIR... --html report.html`: a self-contained HTML audit report
(grids, claimed vs adjusted gains, prompt robustness, a problem browser, provenance) and
the same data as JSON. The work is in `rlvr_audit.workflows.report`; docs/report.md."""

from __future__ import annotations

from pathlib import Path

import typer

from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import AuditError


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_cmd(
        runs: list[Path] = typer.Argument(
            ..., help="Run directories, or directories holding runs; the first run is the base."
        ),
        html: Path = typer.Option(Path("report.html"), "--html", help="The page to write."),
        json_out: Path | None = typer.Option(
            None, "--json", help="The data as JSON (default: beside the page, report.html -> report.json)."
        ),
        base: str | None = typer.Option(
            None, "--base", help="The base run: a run directory or the name of one of the runs (default: the first)."
        ),
        profile: list[str] | None = opt.profile("Restrict to these profiles (repeat or a,b).", short=None),
        template: list[str] | None = opt.template("Restrict to these templates (repeat or a,b).", short=None),
        as_claimed: str | None = typer.Option(
            None, "--as-claimed", help="The claimed cell TEMPLATE:PROFILE (default: each trained run's manifest)."
        ),
        contamination: Path | None = typer.Option(
            None,
            "--contamination",
            help="A probe run of the base model (default: the newest matching probe beside the base run).",
        ),
        no_contamination: bool = typer.Option(False, "--no-contamination", help="Do not look for a probe."),
        level: float = typer.Option(0.95, "--level", help="Confidence level of the CIs."),
        n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap resamples."),
        seed: int = opt.seed("Bootstrap seed."),
    ) -> None:
        """Write a self-contained HTML audit report that opens offline in any browser."""
        from rlvr_audit.workflows.report import make_report

        if n_boot < 100:
            raise AuditError(f"--n-boot {n_boot} is too small for a CI", "pass --n-boot 1000 or more")
        if not 0 < level < 1:
            raise AuditError(f"--level {level} is not a confidence level", "pass e.g. --level 0.95")
        if json_out is not None and str(json_out) == "-":
            raise AuditError(
                "report --json needs a file name (the report is a page, not a table)", "pass e.g. --json report.json"
            )
        if html.suffix.lower() not in (".html", ".htm"):
            raise AuditError(f"--html {html} does not end in .html", "pass e.g. --html report.html")
        data, notes = make_report(
            runs,
            html,
            json_path=json_out,
            base=base,
            profiles=opt.split_names(profile) or None,
            templates=opt.split_names(template) or None,
            as_claimed=opt.parse_cell(as_claimed, "qwen-math-chat:ttrl"),
            contamination=contamination,
            no_contamination=no_contamination,
            level=level,
            n_boot=n_boot,
            seed=seed,
        )
        from rlvr_audit.report.html_report import default_json_path

        json_path = json_out or default_json_path(html)
        names = [r["name"] for r in data["runs"]]
        typer.echo(f"wrote {html} ({_size(html)}) and {json_path} ({_size(json_path)})")
        typer.echo(f"base {names[0]}" + (f"; compared: {', '.join(names[1:])}" if names[1:] else ""))
        for t in (data.get("comparison") or {}).get("trained", []):
            a = t["adjusted"]
            typer.echo(f"  {t['run']}: adjusted {a['gain']:+.1f} [{a['low']:+.1f}, {a['high']:+.1f}], {t['verdict']}")
        for note in notes + list((data.get("comparison") or {}).get("notes", [])):
            typer.secho(f"note: {note}", err=True, fg="yellow")
