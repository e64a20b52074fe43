"""Grade a run's generations with profiles, resume-safe.

Only generations that lack a grade for a profile are graded, and grades are appended to
`grades/<profile>.jsonl` batch by batch, so an interrupted call loses at most one batch
and a second call adds nothing. Adding a profile to a graded run never regenerates and
never touches the generations. Gold comes from the run's `problems.jsonl`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.cache import GradeCache
from rlvr_audit.grading.engine.pool import grade_many
from rlvr_audit.grading.registry import get_profile
from rlvr_audit.store.run import Key, Run

BATCH = 4000  # generations per grade_many call: bounds the work lost to an interrupt


def grade_run(
    run: Run,
    profiles: Sequence[str],
    *,
    workers: int | None = None,
    timeout: float = 5.0,
    cache: GradeCache | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Grade every generation of `run` that has no grade yet under each of `profiles`.

    Returns stats: generations, per-profile counts of new and existing grades, stale
    grades (made by another profile version; kept, since readers keep the first record),
    generations skipped because their problem is unknown, and the pool's totals.
    """
    t0 = time.perf_counter()
    names = list(dict.fromkeys(profiles))
    versions = {name: get_profile(name).version for name in names}
    problems = {p.id: p for p in run.problems()}
    generations = run.generations()
    missing: dict[Key, list[str]] = {}
    existing: dict[str, int] = {}
    stale: dict[str, int] = {}
    for name in names:
        graded = run.grades(name)
        existing[name] = sum(1 for key in generations if key in graded)
        stale[name] = sum(1 for key, g in graded.items() if key in generations and g.version != versions[name])
        for key in generations:
            if key not in graded:
                missing.setdefault(key, []).append(name)
    orphans = [key for key in missing if key[0] not in problems]
    for key in orphans:
        del missing[key]

    # Generations lacking the same profiles are graded together (usually one group).
    groups: dict[tuple[str, ...], list[Key]] = {}
    for key, lacking in missing.items():
        groups.setdefault(tuple(lacking), []).append(key)

    totals = {"judged": 0, "judge_keys": 0, "cache_hits": 0, "timeouts": 0, "errors": 0}
    added = dict.fromkeys(names, 0)
    for group_profiles, keys in groups.items():
        for start in range(0, len(keys), BATCH):
            batch_keys = keys[start : start + BATCH]
            requests = []
            for key in batch_keys:
                problem = problems[key[0]]
                requests.append(GradeRequest(generations[key].completion, problem.answer, problem.solution))
            batch = grade_many(
                requests, list(group_profiles), workers=workers, timeout=timeout, cache=cache, progress=progress
            )
            for name in group_profiles:
                with run.grade_writer(name) as out:
                    out.write_many(Run.grade_record(key, row[name]) for key, row in zip(batch_keys, batch.grades))
                added[name] += len(batch_keys)
            for field in totals:
                totals[field] += getattr(batch.stats, field)
    return {
        "run": str(run.path),
        "profiles": names,
        "generations": len(generations),
        "added": added,
        "existing": existing,
        "stale": stale,
        "orphans": len(orphans),
        **totals,
        "wall_s": time.perf_counter() - t0,
    }
