"""`rlvr-audit import FILE --group-by FIELD --out DIR`: others' generations as runs."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        file: Path = typer.Argument(..., help="Generations file: JSONL (optionally .gz), JSON or Parquet."),
        group_by: str = typer.Option(..., "--group-by", help="Field whose value names a run (e.g. run, model)."),
        out: Path = typer.Option(..., "--out", help="Directory to create one run directory per group in."),
        template_field: str | None = typer.Option(None, "--template-field", help="Field naming the prompt template."),
        template: str | None = typer.Option(None, "--template", help="One template name for every record."),
        benchmark: str | None = typer.Option(
            None, "--benchmark", help="Benchmark name to record (default: file name)."
        ),
        data_file: Path | None = typer.Option(
            None,
            "--data-file",
            help="The benchmark's problems file (with --benchmark NAME): problems and identity "
            "come from it, so imported runs compare with `baseline` runs of that benchmark.",
        ),
        model_field: str | None = typer.Option(None, "--model-field", help="Field naming the model."),
        completion_field: str | None = typer.Option(None, "--completion-field", help="Field holding the completion."),
        answer_field: str | None = typer.Option(None, "--answer-field", help="Field holding the gold answer."),
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
        profile: list[str] | None = typer.Option(None, "--profile", help="Grade with these profiles (default all)."),
        no_grade: bool = typer.Option(False, "--no-grade", help="Only write the runs; grade later."),
        workers: int | None = typer.Option(None, "--workers", help="Grading processes."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing run directories."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide progress bars."),
    ) -> None:
        """Turn a saved generations file into run directories (no model needed)."""
        from rlvr_audit.core.errors import AuditError
        from rlvr_audit.workflows.import_run import ImportSpec, import_generations, parse_pairs

        if template_field and template:
            raise AuditError("--template-field and --template exclude each other", "pass only one of them")
        profiles: tuple[str, ...] | None = None
        if no_grade:
            profiles = ()
        elif profile:
            from rlvr_audit.grading.registry import resolve_profiles

            profiles = tuple(resolve_profiles(list(profile)))
        spec = ImportSpec(
            path=file,
            out_dir=out,
            group_by=group_by,
            template_field=template_field,
            template=template,
            benchmark=benchmark,
            data_file=data_file,
            model_field=model_field,
            completion_field=completion_field,
            answer_field=answer_field,
            id_field=id_field,
            sample_field=sample_field,
            question_field=question_field,
            groups=parse_pairs(group, "--group"),
            rename_templates=parse_pairs(rename_template, "--rename-template"),
            profiles=profiles,
            overwrite=overwrite,
            workers=workers,
        )
        runs = import_generations(spec, progress=not no_progress)
        from rlvr_audit.report.tables import TableData, print_table

        rows = [[r.name, str(r.path), len(r.problems()), ", ".join(r.templates), len(r.generations())] for r in runs]
        print_table(
            TableData(
                columns=["run", "directory", "problems", "templates", "generations"],
                rows=rows,
                title=f"imported {file.name}",
            )
        )
