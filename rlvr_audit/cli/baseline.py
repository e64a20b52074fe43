"""`rlvr-audit baseline`: evaluate one model under the template x profile grid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import exports
from rlvr_audit.cli import options as opt


def baseline_spec(
    *,
    model: str,
    benchmark: str,
    data_file: Path | None,
    field: list[str] | None,
    limit: int | None,
    template: list[str] | None,
    templates: str | None,
    templates_dir: list[Path] | None,
    profile: list[str] | None,
    backend: str | None,
    base_url: str | None,
    api_key: str | None,
    backend_option: list[str] | None,
    dtype: str | None,
    max_model_len: int | None,
    temperature: float,
    top_p: float,
    max_tokens: int,
    samples: int,
    seed: int,
    out: Path | None,
    as_claimed: str | None,
    label: str | None,
    workers: int | None,
    **_output_options: Any,
) -> Any:
    """The BaselineSpec that `baseline`'s options describe (output options are ignored)."""
    from rlvr_audit.core.types import Sampling
    from rlvr_audit.workflows.baseline import BaselineSpec

    names = opt.split_names(template) + opt.split_names([templates] if templates else None)
    options = opt.backend_options(
        backend_option, base_url=base_url, api_key=api_key, dtype=dtype, max_model_len=max_model_len
    )
    profiles = opt.split_names(profile)
    return BaselineSpec(
        model=model,
        benchmark=benchmark,
        data_file=data_file,
        fields=tuple(opt.parse_pairs(field, "--field").items()) or None,
        templates=tuple(names),
        templates_dir=tuple(templates_dir or ()),
        profiles=tuple(profiles) if profiles else None,
        sampling=Sampling(temperature=temperature, top_p=top_p, max_tokens=max_tokens, n=samples, seed=seed),
        backend=backend,
        backend_options=tuple(options.items()),
        out_dir=out,
        limit=limit,
        as_claimed=opt.parse_cell(as_claimed, "qwen-math-chat:qwen25-math"),
        label=label,
        grade_workers=workers,
    )


def _write_outputs(grid: Any, out: exports.Exports, counted: Any, plot_path: Path | None) -> None:
    from rlvr_audit.report.grid_tables import grid_long_table, grid_table

    data = grid.to_json()
    if counted is not None:
        data["generated"] = {
            "prompts": counted.prompts,
            "generations": counted.generations,
            "completion_tokens": counted.completion_tokens,
        }
    # CSV: one row per cell, plain numbers (what spreadsheets want)
    out.write(payload=data, tables=[grid_table(grid)], csv_tables=[grid_long_table(grid)])
    if plot_path is not None:
        from rlvr_audit.report.plots import plot_grid_heatmap

        plot_grid_heatmap(grid, plot_path)


def _print_tables(grid: Any, run: Any, counted: Any) -> None:
    from rlvr_audit.report.grid_tables import grid_sampling_table, grid_table
    from rlvr_audit.report.tables import print_table

    print_table(grid_table(grid, compact=True))
    if grid.samples > 1:
        print_table(grid_sampling_table(grid))
    generated = (
        f"generated {counted.prompts} prompts ({counted.completion_tokens} tokens) this time"
        if counted is not None
        else ""
    )
    typer.echo(f"run: {run.path}" + (f"  ({generated})" if generated else ""))


def register(app: typer.Typer) -> None:
    @app.command("baseline")
    def baseline_cmd(
        model: str = opt.model(),
        benchmark: str = opt.benchmark(),
        data_file: Path | None = opt.data_file(),
        field: list[str] | None = typer.Option(
            None, "--field", help="ROLE=COLUMN mapping (question, answer, solution, id)."
        ),
        limit: int | None = opt.limit(),
        template: list[str] | None = opt.template(),
        templates: str | None = typer.Option(
            None, "--templates", help="Comma-separated templates (default: the standard grid)."
        ),
        templates_dir: list[Path] | None = typer.Option(
            None, "--templates-dir", help="Extra directory of *.toml templates."
        ),
        profile: list[str] | None = opt.profile(),
        backend: str | None = opt.backend(),
        base_url: str | None = opt.base_url(),
        api_key: str | None = opt.api_key(),
        backend_option: list[str] | None = opt.backend_option(),
        dtype: str | None = opt.dtype(),
        max_model_len: int | None = opt.max_model_len(),
        temperature: float = opt.temperature(),
        top_p: float = opt.top_p(),
        max_tokens: int = opt.max_tokens(),
        samples: int = opt.samples(),
        seed: int = opt.seed(),
        out: Path | None = opt.out("Run directory (default runs/<model>-<benchmark>)."),
        overwrite: bool = opt.overwrite("Replace a run with a different spec."),
        reported: float | None = typer.Option(
            None,
            "--reported",
            help="A reported accuracy (%) to place in the grid.",
            callback=opt.number_check("--reported", low=0, high=100, example="49.4"),
        ),
        as_claimed: str | None = typer.Option(None, "--as-claimed", help="TEMPLATE:PROFILE a published number used."),
        label: str | None = typer.Option(None, "--label", help="Run name in reports."),
        workers: int | None = opt.workers(),
        json_path: str | None = exports.json_option("the grid"),
        csv_path: str | None = exports.csv_option("the cells (one row per cell, plain numbers)"),
        markdown_path: str | None = exports.markdown_option("the grid"),
        latex_path: str | None = exports.latex_option("the grid"),
        plot_path: Path | None = opt.plot("Also write an accuracy heatmap (PNG/PDF/SVG)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Evaluate a model under templates x grading profiles; resumable."""
        spec = baseline_spec(**locals())
        exported = exports.Exports(json=json_path, csv=csv_path, markdown=markdown_path, latex=latex_path)
        from rlvr_audit.analysis.grid import compute_grid
        from rlvr_audit.workflows.baseline import run_baseline

        run = run_baseline(spec, overwrite=overwrite, progress=not quiet and not exported.to_stdout)
        profiles = list(spec.profiles) if spec.profiles else None
        grid = compute_grid(run, profiles=profiles, templates=list(spec.templates) or None, reported=reported)
        counted = getattr(run, "generated", None)
        _write_outputs(grid, exported, counted, plot_path)
        if not exported.to_stdout:
            _print_tables(grid, run, counted)
