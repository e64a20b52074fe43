"""Grade saved outputs with no model: files of generations, or run directories in place.

Files (JSONL, JSONL.gz, JSON, Parquet) are graded with every selected profile and summed
up per group (a field's value, else per file); per-item grades go to
`<stem>.grades.jsonl` beside each input (or under `out`). A run directory gets the grades
it lacks, a fresh summary.json and its template x profile grid.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.analysis.grid_cells import ACCURACY_COUNTS  # how accuracy counts timeouts and errors
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import STATUSES

FAILURE_STATUSES = STATUSES[2:]  # no_answer, timeout, error: counted beside accuracy

TOTAL = "(all)"  # the summary row over every group


@dataclass
class FileGrades:
    """What grading files produced: one summary row per (group, profile), the pool's
    GradeStats, and one note per input saying where its per-item grades went."""

    rows: list[dict[str, Any]]
    stats: Any
    notes: list[str]


@dataclass
class RunDirGrades:
    """A run directory after grading: the Run, grade_run's stats and its grid."""

    run: Any
    stats: dict[str, Any]
    grid: Any


def file_stem(path: Path) -> str:
    """The file name without its generations suffixes (`a.jsonl.gz` -> `a`)."""
    name = path.name
    for suffix in (".gz", ".jsonl", ".ndjson", ".json", ".parquet"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def grades_path(source: Path, out: Path | None) -> tuple[Path, str | None]:
    """Where the per-item grades of `source` go, and a note when not beside it."""
    name = f"{file_stem(source)}.grades.jsonl"
    if out is not None:
        return out / name, None
    if _writable(source.resolve().parent):
        return source.with_name(name), None
    target = Path.cwd() / name
    return target, f"{source.parent} is read-only: per-item grades of {source.name} written to {target}"


def _writable(folder: Path) -> bool:
    # root passes os.access everywhere: also honour a folder marked read-only (../shared).
    return os.access(folder, os.W_OK) and bool(folder.stat().st_mode & 0o222)


def _fields_of(records: list[dict], path: Path, group_by, completion_field, answer_field, solution_field):
    """(completion, answer, solution or None) field names of one file's records."""
    from rlvr_audit.io.fields import ANSWER_FIELDS, COMPLETION_FIELDS, SOLUTION_FIELDS, pick_field

    try:
        c_field = pick_field(records, completion_field, COMPLETION_FIELDS, "completion")
        a_field = pick_field(records, answer_field, ANSWER_FIELDS, "answer")
        s_field = None
        if solution_field is not None or any(f in records[0] for f in SOLUTION_FIELDS):
            s_field = pick_field(records, solution_field, SOLUTION_FIELDS, "solution")
        if group_by is not None:
            pick_field(records, group_by, (), "group-by")
    except AuditError as exc:
        raise AuditError(exc.message + f" in {path.name}", exc.fix) from exc
    return c_field, a_field, s_field


def load_requests(paths, *, group_by, completion_field, answer_field, solution_field):
    """(GradeRequest, group, source file, index, record id) for every record of `paths`."""
    from rlvr_audit.grading.base import GradeRequest
    from rlvr_audit.io.records import read_records

    items = []
    for path in paths:
        records = read_records(path)
        if not records:
            raise AuditError(f"{path} holds no records", "pass a file with at least one generation")
        c_field, a_field, s_field = _fields_of(records, path, group_by, completion_field, answer_field, solution_field)
        for i, record in enumerate(records):
            if record.get(c_field) is None or record.get(a_field) is None:
                missing = c_field if record.get(c_field) is None else a_field
                raise AuditError(f"record {i + 1} in {path.name} has no '{missing}'", "fill it in or drop the record")
            group = str(record.get(group_by)) if group_by is not None else file_stem(path)
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
            counts = dict.fromkeys(("correct", "incorrect", *FAILURE_STATUSES), 0)
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
                    "accuracy_counts": ACCURACY_COUNTS,
                }
            )
    return rows


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
                        "fingerprint": row[p].fingerprint,
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


def grade_files(paths, profiles, *, group_by, fields, workers, timeout, cache, out, progress=True) -> FileGrades:
    """Grade files of generations with `profiles` and write their per-item grades.

    `fields` names the completion/answer/solution fields (None: guessed per file)."""
    from rlvr_audit.grading.engine.pool import grade_many

    items = load_requests(paths, group_by=group_by, **fields)
    batch = grade_many(
        [it[0] for it in items], profiles, workers=workers, timeout=timeout, cache=cache, progress=progress
    )
    rows = summarize([it[1] for it in items], batch.grades, profiles)
    notes = write_item_grades(items, batch.grades, profiles, out)
    return FileGrades(rows, batch.stats, notes)


def check_run_dirs(paths: Sequence[Path]) -> list[Path]:
    """The directories among `paths`; each must be a run (hold run.json)."""
    run_dirs = [p for p in paths if p.is_dir()]
    for p in run_dirs:
        if not (p / "run.json").is_file():
            raise AuditError(
                f"{p} is a directory but not a run (no run.json)", "pass generation files or a run directory"
            )
    return run_dirs


def grade_run_dir(path: Path, profiles, *, workers, timeout, cache, regrade: bool = True) -> RunDirGrades:
    """Grade what a run directory lacks (missing, timed-out, errored and, unless
    `regrade` is False, stale grades), rewrite its summary.json, and compute its grid."""
    from rlvr_audit.analysis.grid import compute_grid
    from rlvr_audit.grading.engine.runs import grade_run
    from rlvr_audit.store.run import Run
    from rlvr_audit.workflows.baseline import write_summary

    run = Run.open(path)
    stats = grade_run(run, profiles, workers=workers, timeout=timeout, cache=cache, regrade=regrade)
    write_summary(run)
    return RunDirGrades(run, stats, compute_grid(run, profiles=profiles))
