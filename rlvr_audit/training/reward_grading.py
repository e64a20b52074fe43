"""Reward grading through the grading pool: per-item time limits and the verdict cache.

A profile called in the trainer's process has no time limit, so one pathological
completion (a flood of unclosed `\\boxed{`, a power tower a CAS tries to evaluate) can
stall a GRPO step for good. Rewards are therefore graded by `grade_many`, the pool that
`grade` uses: each step of each completion runs in a worker that is killed past the limit,
and that completion scores 0 (counted as a timeout, not hidden). The pool stays warm
across steps; `shutdown_reward_grading` stops it at the end of training.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_audit.grading.base import GradeRequest, Profile

DEFAULT_GRADE_TIMEOUT = 5.0  # CPU seconds per grading step of one completion (as `grade`)

_LIVE: weakref.WeakSet[RewardGrader] = weakref.WeakSet()


@dataclass
class RewardGrades:
    """One batch of rewards and what grading it cost."""

    rewards: list[float]
    timeouts: int = 0
    errors: int = 0
    seconds: float = 0.0


class RewardGrader:
    """Grades completions against golds under one profile in the shared warm pool.

    `profile`: a registered name, or a Profile instance (one the registry does not know,
    e.g. in tests). `workers`: pool size (None: this process's share of the cores, since
    every training process on a node has its own pool; 0 grades in this process with no
    time limit, the old behaviour). `cache`: use the persistent verdict cache.
    `benchmark`: the benchmark the golds come from, for a profile whose harness branches
    on it (None: the profile's default path).
    """

    def __init__(
        self,
        profile: str | Profile,
        *,
        timeout: float = DEFAULT_GRADE_TIMEOUT,
        workers: int | None = None,
        cache=True,
        benchmark: str | None = None,
    ):
        from rlvr_audit.grading.engine.workers import default_workers

        self.profile = profile
        self.benchmark = benchmark
        self.timeout = float(timeout)
        if workers is None:
            workers = max(1, default_workers() // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1") or 1)))
        self.workers = max(0, int(workers))
        self._use_cache = cache
        self._cache: Any = None
        self._warming: threading.Thread | None = None
        _LIVE.add(self)

    def start(self) -> None:
        """Start the workers in the background, so that they load the profile while the
        trainer loads the model rather than inside the first step."""
        if self.workers == 0 or self._warming is not None:
            return
        from rlvr_audit.grading.engine.pool import grade_many

        # one request per worker, so that the pool starts all of them
        requests = [GradeRequest(f"\\boxed{{{i}}}", str(i)) for i in range(self.workers)]

        def warm() -> None:
            try:
                grade_many(requests, [self.profile], workers=self.workers, timeout=self.timeout, progress=False)
            except Exception:  # the first real batch starts the pool instead, and reports the failure
                pass

        self._warming = threading.Thread(target=warm, name="rlvr-audit-reward-warmup", daemon=True)
        self._warming.start()

    def _wait_warm(self) -> None:
        # the shared pool serves one call at a time: a batch during warm-up would start a second one
        if self._warming is not None:
            self._warming.join()

    @property
    def profile_name(self) -> str:
        return self.profile if isinstance(self.profile, str) else self.profile.name

    def _open_cache(self) -> Any:
        if self._use_cache and self._cache is None:
            from rlvr_audit.grading.engine.cache import GradeCache

            self._cache = GradeCache.persistent()
        return self._cache

    def grade(
        self, texts: Sequence[str], golds: Sequence[Any], solutions: Sequence[str | None] | None = None
    ) -> RewardGrades:
        """1.0 for each text the profile grades correct against its gold, else 0.0
        (incorrect, no answer, no gold, timed out or errored)."""
        from rlvr_audit.grading.engine.pool import grade_many

        start = time.perf_counter()
        sols = list(solutions) if solutions is not None else [None] * len(texts)
        requests: list[GradeRequest] = []
        where: list[int] = []
        for i, (text, gold, sol) in enumerate(zip(texts, golds, sols)):
            if gold is None or gold == "":  # nothing to match: no reward, and nothing to grade
                continue
            requests.append(GradeRequest(text, str(gold), sol or None, self.benchmark))
            where.append(i)
        out = RewardGrades([0.0] * len(texts))
        if requests:
            self._wait_warm()
            batch = grade_many(
                requests,
                [self.profile],
                workers=self.workers,
                timeout=self.timeout,
                cache=self._open_cache(),
                progress=False,
            )
            name = self.profile_name
            for i, row in zip(where, batch.grades):
                out.rewards[i] = 1.0 if row[name].status == "correct" else 0.0
            out.timeouts, out.errors = batch.stats.timeouts, batch.stats.errors
        out.seconds = time.perf_counter() - start
        return out

    def close(self) -> None:
        self._wait_warm()
        if self._cache is not None:
            self._cache.close()
            self._cache = None


def shutdown_reward_grading() -> None:
    """Close every grader's cache and stop the warm pool's workers (end of training)."""
    from rlvr_audit.grading.engine.pool import shutdown_pool

    for grader in list(_LIVE):
        grader.close()
    shutdown_pool()
