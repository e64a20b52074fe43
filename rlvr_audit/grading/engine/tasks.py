"""Grading tasks: one profile step on one input, and its outcome.

A task is (step, profile name, args): ("gold", p, (answer, solution)),
("extract", p, completion) or ("judge", p, (extracted, gold)). The same `run_task` runs
it in a worker process and in the caller's process (`workers=0`).

For a profile whose verdicts depend on the benchmark (`Profile.benchmark_variant` is not
None) the variant travels inside the args, and so inside every cache key built from
them: ("gold", p, (answer, solution, items, variant)), ("extract", p, (completion,
variant)), ("judge", p, (extracted, gold, variant)). Other profiles keep the short forms,
so their cache keys are the same as before benchmarks were known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlvr_audit.grading.base import Extraction, GradeRequest, Profile

Task = tuple[str, str, Any]


def variant_of(profile: Profile, request: GradeRequest) -> str | None:
    """The benchmark variant `profile` grades `request` under (None: it does not branch)."""
    return profile.benchmark_variant(request.benchmark)


def gold_args(profile: Profile, request: GradeRequest, variant: str | None) -> tuple:
    items = request.answers if profile.uses_answer_items else None
    if variant is None and items is None:
        return (request.answer, request.solution)
    return (request.answer, request.solution, items, variant)


def extract_args(request: GradeRequest, variant: str | None) -> Any:
    return request.completion if variant is None else (request.completion, variant)


def judge_args(extracted: str | None, gold: str, variant: str | None) -> tuple:
    return (extracted, gold) if variant is None else (extracted, gold, variant)


@dataclass(frozen=True)
class Outcome:
    """Result of one task: status "ok" (value set), "error" or "timeout" (detail set)."""

    status: str
    value: Any = None
    detail: str | None = None
    ms: float = 0.0


def run_task(profiles: dict[str, Profile], task: Task) -> Any:
    """Run one profile step in this process (the workers' and the in-process path)."""
    step, name, args = task
    profile = profiles[name]
    if step == "gold":
        return profile.gold_step(*args)
    if step == "extract":
        ex = profile.extract_step(*args) if isinstance(args, tuple) else profile.extract_step(args)
        # A plain Extraction: subclasses or odd field types must not break pickling.
        return Extraction(ex.answer, bool(ex.found), ex.shown)
    if step == "judge":
        return bool(profile.judge_step(*args))
    raise ValueError(f"unknown grading step {step!r}")


def failure_detail(task: Task, exc: Exception) -> str:
    """The `detail` of an Outcome for a step that raised."""
    return f"{task[0]}: {type(exc).__name__}: {str(exc)[:300]}"
