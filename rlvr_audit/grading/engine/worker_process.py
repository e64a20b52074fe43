"""What runs inside a grading worker process: load the profiles, then run chunks of
tasks, reporting progress through a shared array and results through the pipe.

Before every item the worker writes (start time, item index, CPU seconds so far) into
the shared array, so the parent always knows which item a worker is on and for how long,
without one message per item (see `workers.over_limit`).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from rlvr_audit.grading.base import GradeRequest, Profile
from rlvr_audit.grading.engine.tasks import Task, failure_detail, run_task

FLUSH_S = 0.05  # how often a busy worker sends its finished results

# Exercises the usual paths (boxed, Minerva phrase, "Answer:" line) once per fresh worker.
_WARM_UP = GradeRequest(
    "So the answer is $\\boxed{\\frac{1}{2}}$.\nFinal Answer: The final answer is $\\frac{1}{2}$. "
    "I hope it is correct.\nAnswer: \\frac{1}{2}",
    "\\frac{1}{2}",
)


def _resolve(refs: dict[str, Any]) -> dict[str, Profile]:
    """Profiles by name (built-ins and plug-ins load through the registry), warmed up:
    their first call may import a parser (seconds), and that must not be charged to an
    item's time limit."""
    from rlvr_audit.grading.registry import get_profile

    profiles = {name: get_profile(ref) if isinstance(ref, str) else ref for name, ref in refs.items()}
    for profile in profiles.values():
        profile.grade_local(_WARM_UP)  # never raises: errors become a Grade
    return profiles


def _limit_memory(memory_mb: int | None) -> None:
    if not memory_mb:
        return
    try:
        import resource

        limit = memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass  # no limit on this platform: a runaway item is still timed out


def worker_main(conn, state, sys_path: list[str], memory_mb: int | None) -> None:
    """The worker's loop: ("profiles", token, refs), ("run", chunk id, tasks) or stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
    for entry in sys_path:  # test-only profiles and plug-ins live where the parent imports them
        if entry not in sys.path:
            sys.path.append(entry)
    _limit_memory(memory_mb)
    profiles: dict[str, Profile] = {}
    load_error: str | None = None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if msg[0] == "profiles":
            try:
                profiles, load_error = _resolve(msg[2]), None
            except Exception as exc:
                profiles, load_error = {}, f"cannot load profiles: {type(exc).__name__}: {exc}"
            conn.send(("ready", msg[1]))
        elif msg[0] == "run":
            _run_chunk(conn, state, msg[1], msg[2], profiles, load_error)
        else:
            return


def _run_chunk(conn, state, chunk_id: int, tasks: list[Task], profiles, load_error) -> None:
    pending: list[tuple] = []
    last_flush = time.monotonic()
    for i, task in enumerate(tasks):
        start = time.monotonic()
        cpu = os.times()
        state[2] = cpu.user + cpu.system
        state[0] = start  # start first, then index: a torn read sees a newer start
        state[1] = float(i)
        try:
            if load_error:
                raise RuntimeError(load_error)
            result = ("ok", run_task(profiles, task), None)
        except Exception as exc:
            result = ("error", None, failure_detail(task, exc))
        now = time.monotonic()
        pending.append((i, *result, (now - start) * 1000.0))
        if now - last_flush >= FLUSH_S or i == len(tasks) - 1:
            try:
                conn.send(("results", chunk_id, pending))
            except Exception as exc:
                detail = f"result could not be sent back: {type(exc).__name__}: {exc}"
                conn.send(("results", chunk_id, [(j, "error", None, detail, ms) for j, *_, ms in pending]))
            pending, last_flush = [], now
    state[1] = -1.0
