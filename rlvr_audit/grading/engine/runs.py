"""Grade a run's generations with profiles, resume-safe, and keep its grades current.

A generation is graded under a profile when it has no grade there, when its grade is a
`timeout` or an `error` (those are not verdicts: the next call retries them), or when its
grade carries another fingerprint than the profile's current one (stale: another profile
version or library versions made it; grades made before fingerprints count as stale).
Stale and retried grades are first dropped from `grades/<profile>.jsonl` (rewritten
atomically), then every grade is appended batch by batch, so an interrupted call loses at
most one batch and a second call adds nothing. Generations are never touched.

`grades/fingerprints.json` keeps the readable identity behind every fingerprint the run
has seen, so a re-grade can say why: "re-graded 6,000 items: math-verify 0.9.0 -> 0.9.1".
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.cache import GradeCache
from rlvr_audit.grading.engine.pool import grade_many
from rlvr_audit.grading.identity import explain
from rlvr_audit.grading.registry import profile_fingerprint, profile_identity
from rlvr_audit.io.jsonl import read_jsonl, write_json_atomic
from rlvr_audit.store.run import Key, Run

BATCH = 4000  # generations per grade_many call: bounds the work lost to an interrupt
RETRIED = ("timeout", "error")  # statuses that are not verdicts
IDENTITIES = "fingerprints.json"


@dataclass
class _Plan:
    """For one profile: generations to keep as graded, and those to (re)grade and why."""

    keep: set[Key] = field(default_factory=set)
    missing: list[Key] = field(default_factory=list)
    retry: list[Key] = field(default_factory=list)
    stale: dict[str | None, list[Key]] = field(default_factory=dict)  # by old fingerprint

    def todo(self, regrade: bool) -> list[Key]:
        stale = [k for keys in self.stale.values() for k in keys] if regrade else []
        return self.missing + self.retry + stale


def _plan(run: Run, name: str, current: str, generations) -> _Plan:
    plan = _Plan()
    graded = run.grades(name)
    for key in generations:
        grade = graded.get(key)
        if grade is None:
            plan.missing.append(key)
        elif grade.fingerprint != current:
            plan.stale.setdefault(grade.fingerprint, []).append(key)
        elif grade.status in RETRIED:
            plan.retry.append(key)
        else:
            plan.keep.add(key)
    return plan


def _drop_grades(run: Run, name: str, redo: set[Key]) -> None:
    """Rewrite grades/<name>.jsonl without the records of `redo` (and without duplicates)."""
    path = run.path / "grades" / f"{name}.jsonl"
    seen: set[Key] = set()
    kept = []
    for record in read_jsonl(path):
        key = (record["problem_id"], record["template"], int(record["sample"]))
        if key in seen or key in redo:
            continue
        seen.add(key)
        kept.append(record)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for record in kept:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)  # a kill leaves either the old file or the new one


def _identities(run: Run) -> tuple[Path, dict[str, Any]]:
    path = run.path / "grades" / IDENTITIES
    try:
        return path, json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # absent or damaged: it only explains changes, so start afresh
        return path, {}


def _reasons(plan: _Plan, known: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Why the stale grades of one profile are stale, one phrase per distinct change."""
    phrases: list[str] = []
    for old_print in plan.stale:
        changes = explain(known.get(old_print), current) if old_print else ["graded before grade fingerprints"]
        for change in changes:
            if change not in phrases:
                phrases.append(change)
    return phrases


def describe_changes(stats: dict[str, Any]) -> list[str]:
    """One line per profile whose grades were re-graded, retried or left stale."""
    lines = []
    for name in stats["profiles"]:
        why = "; ".join(stats["changes"].get(name, []))
        if stats["regraded"].get(name):
            lines.append(f"{name}: re-graded {stats['regraded'][name]:,} items: {why}")
        elif stats["stale"].get(name):
            lines.append(
                f"{name}: {stats['stale'][name]:,} grades are stale ({why}); not re-graded (--no-regrade): "
                "rerun without --no-regrade to re-grade them"
            )
        if stats["retried"].get(name):
            lines.append(f"{name}: retried {stats['retried'][name]:,} timeout/error grades")
    return lines


def grade_run(
    run: Run,
    profiles: Sequence[str],
    *,
    workers: int | None = None,
    timeout: float = 5.0,
    cache: GradeCache | None = None,
    progress: bool = True,
    regrade: bool = True,
    templates: Collection[str] | None = None,
) -> dict[str, Any]:
    """Grade every generation of `run` that lacks a current verdict under each of `profiles`
    (only those of `templates` when given: a probe grades its answers, not its continuations).

    `regrade=False` leaves stale grades in place and only reports them (timeouts and
    errors are still retried). Returns stats: per-profile counts of new grades (`added`),
    grades kept (`existing`), stale grades found (`stale`), re-graded (`regraded`) and
    retried (`retried`), why they were stale (`changes`, also as sentences in
    `messages`), orphan generations (unknown problem) and the pool's totals.
    """
    t0 = time.perf_counter()
    names = list(dict.fromkeys(profiles))
    problems = {p.id: p for p in run.problems()}
    generations = run.generations()
    if templates is not None:
        wanted = set(templates)
        generations = {k: g for k, g in generations.items() if k[1] in wanted}
    id_path, known = _identities(run)
    todo: dict[Key, list[str]] = {}
    out = {k: {} for k in ("added", "existing", "stale", "regraded", "retried", "changes")}
    for name in names:
        current = profile_fingerprint(name)
        plan = _plan(run, name, current, generations)
        keys = plan.todo(regrade)
        redo = set(keys) - set(plan.missing)
        if redo:
            _drop_grades(run, name, redo)
        out["existing"][name] = len(generations) - len(keys)
        out["stale"][name] = sum(len(v) for v in plan.stale.values())
        out["regraded"][name] = out["stale"][name] if regrade else 0
        out["retried"][name] = len(plan.retry)
        if plan.stale:
            out["changes"][name] = _reasons(plan, known, profile_identity(name))
        known[current] = profile_identity(name)
        for key in keys:
            todo.setdefault(key, []).append(name)
    if names:
        (run.path / "grades").mkdir(exist_ok=True)
        write_json_atomic(id_path, known)
    orphans = [key for key in todo if key[0] not in problems]
    for key in orphans:
        del todo[key]
    totals, out["added"] = _grade_todo(run, todo, names, problems, generations, workers, timeout, cache, progress)
    stats = {"run": str(run.path), "profiles": names, "generations": len(generations), **out}
    stats.update(orphans=len(orphans), **totals, wall_s=time.perf_counter() - t0)
    stats["messages"] = describe_changes(stats)
    return stats


def _grade_todo(run, todo, names, problems, generations, workers, timeout, cache, progress):
    """Grade `todo` (key -> profiles), appending batch by batch; returns (totals, added)."""
    # Generations lacking the same profiles are graded together (usually one group).
    benchmark = run.benchmark_identity.get("name")  # profiles that branch on it take its branch
    groups: dict[tuple[str, ...], list[Key]] = {}
    for key, lacking in todo.items():
        groups.setdefault(tuple(lacking), []).append(key)
    totals = {"judged": 0, "judge_keys": 0, "cache_hits": 0, "timeouts": 0, "errors": 0}
    added = dict.fromkeys(names, 0)
    for group_profiles, keys in groups.items():
        for start in range(0, len(keys), BATCH):
            batch_keys = keys[start : start + BATCH]
            requests = []
            for key in batch_keys:
                problem = problems[key[0]]
                requests.append(GradeRequest.for_problem(problem, generations[key].completion, benchmark))
            batch = grade_many(
                requests, list(group_profiles), workers=workers, timeout=timeout, cache=cache, progress=progress
            )
            for name in group_profiles:
                with run.grade_writer(name) as writer:
                    writer.write_many(Run.grade_record(key, row[name]) for key, row in zip(batch_keys, batch.grades))
                added[name] += len(batch_keys)
            for name in totals:
                totals[name] += getattr(batch.stats, name)
    return totals, added
