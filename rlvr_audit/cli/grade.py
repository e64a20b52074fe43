"""`rlvr-audit grade FILE_OR_RUN_DIR...`: re-grade existing outputs, no model needed.

Files (JSONL, JSONL.gz, JSON, Parquet) are graded with every selected profile and summed
up per group (`--group-by FIELD`, else per file); per-item grades go to
`<stem>.grades.jsonl`. A run directory is graded in place (only what lacks a grade) and
its template x profile grid is printed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from rlvr_audit.core.errors import AuditError

_STATUS_COLUMNS = ("no_answer", "timeout", "error")
TOTAL = "(all)"  # the summary row over every group


def _file_stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".jsonl", ".ndjson", ".json", ".parquet"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def grades_path(source: Path, out: Path | None) -> tuple[Path, str | None]:
    """Where the per-item grades of `source` go, and a note when not beside it."""
    name = f"{_file_stem(source)}.grades.jsonl"
    if out is not None:
        return out / name, None
    if _writable(source.resolve().parent):
        return source.with_name(name), None
    target = Path.cwd() / name
    return target, f"{source.parent} is read-only: per-item grades of {source.name} written to {target}"


def _writable(folder: Path) -> bool:
    # root passes os.access everywhere: also honour a folder marked read-only (../shared).
    return os.access(folder, os.W_OK) and bool(folder.stat().st_mode & 0o222)


def load_requests(paths, *, group_by, completion_field, answer_field, solution_field):
    """(GradeRequest, group, source file, index, record id) for every record of `paths`."""
    from rlvr_audit.grading.base import GradeRequest
    from rlvr_audit.io.genfiles import ANSWER_FIELDS, COMPLETION_FIELDS, SOLUTION_FIELDS, pick_field, read_records

    items = []
    for path in paths:
        records = read_records(path)
        if not records:
            raise AuditError(f"{path} holds no records", "pass a file with at least one generation")
        where = f" in {path.name}"
        try:
            c_field = pick_field(records, completion_field, COMPLETION_FIELDS, "completion")
            a_field = pick_field(records, answer_field, ANSWER_FIELDS, "answer")
            s_field = None
            if solution_field is not None or any(f in records[0] for f in SOLUTION_FIELDS):
                s_field = pick_field(records, solution_field, SOLUTION_FIELDS, "solution")
            if group_by is not None:
                pick_field(records, group_by, (), "group-by")
        except AuditError as exc:
            raise AuditError(exc.message + where, exc.fix) from exc
        for i, record in enumerate(records):
            if record.get(c_field) is None or record.get(a_field) is None:
                missing = c_field if record.get(c_field) is None else a_field
                raise AuditError(f"record {i + 1}{where} has no '{missing}'", "fill it in or drop the record")
            group = str(record.get(group_by)) if group_by is not None else _file_stem(path)
            solution = record.get(s_field) if s_field else None
            request = GradeRequest(
                str(record[c_field]), _as_text(record[a_field]), None if solution is None else str(solution)
            )
            items.append((request, group, path, i, record.get("id")))
    return items


def _as_text(value: Any) -> str:
    # Benchmarks store golds as numbers (27.0) or lists (OlympiadBench); graders take text.
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def summarize(groups: list[str], grades: list[dict], profiles: list[str]) -> list[dict[str, Any]]:
    """One row per (group, profile): n, accuracy %, parsable % and the status counts."""
    order = list(dict.fromkeys(groups))
    rows = []
    for group in order + [TOTAL] if len(order) > 1 else order:
        members = [g for grp, g in zip(groups, grades) if group == TOTAL or grp == group]
        for profile in profiles:
            counts = dict.fromkeys(("correct", "incorrect", *_STATUS_COLUMNS), 0)
            for row in members:
                counts[row[profile].status] += 1
            n = len(members)
            rows.append(
                {
                    "group": group,
                    "profile": profile,
                    "n": n,
                    "accuracy": round(100 * counts["correct"] / n, 2) if n else None,
                    "parsable": round(100 * (counts["correct"] + counts["incorrect"]) / n, 2) if n else None,
                    **counts,
                }
            )
    return rows


def _tables(rows: list[dict[str, Any]], profiles: list[str]):
    from rlvr_audit.report.tables import TableData

    groups = list(dict.fromkeys(r["group"] for r in rows))
    cell = {(r["group"], r["profile"]): r for r in rows}
    acc = TableData(
        columns=["group", "n", *profiles],
        rows=[[g, cell[(g, profiles[0])]["n"], *(cell[(g, p)]["accuracy"] for p in profiles)] for g in groups],
        title="accuracy % (correct / all items)",
    )
    for r, g in enumerate(groups):  # best profile of each group in bold
        values = [cell[(g, p)]["accuracy"] or 0.0 for p in profiles]
        acc.styles[(r, 2 + values.index(max(values)))] = "bold green"
    totals = [r for r in rows if r["group"] == groups[-1]]
    health = TableData(
        columns=["profile", "parsable %", *_STATUS_COLUMNS],
        rows=[[r["profile"], r["parsable"], *(r[s] for s in _STATUS_COLUMNS)] for r in totals],
        title=f"answers found ({groups[-1]})",
        caption="parsable = an answer was extracted and judged; timeout/error are not counted as correct",
    )
    for i, r in enumerate(totals):
        for j, s in enumerate(_STATUS_COLUMNS[1:], start=3):
            if r[s]:
                health.styles[(i, j)] = "red"
    long = TableData(
        columns=["group", "profile", "n", "accuracy", "parsable", "correct", "incorrect", *_STATUS_COLUMNS],
        rows=[
            [r[c] for c in ("group", "profile", "n", "accuracy", "parsable", "correct", "incorrect", *_STATUS_COLUMNS)]
            for r in rows
        ],
    )
    return acc, health, long


def write_item_grades(items, grades, profiles, out: Path | None) -> list[str]:
    """Per-item grades, one file per input; returns notes about where they went."""
    notes, by_source = [], {}
    for (_request, group, path, index, rid), row in zip(items, grades):
        by_source.setdefault(path, []).append(
            {
                "index": index,
                "id": rid,
                "group": group,
                "grades": {
                    p: {
                        "status": row[p].status,
                        "extracted": row[p].extracted,
                        "detail": row[p].detail,
                        "version": row[p].version,
                    }
                    for p in profiles
                },
            }
        )
    for path, records in by_source.items():
        target, note = grades_path(path, out)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(tmp, target)
        notes.append(note or f"per-item grades of {path.name}: {target}")
    return notes


def grade_files(paths, profiles, *, group_by, fields, workers, timeout, cache, out, progress=True):
    """Grade files of generations; returns (summary rows, GradeStats, notes)."""
    from rlvr_audit.grading.engine.pool import grade_many

    items = load_requests(paths, group_by=group_by, **fields)
    batch = grade_many(
        [it[0] for it in items], profiles, workers=workers, timeout=timeout, cache=cache, progress=progress
    )
    rows = summarize([it[1] for it in items], batch.grades, profiles)
    notes = write_item_grades(items, batch.grades, profiles, out)
    return rows, batch.stats, notes


def _grade_run_dir(path: Path, profiles, *, workers, timeout, cache, as_json: bool, as_csv: bool) -> None:
    from rlvr_audit.analysis.grid import compute_grid
    from rlvr_audit.grading.engine.runs import grade_run
    from rlvr_audit.store.run import Run

    run = Run.open(path)
    stats = grade_run(run, profiles, workers=workers, timeout=timeout, cache=cache)
    try:
        from rlvr_audit.workflows.baseline import write_summary

        write_summary(run)
    except ImportError:
        pass
    grid = compute_grid(run, profiles=profiles)
    table = grid.table()
    if as_json:
        typer.echo(json.dumps({"grading": stats, "grid": grid.to_json()}, indent=2, ensure_ascii=False))
    elif as_csv:
        typer.echo(table.to_csv(), nl=False)
    else:
        from rlvr_audit.report.tables import print_table

        added = sum(stats["added"].values())
        typer.echo(
            f"{run.name}: {added} new grades ({stats['timeouts']} timeouts, {stats['errors']} errors) "
            f"in {stats['wall_s']:.1f} s",
            err=True,
        )
        print_table(table)


def register(app: typer.Typer) -> None:
    @app.command("grade")
    def grade_cmd(
        paths: list[Path] = typer.Argument(
            ..., help="Generation files (JSONL[.gz], JSON, Parquet) or run directories."
        ),
        profile: list[str] | None = typer.Option(
            None, "-p", "--profile", help="Profile(s): repeat or comma list; default all."
        ),
        group_by: str | None = typer.Option(
            None, "--group-by", help="Field whose value groups records (default: per file)."
        ),
        completion_field: str | None = typer.Option(None, "--completion-field", help="Field holding the model's text."),
        answer_field: str | None = typer.Option(None, "--answer-field", help="Field holding the gold answer."),
        solution_field: str | None = typer.Option(None, "--solution-field", help="Field holding the worked solution."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON to stdout instead of tables."),
        as_csv: bool = typer.Option(False, "--csv", help="Print CSV to stdout instead of tables."),
        out: Path | None = typer.Option(
            None, "--out", help="Directory for per-item grades (default: beside each input)."
        ),
        workers: int | None = typer.Option(
            None, "--workers", min=0, help="Grading processes (default: all cores; 0 = in-process)."
        ),
        timeout: float = typer.Option(5.0, "--timeout", min=0.01, help="Seconds per grading step per item."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the verdict cache."),
    ) -> None:
        """Re-grade existing generations with grading profiles (no model needed)."""
        from rlvr_audit.grading.engine.cache import GradeCache
        from rlvr_audit.grading.registry import resolve_profiles

        if as_json and as_csv:
            raise AuditError("--json and --csv were both given", "pass one of them")
        names = resolve_profiles(profile or None)
        cache = None if no_cache else GradeCache.persistent()
        run_dirs = [p for p in paths if p.is_dir()]
        for p in run_dirs:
            if not (p / "run.json").is_file():
                raise AuditError(
                    f"{p} is a directory but not a run (no run.json)", "pass generation files or a run directory"
                )
        for p in run_dirs:
            _grade_run_dir(p, names, workers=workers, timeout=timeout, cache=cache, as_json=as_json, as_csv=as_csv)
        files = [p for p in paths if not p.is_dir()]
        if not files:
            return
        fields = {"completion_field": completion_field, "answer_field": answer_field, "solution_field": solution_field}
        rows, stats, notes = grade_files(
            files, names, group_by=group_by, fields=fields, workers=workers, timeout=timeout, cache=cache, out=out
        )
        acc, health, long = _tables(rows, names)
        for note in notes:
            typer.echo(note, err=True)
        if as_json:
            typer.echo(json.dumps({"rows": long.records(), "stats": stats.to_dict()}, indent=2, ensure_ascii=False))
            return
        if as_csv:
            typer.echo(long.to_csv(), nl=False)
            return
        from rich.console import Console

        from rlvr_audit.report.tables import print_table

        console = Console()
        print_table(acc)
        print_table(health)
        hit = f", {stats.cache_hits} cached verdicts" if stats.cache_hits else ""
        console.print(
            f"[dim]{stats.items} items x {stats.profiles} profiles in {stats.wall_s:.1f} s "
            f"({stats.judged} judged{hit})[/]",
            highlight=False,
        )
