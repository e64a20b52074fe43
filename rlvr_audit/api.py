"""The functions behind the public surface of `rlvr_audit` (see its docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rlvr_audit.comparison.gains import Comparison
from rlvr_audit.comparison.gains import compare_runs as _compare_runs
from rlvr_audit.core.types import Grade
from rlvr_audit.grading.base import GradeRequest, Profile
from rlvr_audit.grading.engine.pool import GradeBatch
from rlvr_audit.grading.engine.pool import grade_many as _grade_many
from rlvr_audit.grading.registry import list_profiles
from rlvr_audit.store.run import Run


def grade(
    completion: str,
    answer: str,
    profile: str | Profile = "math-verify",
    *,
    solution: str | None = None,
    benchmark: str | None = None,
    timeout: float = 5.0,
) -> Grade:
    """Grade one completion against the gold `answer` with one profile (`benchmark`: the
    benchmark's name, for a profile whose harness grades benchmarks differently).

    It runs in a worker process under the same per-step time limit as every other grade, so
    a pathological completion comes back as status `timeout` instead of hanging the caller.
    """
    batch = _grade_many(
        [GradeRequest(completion, answer, solution, benchmark)], [profile], workers=1, timeout=timeout, progress=False
    )
    name = profile if isinstance(profile, str) else profile.name
    return batch.grades[0][name]


def grade_many(
    requests: Sequence[GradeRequest],
    profiles: Sequence[str | Profile],
    *,
    workers: int | None = None,
    timeout: float = 5.0,
    progress: bool = False,
) -> GradeBatch:
    """Grade every request with every profile in a process pool with per-item time limits.

    `batch.grades[i][name]` is request i graded by that profile; `batch.stats` counts
    timeouts and errors apart from incorrect answers.
    """
    return _grade_many(requests, profiles, workers=workers, timeout=timeout, progress=progress)


def open_run(path: str | Path) -> Run:
    """Open a run directory written by `rlvr-audit baseline`, `import` or `train`."""
    return Run.open(path)


def compare_runs(
    base: Run | str | Path,
    trained: Sequence[Run | str | Path] | Run | str | Path,
    *,
    as_claimed: tuple[str, str] | None = None,
    reported_baseline: float | None = None,
    level: float = 0.95,
    seed: int = 0,
) -> Comparison:
    """Claimed vs adjusted gains of each trained run over the base run (runs or paths)."""
    if isinstance(trained, (Run, str, Path)):
        trained = [trained]
    base_run = base if isinstance(base, Run) else Run.open(base)
    trained_runs = [t if isinstance(t, Run) else Run.open(t) for t in trained]
    return _compare_runs(
        base_run, trained_runs, as_claimed=as_claimed, reported_baseline=reported_baseline, level=level, seed=seed
    )


def profiles() -> list[Profile]:
    """Every grading profile this installation has: built-in ones first, then plug-ins."""
    return list_profiles()
