"""Grade many completions with many profiles: deduplicated, cached, in worker processes
with per-item timeouts.

Two phases, so that cost grows with distinct answers rather than samples:

1. `prepare_gold` once per distinct (profile, answer, solution) and `extract` once per
   distinct (profile, completion), in workers (extraction is timed out too: regexes on
   adversarial text can blow up).
2. `judge` once per distinct (profile, fingerprint, gold, extracted answer) that the cache
   does not already know, in workers.

Each step that fails gives the grade status `error` (with the exception in `detail`), and
each step past `timeout` gives `timeout`; nothing becomes a silent `incorrect`. Verdicts
turn into statuses with `Profile.make_grade`. `workers=0` runs everything in this process
(the baseline for benchmarks, and a fallback where processes are not allowed), with the
same per-item limit enforced by interval timers (`engine/inline.py`).
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.progress import progress_bar
from rlvr_audit.core.types import Grade
from rlvr_audit.grading.base import Extraction, GradeRequest, Profile
from rlvr_audit.grading.engine.cache import GradeCache, JudgeKey
from rlvr_audit.grading.engine.inline import run_inline
from rlvr_audit.grading.engine.tasks import Outcome, Task, extract_args, gold_args, judge_args, variant_of
from rlvr_audit.grading.engine.workers import WorkerPool, default_workers


@dataclass
class GradeStats:
    """What a `grade_many` call did. `timings_ms[profile]` holds the time of every step
    (gold, extract, judge) run for that profile in this call; cached verdicts add none."""

    items: int = 0
    profiles: int = 0
    tasks_phase1: int = 0  # distinct gold and extraction steps
    step_cache_hits: int = 0  # of those, answered by the cache
    judge_keys: int = 0  # distinct (profile, fingerprint, gold, extracted)
    judged: int = 0  # judge calls actually run (cache misses)
    cache_hits: int = 0
    timeouts: int = 0  # grades with status timeout
    errors: int = 0  # grades with status error
    workers: int = 0
    wall_s: float = 0.0
    max_step_ms: float = 0.0  # the longest step, timed-out ones included (up to the kill)
    timings_ms: dict[str, list[float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "timings_ms"}
        out["grades"] = self.items * self.profiles
        return out


@dataclass
class GradeBatch:
    """`grades[i][profile name]` is the Grade of request i under that profile."""

    grades: list[dict[str, Grade]]
    stats: GradeStats


# -- the shared warm pool ---------------------------------------------------------------
_POOL: WorkerPool | None = None
_POOL_GUARD = threading.Lock()


def _acquire_pool(workers: int) -> tuple[WorkerPool, bool]:
    """The process-wide warm pool when free (and of the right size), else a private one.
    Returns (pool, shared)."""
    global _POOL
    with _POOL_GUARD:
        if _POOL is not None and _POOL.size != workers and _POOL.lock.acquire(blocking=False):
            _POOL.close()
            _POOL.lock.release()
            _POOL = None
        if _POOL is None:
            _POOL = WorkerPool(workers)
        if _POOL.lock.acquire(blocking=False):
            return _POOL, True
    return WorkerPool(workers), False  # another thread grades right now


def shutdown_pool() -> None:
    """Stop the warm workers (also done at exit)."""
    global _POOL
    with _POOL_GUARD:
        if _POOL is not None:
            _POOL.close()
            _POOL = None


atexit.register(shutdown_pool)


# -- grading ----------------------------------------------------------------------------
def _as_profiles(profiles: Sequence[str | Profile]) -> tuple[list[Profile], dict[str, Any]]:
    """Profile instances, and what to send a worker for each: the registered name (the
    worker loads it, built-in or plug-in) or the instance itself (test-only or user profiles)."""
    from rlvr_audit.grading.registry import get_profile, is_registered

    out: list[Profile] = []
    refs: dict[str, Any] = {}
    for item in profiles:
        profile = get_profile(item) if isinstance(item, str) else item
        if profile.name in refs:
            raise AuditError(f"profile '{profile.name}' was selected twice", "name each profile once")
        refs[profile.name] = profile.name if is_registered(profile) else profile
        out.append(profile)
    return out, refs


def _run_tasks(tasks: list[Task], profiles: list[Profile], refs, *, workers: int, timeout, pool, on_done):
    if workers == 0:
        by_name = {p.name: p for p in profiles}
        outcomes = []
        for task in tasks:
            outcomes.append(run_inline(by_name, task, timeout))
            if on_done:
                on_done(1)
        return outcomes
    return pool.run(tasks, refs, timeout=timeout, on_done=on_done)


@dataclass
class _Plan:
    """Phase-1 tasks of one call and where each (profile, input) finds its task."""

    tasks: list[Task]
    gold_task: dict[tuple, int]
    extract_task: dict[tuple, int]

    def outcomes_of(self, phase1: list, profile: Profile, req: GradeRequest) -> tuple[Outcome, Outcome]:
        """(gold outcome, extraction outcome) of `req` under `profile`."""
        variant = variant_of(profile, req)
        gold = phase1[self.gold_task[(profile.name, gold_args(profile, req, variant))]]
        return gold, phase1[self.extract_task[(profile.name, extract_args(req, variant))]]


def _plan(requests: Sequence[GradeRequest], profs: list[Profile]) -> _Plan:
    """Distinct gold and extraction tasks, completion-major so that a chunk sends each
    text once (pickle memo)."""
    plan = _Plan([], {}, {})
    for req in requests:
        for p in profs:
            variant = variant_of(p, req)
            g_args = gold_args(p, req, variant)
            gkey = (p.name, g_args)
            if gkey not in plan.gold_task:
                plan.gold_task[gkey] = len(plan.tasks)
                plan.tasks.append(("gold", p.name, g_args))
            e_args = extract_args(req, variant)
            ekey = (p.name, e_args)
            if ekey not in plan.extract_task:
                plan.extract_task[ekey] = len(plan.tasks)
                plan.tasks.append(("extract", p.name, e_args))
    return plan


def _record(stats: GradeStats, profile_name: str, outcome: Outcome) -> None:
    stats.max_step_ms = max(stats.max_step_ms, outcome.ms)
    if outcome.status != "timeout":
        stats.timings_ms[profile_name].append(outcome.ms)


@dataclass
class _Phase1:
    """Gold and extraction outcomes by plan task (None until run), and what is left to run."""

    outcomes: list[Outcome | None]
    step_keys: list[tuple]
    todo: list[int]


def _cached_phase1(plan: _Plan, by_name: dict[str, Profile], cache, stats: GradeStats) -> _Phase1:
    """Gold and extraction results the cache already holds are not recomputed."""
    step_keys = [(t[1], by_name[t[1]].fingerprint, t[0], t[2]) for t in plan.tasks]
    known = cache.get_steps(step_keys) if cache is not None else {}
    phase1 = _Phase1([None] * len(plan.tasks), step_keys, [])
    for i, key in enumerate(step_keys):
        if key in known:
            value = known[key]
            extraction = key[2] == "extract"
            phase1.outcomes[i] = Outcome("ok", Extraction(value[0], bool(value[1]), value[2]) if extraction else value)
        else:
            phase1.todo.append(i)
    stats.step_cache_hits = len(plan.tasks) - len(phase1.todo)
    return phase1


def _run_phase1(plan: _Plan, phase1: _Phase1, cache, stats: GradeStats, run) -> list[Outcome]:
    """Run the gold and extraction steps the cache did not answer; cache their results."""
    tasks = plan.tasks
    fresh_steps: dict[tuple, Any] = {}
    for i, outcome in zip(phase1.todo, run([tasks[i] for i in phase1.todo])):
        phase1.outcomes[i] = outcome
        _record(stats, tasks[i][1], outcome)
        if outcome.status == "ok" and _jsonable(outcome.value):
            v = outcome.value
            fresh_steps[phase1.step_keys[i]] = [v.answer, v.found, v.shown] if tasks[i][0] == "extract" else v
    if cache is not None:
        cache.put_steps(fresh_steps)
    return phase1.outcomes  # type: ignore[return-value]


def _run_phase2(item_key: dict[tuple[int, str], JudgeKey], cache, stats: GradeStats, run, bar) -> dict:
    """Outcomes of every distinct judge key: the cache first, then the workers."""
    keys = list(dict.fromkeys(item_key.values()))
    stats.judge_keys = len(keys)
    verdicts: dict[JudgeKey, Outcome] = {}
    if cache is not None:
        for key, verdict in cache.get_many(keys).items():
            verdicts[key] = Outcome("ok", verdict)
        stats.cache_hits = len(verdicts)
    missing = [k for k in keys if k not in verdicts]
    # A key's fifth item, where present, is the benchmark variant (see engine/tasks.py).
    judge_tasks: list[Task] = [("judge", k[0], judge_args(k[3], k[2], k[4] if len(k) > 4 else None)) for k in missing]
    stats.judged = len(judge_tasks)
    bar.extend(len(judge_tasks))
    fresh: dict[JudgeKey, bool] = {}
    for key, outcome in zip(missing, run(judge_tasks)):
        verdicts[key] = outcome
        _record(stats, key[0], outcome)
        if outcome.status == "ok":
            fresh[key] = outcome.value
    if cache is not None:
        cache.put_many(fresh)  # verdicts only: timeouts and errors are retried next time
    return verdicts


def grade_many(
    requests: Sequence[GradeRequest],
    profiles: Sequence[str | Profile],
    *,
    workers: int | None = None,
    timeout: float = 5.0,
    cache: GradeCache | None = None,
    progress: bool = True,
) -> GradeBatch:
    """Grade every request with every profile.

    `workers`: processes (default: all cores); 0 grades in this process with no timeout.
    `timeout`: CPU seconds per step per item (and at most 4x that in wall time), enforced
    by killing the worker; the step's grade becomes `timeout`.
    `cache`: verdicts by (profile, fingerprint, gold, extracted); None = no cache.
    `progress`: a transient progress bar on stderr when it is a terminal.
    """
    t_start = time.perf_counter()
    profs, refs = _as_profiles(profiles)
    workers = default_workers() if workers is None else max(0, int(workers))
    stats = GradeStats(items=len(requests), profiles=len(profs), workers=workers)
    stats.timings_ms = {p.name: [] for p in profs}
    plan = _plan(requests, profs)
    stats.tasks_phase1 = len(plan.tasks)
    cached = _cached_phase1(plan, {p.name: p for p in profs}, cache, stats)

    pool, shared = (None, False) if workers == 0 else _acquire_pool(workers)
    bar = _Progress(progress, len(cached.todo))

    def run(tasks: list[Task]) -> list[Outcome]:
        return _run_tasks(tasks, profs, refs, workers=workers, timeout=timeout, pool=pool, on_done=bar.advance)

    try:
        phase1 = _run_phase1(plan, cached, cache, stats, run)
        item_key: dict[tuple[int, str], JudgeKey] = {}
        for i, req in enumerate(requests):
            for p in profs:
                gold, ext = plan.outcomes_of(phase1, p, req)
                if gold.status == "ok" and ext.status == "ok":
                    key = (p.name, p.fingerprint, gold.value, ext.value.answer)
                    variant = variant_of(p, req)
                    item_key[(i, p.name)] = key if variant is None else (*key, variant)  # type: ignore[assignment]
        verdicts = _run_phase2(item_key, cache, stats, run, bar)
    finally:
        bar.close()
        if pool is not None:
            if shared:
                pool.lock.release()
            else:
                pool.close()

    grades: list[dict[str, Grade]] = []
    for i, req in enumerate(requests):
        row: dict[str, Grade] = {}
        for p in profs:
            grade = _combine(p, *plan.outcomes_of(phase1, p, req), verdicts.get(item_key.get((i, p.name))))  # type: ignore[arg-type]
            stats.timeouts += grade.status == "timeout"
            stats.errors += grade.status == "error"
            row[p.name] = grade
        grades.append(row)
    stats.wall_s = time.perf_counter() - t_start
    return GradeBatch(grades, stats)


def _jsonable(value: Any) -> bool:
    if isinstance(value, Extraction):
        return all(v is None or isinstance(v, str) for v in (value.answer, value.shown))
    return isinstance(value, str)


def _combine(profile: Profile, gold: Outcome, ext: Outcome, verdict: Outcome | None) -> Grade:
    """The grade from the three steps' outcomes: the first failed step decides."""
    extracted = ext.value.answer if ext.status == "ok" else None
    shown = (ext.value.shown if ext.value.shown is not None else extracted) if ext.status == "ok" else None
    for step, outcome in (("gold", gold), ("extract", ext), ("judge", verdict)):
        if outcome is not None and outcome.status != "ok":
            detail = outcome.detail or step
            if outcome.status == "timeout":
                detail = f"{step} {detail}"
            return Grade(profile.name, profile.version, outcome.status, shown, detail, profile.fingerprint)  # type: ignore[arg-type]
    try:
        return profile.make_grade(ext.value, bool(verdict.value))  # type: ignore[union-attr]
    except Exception as exc:
        detail = f"make_grade: {type(exc).__name__}: {exc}"
        return Grade(profile.name, profile.version, "error", shown, detail, profile.fingerprint)


class _Progress:
    """A transient rich progress bar on stderr, only when it is a terminal (or forced
    with progress="always")."""

    def __init__(self, enabled: bool | str, total: int):
        self._progress = None
        if not enabled or (enabled != "always" and not sys.stderr.isatty()):
            return
        self._progress = progress_bar("grading", transient=True, remaining=True)
        self._progress.start()
        self._task = self._progress.add_task("grading", total=total)
        self._total = total
        self._pending = 0
        self._last = 0.0

    def advance(self, n: int) -> None:
        if self._progress is None:
            return
        self._pending += n
        now = time.monotonic()
        if now - self._last > 0.1:  # rich redraws are not free; 10 updates a second is plenty
            self._progress.update(self._task, advance=self._pending)
            self._pending, self._last = 0, now

    def extend(self, n: int) -> None:
        if self._progress is not None:
            self._total += n
            self._progress.update(self._task, total=self._total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
