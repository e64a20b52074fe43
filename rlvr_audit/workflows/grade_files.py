"""Grade saved outputs with no model: files of generations, or run directories in place.

Files (JSONL, JSONL.gz, JSON, Parquet) are graded with every selected profile and summed
up per group (a field's value, else per file); per-item grades go to
`<stem>.grades.jsonl` beside each input (or under `out`). A run directory gets the grades
it lacks, a fresh summary.json and its template x profile grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.analysis.grid_cells import ACCURACY_COUNTS  # how accuracy counts timeouts and errors
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import STATUSES
from rlvr_audit.io.intake import Intake, Notify, warn_on_stderr
from rlvr_audit.workflows.item_grades import INPUT_KEY, file_stem, grades_path  # noqa: F401 (re-exported)

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


def check_benchmark(name: str | None) -> str | None:
    """`--benchmark NAME` as the registry spells it (Qwen's `minerva_math` is `minerva`);
    an AuditError naming the known ones otherwise."""
    from rlvr_audit.benchmarks.registry import SPECS

    if name is None:
        return None
    name = {"minerva_math": "minerva"}.get(name, name)
    if name not in SPECS:
        raise AuditError(f"'{name}' is not a known benchmark", f"pass --benchmark with one of: {', '.join(SPECS)}")
    return name


def load_requests(
    paths,
    *,
    group_by,
    completion_field,
    answer_field,
    solution_field,
    benchmark=None,
    intake: Intake | None = None,
    notify: Notify = warn_on_stderr,
):
    """(GradeRequest, group, source file, index, record id) for every record of `paths` to
    grade; `benchmark` is the benchmark every record belongs to (None: unknown). Torn tails,
    duplicates, conflicting golds and completions that are not text: `intake` (io.intake)."""
    from rlvr_audit.grading.base import GradeRequest
    from rlvr_audit.io.intake import read_user_records
    from rlvr_audit.workflows.grade_inputs import take_in

    intake = intake or Intake()
    items = []
    for path in paths:
        records = read_user_records(path, intake, notify)
        if not records:
            raise AuditError(f"{path} holds no records", "pass a file with at least one generation")
        c_field, a_field, s_field = _fields_of(records, path, group_by, completion_field, answer_field, solution_field)
        groups = [str(r.get(group_by)) if group_by is not None else file_stem(path) for r in records]
        kept = take_in(
            records, path, c_field, a_field, groups=groups, grouped=group_by is not None, intake=intake, notify=notify
        )
        for i, completion, gold in kept:
            record, group = records[i], groups[i]
            solution = record.get(s_field) if s_field else None
            request = GradeRequest(
                completion,
                _as_text(gold),
                None if solution is None else str(solution),
                benchmark,
                tuple(str(v) for v in gold) if isinstance(gold, list) and gold else None,
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


def write_item_grades(items, grades, profiles, targets) -> list[str]:
    """Per-item grades, one file per input, merged into what the file holds
    (`workflows.item_grades`); returns notes about where they went."""
    from rlvr_audit.workflows.item_grades import merge_lines, read_existing, write_lines_atomic

    notes, by_source = [], {}
    for (_request, group, path, index, rid), row in zip(items, grades):
        by_source.setdefault(path, []).append(
            {
                "index": index,
                "id": rid,
                "group": group,
                INPUT_KEY: targets[path].sha256,
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
    for path, lines in by_source.items():
        target = targets[path]
        merged = merge_lines(read_existing(target), lines, profiles)
        write_lines_atomic(target.path, merged)
        kept = {p for line in merged for p in line["grades"]} - set(profiles)
        also = f" (kept the grades of {', '.join(sorted(kept))})" if kept else ""
        notes.append(target.note or f"per-item grades of {path.name}: {target.path}{also}")
    return notes


def grade_files(
    paths,
    profiles,
    *,
    group_by,
    fields,
    workers,
    timeout,
    cache,
    out,
    progress=True,
    benchmark=None,
    intake: Intake | None = None,
    notify: Notify = warn_on_stderr,
) -> FileGrades:
    """Grade files of generations with `profiles` and write their per-item grades.

    `fields` names the completion/answer/solution fields (None: guessed per file);
    `benchmark` names the benchmark of every record (profiles that branch on it follow it);
    `intake` says how to take damaged input (io.intake), `notify` where warnings go."""
    from rlvr_audit.grading.engine.pool import grade_many
    from rlvr_audit.workflows.item_grades import plan_targets

    benchmark = check_benchmark(benchmark)
    items = load_requests(paths, group_by=group_by, benchmark=benchmark, intake=intake, notify=notify, **fields)
    targets = plan_targets(list(dict.fromkeys(it[2] for it in items)), out)  # refused before any grading
    batch = grade_many(
        [it[0] for it in items], profiles, workers=workers, timeout=timeout, cache=cache, progress=progress
    )
    rows = summarize([it[1] for it in items], batch.grades, profiles)
    notes = write_item_grades(items, batch.grades, profiles, targets)
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
