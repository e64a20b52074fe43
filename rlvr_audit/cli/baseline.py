"""`rlvr-audit baseline`: evaluate one model under the template x profile grid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from rlvr_audit.core.errors import AuditError


def parse_as_claimed(value: str | None) -> tuple[str, str] | None:
    """ "TEMPLATE:PROFILE" -> (template, profile)."""
    if value is None:
        return None
    template, sep, profile = value.partition(":")
    if not sep or not template.strip() or not profile.strip():
        raise AuditError(
            f"--as-claimed '{value}' is not TEMPLATE:PROFILE", "pass e.g. --as-claimed qwen-math-chat:qwen25-math"
        )
    return template.strip(), profile.strip()


def parse_pairs(values: list[str] | None, flag: str) -> dict[str, Any]:
    """KEY=VALUE options; numbers and true/false become numbers and booleans."""
    out: dict[str, Any] = {}
    for item in values or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise AuditError(f"{flag} '{item}' is not KEY=VALUE", f"pass e.g. {flag} batch_size=8")
        out[key.strip()] = _scalar(raw.strip())
    return out


def _scalar(raw: str) -> Any:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw


def _write_as(table: Any, path: Path, suffix: str) -> None:
    """Write `table` in the format the option names, whatever the file is called."""
    render = {".md": table.to_markdown, ".tex": table.to_latex, ".csv": table.to_csv}[suffix]
    text = render()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def split_names(values: list[str] | None) -> list[str]:
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def register(app: typer.Typer) -> None:
    @app.command("baseline")
    def baseline_cmd(
        model: str = typer.Option(..., "--model", "-m", help="Hub id, local directory, or alias (tiny, smollm2)."),
        benchmark: str = typer.Option("math500", "--benchmark", "-b", help="Benchmark name (see `list benchmarks`)."),
        data_file: Path | None = typer.Option(
            None, "--data-file", help="Local JSONL/JSON/Parquet file with the problems."
        ),
        field: list[str] | None = typer.Option(
            None, "--field", help="ROLE=COLUMN mapping (question, answer, solution, id)."
        ),
        limit: int | None = typer.Option(None, "--limit", help="Evaluate the first N problems only."),
        template: list[str] | None = typer.Option(None, "--template", "-t", help="A template (repeatable)."),
        templates: str | None = typer.Option(
            None, "--templates", help="Comma-separated templates (default: the standard grid)."
        ),
        templates_dir: list[Path] | None = typer.Option(
            None, "--templates-dir", help="Extra directory of *.toml templates."
        ),
        profile: list[str] | None = typer.Option(
            None, "--profile", "-p", help="A grading profile (repeatable; default: all)."
        ),
        backend: str | None = typer.Option(
            None, "--backend", help="vllm | hf | openai (default: vllm on a GPU, else hf)."
        ),
        base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible server, for --backend openai."),
        api_key: str | None = typer.Option(
            None, "--api-key", envvar="RLVR_AUDIT_API_KEY", help="API key for --backend openai."
        ),
        backend_option: list[str] | None = typer.Option(
            None, "--backend-option", "-o", help="KEY=VALUE passed to the backend."
        ),
        dtype: str | None = typer.Option(None, "--dtype", help="Model dtype (vllm, hf)."),
        max_model_len: int | None = typer.Option(None, "--max-model-len", help="Context length (vllm)."),
        temperature: float = typer.Option(0.0, "--temperature", help="0 = greedy."),
        top_p: float = typer.Option(1.0, "--top-p"),
        max_tokens: int = typer.Option(
            3072, "--max-tokens", help="Cap on completion tokens; a template with a smaller budget uses its own."
        ),
        samples: int = typer.Option(1, "--samples", "-n", help="Samples per problem (n > 1 adds pass@k and maj@k)."),
        seed: int = typer.Option(0, "--seed"),
        out: Path | None = typer.Option(None, "--out", help="Run directory (default runs/<model>-<benchmark>)."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace a run with a different spec."),
        reported: float | None = typer.Option(None, "--reported", help="A reported accuracy (%) to place in the grid."),
        as_claimed: str | None = typer.Option(None, "--as-claimed", help="TEMPLATE:PROFILE a published number used."),
        label: str | None = typer.Option(None, "--label", help="Run name in reports."),
        workers: int | None = typer.Option(None, "--workers", help="Grading processes (default: CPU count)."),
        as_json: bool = typer.Option(False, "--json", help="Print the grid as JSON instead of a table."),
        csv_path: Path | None = typer.Option(
            None, "--csv", help="Also write the cells as CSV (one row per cell, plain numbers)."
        ),
        markdown_path: Path | None = typer.Option(None, "--markdown", help="Also write it as Markdown."),
        latex_path: Path | None = typer.Option(None, "--latex", help="Also write it as LaTeX."),
        plot_path: Path | None = typer.Option(None, "--plot", help="Also write an accuracy heatmap (PNG/PDF/SVG)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Evaluate a model under templates x grading profiles; resumable."""
        from rlvr_audit.analysis.grid import compute_grid
        from rlvr_audit.core.types import Sampling
        from rlvr_audit.workflows.baseline import BaselineSpec, run_baseline

        names = split_names(template) + split_names([templates] if templates else None)
        options = parse_pairs(backend_option, "--backend-option")
        for key, value in (
            ("base_url", base_url),
            ("api_key", api_key),
            ("dtype", dtype),
            ("max_model_len", max_model_len),
        ):
            if value is not None:
                options[key] = value
        profiles = split_names(profile) or None
        spec = BaselineSpec(
            model=model,
            benchmark=benchmark,
            data_file=data_file,
            fields=tuple(parse_pairs(field, "--field").items()) or None,
            templates=tuple(names),
            templates_dir=tuple(templates_dir or ()),
            profiles=tuple(profiles) if profiles else None,
            sampling=Sampling(temperature=temperature, top_p=top_p, max_tokens=max_tokens, n=samples, seed=seed),
            backend=backend,
            backend_options=tuple(options.items()),
            out_dir=out,
            limit=limit,
            as_claimed=parse_as_claimed(as_claimed),
            label=label,
            grade_workers=workers,
        )
        run = run_baseline(spec, overwrite=overwrite, progress=not quiet and not as_json)
        grid = compute_grid(run, profiles=profiles, templates=names or None, reported=reported)
        table = grid.table()
        if csv_path is not None:  # one row per cell, plain numbers: what spreadsheets want
            _write_as(grid.long_table(), csv_path, ".csv")
        for path, suffix in ((markdown_path, ".md"), (latex_path, ".tex")):
            if path is not None:
                _write_as(table, path, suffix)
        if plot_path is not None:
            grid.heatmap(plot_path)
        counted = getattr(run, "generated", None)
        if as_json:
            data = grid.to_json()
            if counted is not None:
                data["generated"] = {
                    "prompts": counted.prompts,
                    "generations": counted.generations,
                    "completion_tokens": counted.completion_tokens,
                }
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        from rlvr_audit.report.tables import print_table

        print_table(grid.table(compact=True))
        if grid.samples > 1:
            print_table(grid.sampling_table())
        generated = (
            f"generated {counted.prompts} prompts ({counted.completion_tokens} tokens) this time"
            if counted is not None
            else ""
        )
        typer.echo(f"run: {run.path}" + (f"  ({generated})" if generated else ""))
