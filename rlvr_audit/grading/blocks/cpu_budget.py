"""Does a computation finish within a CPU-time budget? Asked by running it in a forked
child and measuring the child's CPU seconds from this process.

Used to reproduce a harness's own time limit (math-verify's 5 s `parsing_timeout`) as a
verdict, without signals in the grading code: the harness's limit is wall-clock SIGALRM,
which on a busy machine fires after far less work, so its verdicts move with the load.
Counting CPU seconds instead makes the answer the same on an idle and a loaded machine
(up to CPU speed). The child only computes and exits; its result is not sent back, since
callers ask this only about a computation whose result they already know.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

__all__ = ["STARVED_FACTOR", "finishes_within"]

STARVED_FACTOR = 10  # wall seconds per budget second before a starved child is an error
_POLL_S = (0.002, 0.01, 0.05)  # poll quickly first: most children finish in milliseconds


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process (Linux /proc), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _run_child(work: Callable[[], object]) -> None:
    try:
        work()
        code = 0
    except BaseException:  # an error also ends the computation: it finished
        code = 1
    os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def finishes_within(work: Callable[[], object], budget_s: float) -> bool:
    """True when `work()` ends (returning or raising) within `budget_s` CPU seconds.

    Where `fork` is missing, `work()` runs here with no limit (True). Where the OS does
    not report a running process's CPU time, wall time stands in for it. A child that
    gets less than 1/STARVED_FACTOR of a core for STARVED_FACTOR x `budget_s` seconds
    (a machine loaded that far, or a child stuck on a lock inherited from another thread)
    raises RuntimeError: that is an error grade, not a verdict.
    """
    if not hasattr(os, "fork"):
        work()
        return True
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        _run_child(work)
    started = time.monotonic()
    polls = 0
    try:
        while True:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                pid = 0
                return True
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(pid)
            used = elapsed if cpu is None else cpu
            if used > budget_s:
                return False
            if elapsed > STARVED_FACTOR * budget_s:
                raise RuntimeError(
                    f"the {budget_s:g} s CPU-limited check got {used:.2f} CPU s in {elapsed:.0f} s of wall time"
                )
            time.sleep(_POLL_S[min(polls // 20, len(_POLL_S) - 1)])
            polls += 1
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
