"""`rlvr-audit import FILE --group-by FIELD --out DIR`: others' generations as runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from rlvr_audit.cli import options as opt
from rlvr_audit.core.errors import AuditError


def import_spec(
    *,
    file: Path,
    out: Path,
    template_field: str | None,
    template: str | None,
    group: list[str] | None,
    rename_template: list[str] | None,
    profile: list[str] | None,
    no_grade: bool,
    no_progress: bool,
    strict: bool = False,
    dedupe: str | None = None,
    **fields: Any,
) -> Any:
    """The ImportSpec that `import`'s options describe; `fields` are the options that map
    one to one onto ImportSpec fields (group_by, model_field, workers, ...)."""
    from rlvr_audit.io.intake import Intake
    from rlvr_audit.workflows.import_run import ImportSpec, parse_pairs

    if template_field and template:
        raise AuditError("--template-field and --template exclude each other", "pass only one of them")
    profiles: tuple[str, ...] | None = None
    if no_grade:
        profiles = ()
    elif profile:
        from rlvr_audit.grading.registry import resolve_profiles

        profiles = tuple(resolve_profiles(list(profile)))
    return ImportSpec(
        path=file,
        out_dir=out,
        template_field=template_field,
        template=template,
        groups=parse_pairs(group, "--group"),
        rename_templates=parse_pairs(rename_template, "--rename-template"),
        profiles=profiles,
        intake=Intake(strict=strict, dedupe=dedupe),
        **fields,
    )


def _print_runs(runs: list[Any], file: Path) -> None:
    from rlvr_audit.report.tables import TableData, print_table

    rows = [[r.name, str(r.path), len(r.problems()), ", ".join(r.templates), len(r.generations())] for r in runs]
    print_table(
        TableData(
            columns=["run", "directory", "problems", "templates", "generations"],
            rows=rows,
            title=f"imported {file.name}",
        )
    )


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        file: Path = typer.Argument(..., help="Generations file: JSONL (optionally .gz), JSON or Parquet."),
        group_by: str = typer.Option(..., "--group-by", help="Field whose value names a run (e.g. run, model)."),
        out: Path = opt.out("Directory to create one run directory per group in.", required=True),
        template_field: str | None = typer.Option(None, "--template-field", help="Field naming the prompt template."),
        template: str | None = opt.template("One template name for every record.", short=None),
        benchmark: str | None = opt.benchmark(None, "Benchmark name to record (default: file name).", short=None),
        data_file: Path | None = opt.data_file(
            "The benchmark's problems file (with --benchmark NAME): problems and identity "
            "come from it, so imported runs compare with `baseline` runs of that benchmark."
        ),
        model_field: str | None = typer.Option(None, "--model-field", help="Field naming the model."),
        completion_field: str | None = opt.completion_field("Field holding the completion."),
        answer_field: str | None = opt.answer_field(),
        id_field: str | None = typer.Option(None, "--id-field", help="Field holding the problem id."),
        sample_field: str | None = typer.Option(None, "--sample-field", help="Field holding the sample index."),
        question_field: str | None = typer.Option(None, "--question-field", help="Field holding the problem text."),
        group: list[str] | None = typer.Option(
            None,
            "--group",
            help="PATTERN=NAME: merge group values matching a glob into one run (repeat; first match wins).",
        ),
        rename_template: list[str] | None = typer.Option(
            None,
            "--rename-template",
            help="OLD=NEW: rename a template (e.g. to match the base run's name for the same prompt).",
        ),
        profile: list[str] | None = opt.profile("Grade with these profiles (default all).", short=None),
        no_grade: bool = typer.Option(False, "--no-grade", help="Only write the runs; grade later."),
        workers: int | None = opt.workers("Grading processes."),
        overwrite: bool = opt.overwrite("Replace existing run directories."),
        no_progress: bool = opt.no_progress("Hide progress bars."),
        strict: bool = opt.strict(),
        dedupe: str | None = opt.dedupe(),
    ) -> None:
        """Turn a saved generations file into run directories (no model needed)."""
        spec = import_spec(**locals())
        from rlvr_audit.workflows.import_run import import_generations

        runs = import_generations(spec, progress=not no_progress)
        _print_runs(runs, file)
