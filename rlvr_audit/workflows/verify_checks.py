"""The record checks of `verify`: generations and grades, as written on disk.

Policy (docs/verify.md): a torn or corrupt line, a duplicated key, a generation missing
from a generated run, a generation with no grade, a grade with no generation and a stale
grade are failures. A key graded twice is fine when every earlier record was superseded
(a retried `timeout`/`error`, or a re-grade under another fingerprint); the last record
counts. A missing generation in an imported run is a warning: an import holds what the
file held.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.workflows.verify_records import Check, Key, Scan, first_of, group_by_key, scan_jsonl, show_key

RETRIED_STATUSES = ("timeout", "error")


@dataclass
class RunFiles:
    """What `verify` read from one run directory (read-only, nothing migrated)."""

    path: Path
    manifest: dict[str, Any]
    problems: Scan
    generations: Scan
    prompts: Scan
    grades: dict[str, Scan] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, manifest: dict[str, Any]) -> RunFiles:
        grades_dir = path / "grades"
        grade_files = sorted(grades_dir.glob("*.jsonl")) if grades_dir.is_dir() else []
        return cls(
            path=path,
            manifest=manifest,
            problems=scan_jsonl(path / "problems.jsonl"),
            generations=scan_jsonl(path / "generations.jsonl"),
            prompts=scan_jsonl(path / "prompts.jsonl"),
            grades={p.stem: scan_jsonl(p) for p in grade_files},
        )

    @property
    def templates(self) -> list[str]:
        return list(self.manifest.get("templates") or {})

    @property
    def samples(self) -> int:
        return int((self.manifest.get("sampling") or {}).get("n", 1))

    @property
    def imported(self) -> bool:
        return self.manifest.get("source") == "imported"

    def problem_ids(self) -> list[str]:
        return [str(r["id"]) for _, r in self.problems.records if "id" in r]


def _canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def check_generations(files: RunFiles) -> tuple[Check, dict[Key, dict[str, Any]]]:
    """Torn, corrupt, duplicate, unknown and missing generations; returns the check and
    the generations by key (first record of a key, as the store reads them)."""
    scan = files.generations
    if not scan.exists:
        return Check("generations", "FAIL", "no generations.jsonl"), {}
    groups, keyless = group_by_key(scan)
    ids, templates, n = files.problem_ids(), files.templates, files.samples
    expected = [(p, t, s) for p in ids for t in templates for s in range(n)]
    expected_set = set(expected)
    failures = scan.problems()
    if keyless:
        failures.append(f"{len(keyless)} record(s) without problem_id/template/sample: lines {first_of(keyless)}")
    duplicates = [k for k, rows in groups.items() if len(rows) > 1]
    if duplicates:
        lines = [str(rows[1][0]) for k, rows in groups.items() if len(rows) > 1]
        failures.append(
            f"{len(duplicates)} duplicate key(s): {first_of(show_key(k) for k in duplicates)} (lines {first_of(lines)})"
        )
    unknown = [k for k in groups if k not in expected_set]
    if unknown:
        failures.append(
            f"{len(unknown)} generation(s) outside the run's problems x templates x samples: "
            f"{first_of(show_key(k) for k in unknown)}"
        )
    missing = [k for k in expected if k not in groups]
    gaps = f"{len(missing)} missing generation(s): {first_of(show_key(k) for k in missing)}" if missing else ""
    by_key = {k: rows[0][1] for k, rows in groups.items()}
    if gaps and not files.imported:
        if not failures:  # nothing wrong with what is there: the run is unfinished
            return Check("generations", "FAIL", gaps, incomplete=True), by_key
        failures.append(gaps)
    if failures:
        return Check("generations", "FAIL", "; ".join(failures)), by_key
    if gaps:
        return Check("generations", "warn", f"{gaps} (imported run: the file held no more)"), by_key
    shape = f"{len(ids)} problems x {len(templates)} templates x {n} samples"
    return Check("generations", "ok", f"{len(by_key)} generations ({shape})"), by_key


def _superseded(earlier: dict[str, Any], later: dict[str, Any]) -> bool:
    """An earlier grade of a key that a later one legitimately replaces."""
    if earlier.get("status") in RETRIED_STATUSES:
        return True
    return any(earlier.get(f) != later.get(f) for f in ("fingerprint", "version") if f in later)


def resolve_grades(scan: Scan) -> tuple[dict[Key, dict[str, Any]], list[str], list[int], int]:
    """Grades by key (the last record of a superseded chain), the defects of repeated
    keys, the keyless line numbers, and how many records were superseded."""
    groups, keyless = group_by_key(scan)
    by_key: dict[Key, dict[str, Any]] = {}
    duplicated, conflicting, superseded = [], [], 0
    for key, rows in groups.items():
        records = [r for _, r in rows]
        by_key[key] = records[-1]
        if len(records) == 1:
            continue
        if len({_canonical(r) for r in records}) < len(records):
            duplicated.append((key, rows[1][0]))
        elif all(_superseded(a, records[-1]) for a in records[:-1]):
            superseded += len(records) - 1
        else:
            conflicting.append((key, rows[1][0]))
    defects = []
    if duplicated:
        defects.append(
            f"{len(duplicated)} duplicated record(s): {first_of(show_key(k) for k, _ in duplicated)} "
            f"(lines {first_of(n for _, n in duplicated)})"
        )
    if conflicting:
        defects.append(
            f"{len(conflicting)} key(s) graded twice with different verdicts: "
            f"{first_of(show_key(k) for k, _ in conflicting)} (lines {first_of(n for _, n in conflicting)})"
        )
    return by_key, defects, keyless, superseded


def check_grades(
    files: RunFiles, profile: str, generations: dict[Key, dict[str, Any]]
) -> tuple[Check, dict[Key, dict[str, Any]]]:
    """Torn, corrupt, duplicate, missing and orphan grades of one profile."""
    scan = files.grades[profile]
    by_key, failures, keyless, superseded = resolve_grades(scan)
    failures = scan.problems() + failures
    if keyless:
        failures.append(f"{len(keyless)} record(s) without problem_id/template/sample: lines {first_of(keyless)}")
    no_status = [k for k, r in by_key.items() if "status" not in r]
    if no_status:
        failures.append(f"{len(no_status)} record(s) without a status: {first_of(show_key(k) for k in no_status)}")
    orphans = [k for k in by_key if k not in generations]
    if orphans:
        failures.append(f"{len(orphans)} grade(s) with no generation: {first_of(show_key(k) for k in orphans)}")
    name = f"grades {profile}"
    missing = [k for k in generations if k not in by_key]
    if missing:
        ungraded = f"{len(missing)} generation(s) with no grade: {first_of(show_key(k) for k in missing)}"
        if not failures:  # an interrupted `grade`: finishing it settles this
            return Check(name, "FAIL", ungraded, incomplete=True), by_key
        failures.append(ungraded)
    if failures:
        return Check(name, "FAIL", "; ".join(failures)), by_key
    note = f" ({superseded} superseded record(s): retried or re-graded)" if superseded else ""
    unsettled = {s: sum(r.get("status") == s for r in by_key.values()) for s in RETRIED_STATUSES}
    if any(unsettled.values()):
        counts = ", ".join(f"{n} {s}" for s, n in unsettled.items() if n)
        detail = f"{len(by_key)} grades{note}; {counts} (not verdicts: `rlvr-audit grade RUN` retries them)"
        return Check(name, "warn", detail), by_key
    return Check(name, "ok", f"{len(by_key)} grades, one per generation{note}"), by_key
