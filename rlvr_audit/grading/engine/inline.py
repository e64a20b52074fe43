"""In-process grading (`workers=0`) with the same per-item limit as the worker pool.

A worker past its limit is killed from outside; in this process nothing can be killed, so
an interval timer interrupts the step instead: SIGPROF after `timeout` seconds of CPU (the
pool's rule, so verdicts do not depend on machine load) and SIGALRM after WALL_FACTOR x
`timeout` seconds of wall time (a step that sleeps or is starved). Signals reach only the
main thread of the main interpreter; elsewhere (grading from a thread) the step runs
without a limit, and `limits_available()` says so.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rlvr_audit.grading.engine.tasks import Outcome, Task, failure_detail, run_task
from rlvr_audit.grading.engine.workers import WALL_FACTOR

__all__ = ["limits_available", "run_inline"]


class _StepTimeout(BaseException):
    """Raised inside a step by the timer; BaseException so a profile's `except Exception`
    cannot swallow it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def limits_available() -> bool:
    return (
        hasattr(signal, "setitimer")
        and hasattr(signal, "SIGPROF")
        and threading.current_thread() is threading.main_thread()
    )


@contextmanager
def _limited(timeout: float | None) -> Iterator[None]:
    if timeout is None or not limits_available():
        yield
        return

    def on_cpu(signum: int, frame: Any) -> None:
        raise _StepTimeout(f"used over {timeout:g} s of CPU")

    def on_wall(signum: int, frame: Any) -> None:
        raise _StepTimeout(f"took over {WALL_FACTOR * timeout:g} s of wall time")

    old_prof = signal.signal(signal.SIGPROF, on_cpu)
    old_alrm = signal.signal(signal.SIGALRM, on_wall)
    signal.setitimer(signal.ITIMER_PROF, timeout)
    signal.setitimer(signal.ITIMER_REAL, WALL_FACTOR * timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, old_prof)
        signal.signal(signal.SIGALRM, old_alrm)


def run_inline(profiles: dict[str, Any], task: Task, timeout: float | None) -> Outcome:
    """One profile step in this process: "ok", "error" (the exception) or "timeout"."""
    t0 = time.perf_counter()
    try:
        with _limited(timeout):
            value = run_task(profiles, task)
    except _StepTimeout as exc:
        return Outcome("timeout", None, exc.reason, (time.perf_counter() - t0) * 1000)
    except Exception as exc:
        return Outcome("error", None, failure_detail(task, exc), (time.perf_counter() - t0) * 1000)
    return Outcome("ok", value, None, (time.perf_counter() - t0) * 1000)
