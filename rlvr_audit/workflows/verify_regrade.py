"""`verify --regrade`: judge every stored verdict again with the installed profile.

The other checks catch a grade edited by hand only when summary.json was left alone; a
consistent edit of both passes them. Re-judging each stored verdict from its generation
and gold catches that too, at the price of grading the run once more (no cache: a cached
verdict is the thing under test). Grades that are not verdicts (`timeout`, `error`) and
stale grades (another fingerprint; the fingerprint check fails them already) are skipped.
"""

from __future__ import annotations

from typing import Any

from rlvr_audit.workflows.verify_checks import RETRIED_STATUSES, RunFiles
from rlvr_audit.workflows.verify_records import Check, Key, first_of, show_key


def _comparable(files: RunFiles, grades: dict[Key, dict[str, Any]], generations: dict[Key, dict[str, Any]], current):
    ids = {str(r["id"]) for _, r in files.problems.records if "id" in r}
    return [
        k
        for k, g in grades.items()
        if k in generations
        and k[0] in ids
        and g.get("status") not in RETRIED_STATUSES
        and g.get("fingerprint") in (None, current)
    ]


def _request(completion: str, problem: dict[str, Any], benchmark: str | None):
    from rlvr_audit.grading.base import GradeRequest

    raw = (problem.get("meta") or {}).get("answer_raw")
    items = tuple(str(v).strip() for v in raw) if isinstance(raw, list) and raw else None
    return GradeRequest(completion, problem["answer"], problem.get("solution"), benchmark, items)


def check_verdicts(
    files: RunFiles,
    profile: str,
    grades: dict[Key, dict[str, Any]],
    generations: dict[Key, dict[str, Any]],
    *,
    workers: int | None,
    timeout: float,
) -> Check:
    """Each stored verdict of `profile` vs a fresh judgement of the same generation."""
    from rlvr_audit.core.errors import AuditError
    from rlvr_audit.grading import registry
    from rlvr_audit.grading.engine.pool import grade_many

    name = f"verdicts {profile}"
    try:
        registry.get_profile(profile)
    except AuditError:
        return Check(name, "warn", "profile not installed here: verdicts not re-judged")
    fingerprint = getattr(registry, "profile_fingerprint", None)
    current = fingerprint(profile) if fingerprint else None
    problems = {str(r["id"]): r for _, r in files.problems.records if "id" in r}
    keys = _comparable(files, grades, generations, current)
    benchmark = (files.manifest.get("benchmark") or {}).get("name")  # graded under the run's benchmark
    requests = [_request(str(generations[k].get("completion", "")), problems[k[0]], benchmark) for k in keys]
    batch = grade_many(requests, [profile], workers=workers, timeout=timeout, cache=None, progress=False)
    differ, unsettled = [], 0
    for key, row in zip(keys, batch.grades):
        fresh = row[profile]
        if fresh.status in RETRIED_STATUSES:
            unsettled += 1
        elif fresh.status != grades[key].get("status"):
            differ.append(f"{show_key(key)} stored {grades[key].get('status')}, now {fresh.status}")
    skipped = f"; {unsettled} timed out or failed now (not compared)" if unsettled else ""
    if differ:
        return Check(name, "FAIL", f"{len(differ)} of {len(keys)} verdicts differ: {first_of(differ)}{skipped}")
    return Check(name, "warn" if unsettled else "ok", f"{len(keys) - unsettled} verdicts re-judged, all equal{skipped}")
