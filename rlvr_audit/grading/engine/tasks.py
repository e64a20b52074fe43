"""Grading tasks: one profile step on one input, and its outcome.

A task is (step, profile name, args): ("gold", p, (answer, solution)),
("extract", p, completion) or ("judge", p, (extracted, gold)). The same `run_task` runs
it in a worker process and in the caller's process (`workers=0`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlvr_audit.grading.base import Extraction, Profile

Task = tuple[str, str, Any]


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
        return profile.prepare_gold(*args)
    if step == "extract":
        ex = profile.extract(args)
        # A plain Extraction: subclasses or odd field types must not break pickling.
        return Extraction(ex.answer, bool(ex.found), ex.shown)
    if step == "judge":
        return bool(profile.judge(*args))
    raise ValueError(f"unknown grading step {step!r}")


def failure_detail(task: Task, exc: Exception) -> str:
    """The `detail` of an Outcome for a step that raised."""
    return f"{task[0]}: {type(exc).__name__}: {str(exc)[:300]}"
