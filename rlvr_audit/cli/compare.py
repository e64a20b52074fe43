"""`rlvr-audit compare BASE_RUN TRAINED_RUN [MORE_RUNS...]` and `compare --claim NAME`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from rlvr_audit.core.errors import AuditError, GateFailure


def parse_cell(text: str) -> tuple[str, str]:
    """'TEMPLATE:PROFILE' -> (template, profile)."""
    parts = text.split(":")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise AuditError(f"--as-claimed '{text}' is not TEMPLATE:PROFILE", "pass e.g. --as-claimed qwen-math-chat:ttrl")
    return parts[0].strip(), parts[1].strip()


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def check_gates(result: Any, *, adjusted_below: float | None, on_regression: bool) -> None:
    """Raise GateFailure (exit 1, one line) when a gate trips. `result` is a Comparison or
    a ClaimComparison; the gates use the adjusted gain's estimate and CI (points)."""
    if hasattr(result, "trained"):
        items = [(r.run, r.adjusted["gain"], r.adjusted["low"], r.adjusted["high"]) for r in result.trained]
    else:
        items = [
            (f"{r['reward']} [{r['version']}]", r["adjusted_gain"], r["adjusted_low"], r["adjusted_high"])
            for r in result.rows
        ]
    for name, gain, low, high in items:
        ci = "" if low is None else f" (CI [{low:+.1f}, {high:+.1f}])"
        if on_regression and high is not None and high < 0:
            raise GateFailure(f"{name} regressed: adjusted gain {gain:+.1f}{ci} is below 0 beyond the CI")
        if adjusted_below is not None and gain < adjusted_below:
            raise GateFailure(f"{name}: adjusted gain {gain:+.1f}{ci} is below the required {adjusted_below:+.1f}")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    @app.command("compare")
    def compare_cmd(
        runs: list[Path] | None = typer.Argument(None, help="BASE_RUN TRAINED_RUN [MORE_RUNS...] (run directories)."),
        as_claimed: str | None = typer.Option(
            None, "--as-claimed", help="The claimed cell TEMPLATE:PROFILE (default: the trained run's manifest)."
        ),
        reported_baseline: float | None = typer.Option(
            None, "--reported-baseline", help="A reported base accuracy (points) for the claimed gain."
        ),
        claim: str | None = typer.Option(None, "--claim", help="A registry claim (see `rlvr-audit list claims`)."),
        claim_version: str | None = typer.Option(None, "--claim-version", help="Only this version of the claim."),
        profile: list[str] | None = typer.Option(None, "--profile", help="Restrict to these profiles (repeat or a,b)."),
        template: list[str] | None = typer.Option(None, "--template", help="Restrict to these templates."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON (schema: docs/compare-json.md)."),
        markdown: Path | None = typer.Option(None, "--markdown", help="Write the table as Markdown."),
        latex: Path | None = typer.Option(None, "--latex", help="Write the table as LaTeX."),
        json_out: Path | None = typer.Option(None, "--json-out", help="Write the JSON to a file."),
        plot: Path | None = typer.Option(
            None,
            "--plot",
            help="Draw claimed vs adjusted bars (FILE.png) and the per-cell gain heatmap (FILE-heatmap.png).",
        ),
        fail_if_adjusted_below: float | None = typer.Option(
            None, "--fail-if-adjusted-below", help="Exit 1 when an adjusted gain is below X points."
        ),
        fail_on_regression: bool = typer.Option(
            False, "--fail-on-regression", help="Exit 1 when a trained run is worse than base beyond the CI."
        ),
        level: float = typer.Option(0.95, "--level", help="Confidence level of the CIs."),
        n_boot: int = typer.Option(2000, "--n-boot", help="Bootstrap resamples."),
        seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    ) -> None:
        """Claimed vs adjusted gains of trained runs over a base run, with uncertainty."""
        from rlvr_audit.report.comparison_tables import cells_table, claim_table, comparison_table, decomposition_table
        from rlvr_audit.report.tables import print_table
        from rlvr_audit.store.run import Run

        if n_boot < 100:
            raise AuditError(f"--n-boot {n_boot} is too small for a CI", "pass --n-boot 1000 or more")
        runs = runs or []
        profiles, templates = _split(profile), _split(template)
        tables = []
        if claim is not None:
            from rlvr_audit.comparison.claims import compare_claim

            if len(runs) > 1:
                raise AuditError(
                    "--claim takes at most one run (a measured base run)",
                    "pass: rlvr-audit compare [BASE_RUN] --claim NAME",
                )
            base = Run.open(runs[0]) if runs else None
            result: Any = compare_claim(
                claim, base, version=claim_version, profiles=profiles, level=level, n_boot=n_boot, seed=seed
            )
            tables.append(claim_table(result))
        else:
            from rlvr_audit.comparison.gains import compare_runs

            if len(runs) < 2:
                raise AuditError(
                    "compare needs a base run and at least one trained run",
                    "pass BASE_RUN TRAINED_RUN [MORE_RUNS...], or --claim NAME",
                )
            opened = [Run.open(p) for p in runs]
            result = compare_runs(
                opened[0],
                opened[1:],
                as_claimed=parse_cell(as_claimed) if as_claimed else None,
                reported_baseline=reported_baseline,
                profiles=profiles,
                templates=templates,
                level=level,
                n_boot=n_boot,
                seed=seed,
            )
            tables.append(comparison_table(result))
            tables.append(cells_table(result))
            extra = decomposition_table(result)
            if extra is not None:
                tables.append(extra)
        payload = result.to_dict()
        if as_json:
            typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        else:
            for table in tables:
                print_table(table)
            for note in payload.get("notes", []):
                typer.secho(f"note: {note}", err=True, fg="yellow")
        if json_out:
            _write(json_out, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        if markdown:
            _write(markdown, "\n".join(t.to_markdown() for t in tables))
        if latex:
            _write(latex, "\n".join(t.to_latex() for t in tables))
        if plot:
            _draw(result, plot)
        check_gates(result, adjusted_below=fail_if_adjusted_below, on_regression=fail_on_regression)


def _draw(result: Any, path: Path) -> None:
    from rlvr_audit.report.plots import heatmap_path, plot_claimed_vs_adjusted, plot_heatmap

    plot_claimed_vs_adjusted(result, path)
    if not hasattr(result, "trained"):
        return
    for i, trained in enumerate(result.trained):
        values, rows, cols = result.gain_matrix(i)
        if values.size == 0:
            continue
        suffix = "heatmap" if len(result.trained) == 1 else f"heatmap-{i + 1}"
        plot_heatmap(
            values,
            rows,
            cols,
            heatmap_path(path, suffix),
            center=0.0,
            title=f"matched gain per cell: {trained.run} - {result.base} (points)",
            fmt="{:+.1f}",
        )
