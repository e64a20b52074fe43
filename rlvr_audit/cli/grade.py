"""`rlvr-audit grade FILE_OR_RUN_DIR...`: re-grade existing outputs, no model needed.

Files are graded with every selected profile and summed up per group (`--group-by FIELD`,
else per file); a run directory is graded in place and its grid printed. The work is in
`rlvr_audit.workflows.grade_files`; this module prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import exports
from rlvr_audit.cli import options as opt


def _print_run_dir(graded: Any, exported: exports.Exports) -> None:
    from rlvr_audit.report.grid_tables import grid_long_table, grid_table

    stats, table = graded.stats, grid_table(graded.grid)
    for line in stats.get("messages", []):  # what was re-graded or is stale, and why
        typer.echo(f"{graded.run.name}: {line}", err=True)
    payload = {"grading": stats, "grid": graded.grid.to_json()}
    exported.write(payload=payload, tables=[table], csv_tables=[grid_long_table(graded.grid)])
    if not exported.to_stdout:
        from rlvr_audit.report.tables import print_table

        added = sum(stats["added"].values())
        typer.echo(
            f"{graded.run.name}: {added} new grades ({stats['timeouts']} timeouts, {stats['errors']} errors; "
            f"accuracy counts timeouts and errors as incorrect, the next grade retries them) "
            f"in {stats['wall_s']:.1f} s",
            err=True,
        )
        print_table(table)


def _print_files(graded: Any, profiles: list[str], exported: exports.Exports) -> None:
    from rlvr_audit.report.grade_tables import grade_tables
    from rlvr_audit.workflows.grade_files import ACCURACY_COUNTS

    acc, health, long = grade_tables(graded.rows, profiles)
    stats = graded.stats
    for note in graded.notes:
        typer.echo(note, err=True)
    payload = {"rows": long.records(), "stats": stats.to_dict(), "accuracy_counts": ACCURACY_COUNTS}
    exported.write(payload=payload, tables=[acc, health], csv_tables=[long])
    if exported.to_stdout:
        return
    from rich.console import Console

    from rlvr_audit.report.tables import print_table

    print_table(acc)
    print_table(health)
    hit = f", {stats.cache_hits} cached verdicts" if stats.cache_hits else ""
    Console().print(
        f"[dim]{stats.items} items x {stats.profiles} profiles in {stats.wall_s:.1f} s ({stats.judged} judged{hit})[/]",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    @app.command("grade")
    def grade_cmd(
        paths: list[Path] = typer.Argument(
            ..., help="Generation files (JSONL[.gz], JSON, Parquet) or run directories."
        ),
        profile: list[str] | None = opt.profile("Profile(s): repeat or comma list; default all."),
        group_by: str | None = typer.Option(
            None, "--group-by", help="Field whose value groups records (default: per file)."
        ),
        completion_field: str | None = opt.completion_field(),
        answer_field: str | None = opt.answer_field(),
        solution_field: str | None = typer.Option(None, "--solution-field", help="Field holding the worked solution."),
        benchmark: str | None = typer.Option(
            None,
            "--benchmark",
            help="Files: the benchmark the records belong to (math500, minerva, gsm8k, ...), for profiles whose "
            "harness grades benchmarks differently. Run directories know theirs.",
        ),
        json_path: str | None = exports.json_option("the accuracies and grading stats"),
        csv_path: str | None = exports.csv_option("one row per group (or cell) and profile, plain numbers,"),
        markdown_path: str | None = exports.markdown_option(),
        latex_path: str | None = exports.latex_option(),
        out: Path | None = opt.out("Directory for per-item grades (default: beside each input)."),
        workers: int | None = opt.workers("Grading processes (default: all cores; 0 = in-process)."),
        timeout: float = opt.timeout(),
        no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the verdict cache."),
        strict: bool = opt.strict(),
        dedupe: str | None = opt.dedupe(),
        no_regrade: bool = typer.Option(
            False,
            "--no-regrade",
            help="Run directories: report grades made by another profile version or library versions "
            "instead of re-grading them.",
        ),
    ) -> None:
        """Re-grade existing generations with grading profiles (no model needed)."""
        from rlvr_audit.grading.engine.cache import GradeCache
        from rlvr_audit.grading.registry import resolve_profiles
        from rlvr_audit.workflows.grade_files import check_benchmark, check_run_dirs, grade_files, grade_run_dir

        exported = exports.Exports(json=json_path, csv=csv_path, markdown=markdown_path, latex=latex_path)
        names = resolve_profiles(profile or None)
        benchmark = check_benchmark(benchmark)  # a typo fails before any grading
        cache = None if no_cache else GradeCache.persistent()
        pool = {"workers": workers, "timeout": timeout, "cache": cache}
        for path in check_run_dirs(paths):
            graded = grade_run_dir(path, names, regrade=not no_regrade, **pool)
            _print_run_dir(graded, exported)
        files = [p for p in paths if not p.is_dir()]
        if not files:
            return
        fields = {"completion_field": completion_field, "answer_field": answer_field, "solution_field": solution_field}
        from rlvr_audit.io.intake import Intake

        intake = Intake(strict=strict, dedupe=dedupe)
        graded = grade_files(
            files, names, group_by=group_by, fields=fields, out=out, benchmark=benchmark, intake=intake, **pool
        )
        _print_files(graded, names, exported)
