"""`rlvr-audit contamination`: does the model reproduce the end of the benchmark's problems?
(The probe of Wu et al. 2025; see docs/contamination.md.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import exports
from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import AuditError


def parse_ratios(text: str) -> tuple[float, ...]:
    """'0.4,0.6,0.8' -> (0.4, 0.6, 0.8); the range is checked by the workflow."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(float(part))
        except ValueError:
            raise AuditError(
                f"--ratios has '{part}', which is not a number", "pass e.g. --ratios 0.4,0.6,0.8"
            ) from None
    if not out:
        raise AuditError("--ratios names no ratio", "pass e.g. --ratios 0.4,0.6,0.8")
    return tuple(out)


def _write_outputs(data: dict[str, Any], exported: exports.Exports, plot_path: Path | None) -> None:
    from rlvr_audit.report.contamination_tables import probe_long_table, probe_table

    exported.write(payload=data, tables=[probe_table(data)], csv_tables=[probe_long_table(data)])
    if plot_path is not None:
        from rlvr_audit.report.plots import plot_probe

        plot_probe(data, plot_path)


def register(app: typer.Typer) -> None:
    @app.command("contamination")
    def contamination_cmd(
        model: str = opt.model(),
        benchmark: str = opt.benchmark(),
        data_file: Path | None = opt.data_file(),
        field: list[str] | None = typer.Option(
            None, "--field", help="ROLE=COLUMN mapping for --data-file (question, answer, id)."
        ),
        limit: int | None = opt.limit("Probe the first N problems only."),
        ratios: str = typer.Option(
            "0.4,0.6,0.8", "--ratios", help="Shares of each problem given to the model, comma-separated, in (0, 1)."
        ),
        control: str = typer.Option(
            "random-calculation",
            "--control",
            help="A benchmark the model cannot have seen, probed the same way (default: generated arithmetic).",
        ),
        no_control: bool = typer.Option(False, "--no-control", help="Probe the benchmark alone."),
        control_file: Path | None = typer.Option(None, "--control-file", help="Local file for --control."),
        control_limit: int | None = typer.Option(
            None, "--control-limit", help="Control problems to probe (default: --limit, else all)."
        ),
        profile: str = typer.Option("qwen25-math", "--profile", "-p", help="Profile grading the answer continuations."),
        answer_tokens: int = typer.Option(
            1024, "--answer-tokens", help="Budget of the answer continuation per ratio (0: skip answer accuracy)."
        ),
        tokenizer: str | None = typer.Option(
            None, "--tokenizer", help="The model's tokenizer, when --model has none (e.g. --backend openai)."
        ),
        backend: str | None = opt.backend(),
        base_url: str | None = opt.base_url(),
        api_key: str | None = opt.api_key(),
        backend_option: list[str] | None = opt.backend_option(),
        dtype: str | None = opt.dtype(),
        max_model_len: int | None = opt.max_model_len(),
        out: Path | None = opt.out("Probe run directory (default runs/<model>-<benchmark>-probe)."),
        control_out: Path | None = typer.Option(
            None,
            "--control-out",
            help="Control probe run directory (default <model>-<control>-probe beside the target run).",
        ),
        overwrite: bool = opt.overwrite("Replace probe runs with a different spec."),
        label: str | None = typer.Option(None, "--label", help="Run name in reports."),
        workers: int | None = opt.workers(),
        json_path: str | None = exports.json_option("probe.json"),
        csv_path: str | None = exports.csv_option("the figures (plain numbers)"),
        markdown_path: str | None = exports.markdown_option("the table"),
        latex_path: str | None = exports.latex_option("the table"),
        plot_path: Path | None = opt.plot("Also write a plot of exact match and ROUGE-L by ratio (PNG/PDF/SVG)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Probe for memorisation: give the model the start of each problem, raw, and check
        whether it writes the rest; side by side with a control it cannot have seen."""
        from rlvr_audit.workflows.contamination import ProbeSpec, run_probe

        exported = exports.Exports(json=json_path, csv=csv_path, markdown=markdown_path, latex=latex_path)
        options = opt.backend_options(
            backend_option, base_url=base_url, api_key=api_key, dtype=dtype, max_model_len=max_model_len
        )
        spec = ProbeSpec(
            model=model,
            benchmark=benchmark,
            data_file=data_file,
            fields=tuple(opt.parse_pairs(field, "--field").items()) or None,
            limit=limit,
            ratios=parse_ratios(ratios),
            control=None if no_control else control,
            control_file=control_file,
            control_limit=control_limit,
            profile=profile,
            answer_tokens=answer_tokens,
            backend=backend,
            backend_options=tuple(options.items()),
            tokenizer=tokenizer,
            out_dir=out,
            control_out_dir=control_out,
            label=label,
            grade_workers=workers,
        )
        result = run_probe(spec, overwrite=overwrite, progress=not quiet and not exported.to_stdout)
        _write_outputs(result.data, exported, plot_path)
        if exported.to_stdout:
            return
        from rlvr_audit.report.contamination_tables import probe_table
        from rlvr_audit.report.tables import print_table

        print_table(probe_table(result.data))
        made = result.generated
        runs = str(result.run.path) + (f", control {result.control_run.path}" if result.control_run else "")
        typer.echo(f"probe: {result.path}  (runs: {runs}; generated {made.prompts} prompts this time)")
