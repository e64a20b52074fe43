"""Worker processes that run profile steps with per-item timeouts enforced from outside.

Each worker reads chunks of tasks from its pipe and writes results back in small batches.
Before every item it writes (start time, item index) into a shared array, so the parent
always knows which item a worker is on and for how long, without one message per item.
A worker past the limit on one item is killed and replaced: that item gets `timeout`,
results already received are kept, and the rest of its chunk is queued again. A worker
that dies (segfault, out of memory) gives its current item `error` the same way.

The limit is CPU time where the OS reports it (Linux), plus a wall-time cap of
WALL_FACTOR x the limit for steps that sleep or starve: a wall-clock limit alone would turn
slow-but-fine items into timeouts on a loaded machine, so verdicts would depend on load.

The worker's side of the pipe is `worker_process`; this module is the parent's side.
No signals are used for timing, so the parent may call this from any thread. Workers are
started with `forkserver` (safe when the parent has threads); the server preloads the
profile modules, so replacing a killed worker costs milliseconds, not an import of sympy.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Any

from rlvr_audit.grading.blocks.cpu_budget import cpu_seconds as _cpu_seconds
from rlvr_audit.grading.engine.tasks import Outcome, Task
from rlvr_audit.grading.engine.worker_process import worker_main

_LOAD_TIMEOUT_S = 120.0  # loading profiles in a fresh worker (imports) may take a while
DEFAULT_MEMORY_MB = 4096
WALL_FACTOR = 4  # a step may take this many times the timeout in wall time (see over_limit)


_MAIN_LOCK = threading.Lock()


@contextmanager
def _main_hidden(hide: bool):
    """Start a worker without re-running the parent's main script in it.

    spawn/forkserver children import the parent's `__main__` (as `__mp_main__`), so a
    script or `python -` session without an `if __name__ == "__main__"` guard would call
    grade_many again in every worker and kill it. Workers need `__main__` only to unpickle
    a profile class defined there; otherwise it is hidden while the worker starts.
    """
    main = sys.modules.get("__main__")
    if not hide or main is None:
        yield
        return
    with _MAIN_LOCK:
        spec, path = getattr(main, "__spec__", None), getattr(main, "__file__", None)
        try:
            main.__spec__ = None
            if path is not None:
                del main.__file__
            yield
        finally:
            main.__spec__ = spec
            if path is not None:
                main.__file__ = path


def over_limit(worker: _Worker, now: float, timeout: float | None) -> str | None:
    """Why the worker's current item must stop, or None.

    The limit is on CPU time where the OS reports it, so that a loaded machine does not
    turn slow-but-fine items into timeouts (verdicts must not depend on the load); a step
    that sleeps or is starved stops after WALL_FACTOR x timeout of wall time.
    """
    started, pos = worker.state[0], int(worker.state[1])
    if timeout is None or pos < 0 or now - started <= timeout:
        return None
    cpu = _cpu_seconds(worker.proc.pid)
    if cpu is None:
        return f"took over {timeout:g} s"
    if cpu - worker.state[2] > timeout:
        return f"used over {timeout:g} s of CPU"
    if now - started > WALL_FACTOR * timeout:
        return f"took over {WALL_FACTOR * timeout:g} s of wall time"
    return None


class _Worker:
    def __init__(self, ctx, memory_mb: int | None, needs_main: bool = False):
        self.state = ctx.RawArray("d", [0.0, -1.0, 0.0])  # item start, item index, CPU s at start
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=worker_main,
            args=(child_conn, self.state, list(sys.path), memory_mb),
            daemon=True,
            name="rlvr-audit-grader",
        )
        with _main_hidden(not needs_main):
            self.proc.start()
        child_conn.close()
        self.conn = parent_conn
        self.profiles_token: int | None = None
        self.ready = False
        self.chunk: list[int] | None = None  # task indices of the chunk in flight
        self.chunk_id = 0
        self.sent_at = 0.0
        self.done: set[int] = set()  # chunk positions whose results arrived

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()


class _Call:
    """The bookkeeping of one `WorkerPool.run` call: outcomes so far and chunks to send."""

    def __init__(self, tasks: Sequence[Task], pool_size: int, on_done: Callable[[int], None] | None):
        self.tasks = tasks
        self.outcomes: list[Outcome | None] = [None] * len(tasks)
        self.remaining = len(tasks)
        self.on_done = on_done
        size = min(max(1, len(tasks) // (pool_size * 16)), 256)
        self.queue: deque[list[int]] = deque(
            list(range(s, min(s + size, len(tasks)))) for s in range(0, len(tasks), size)
        )

    def finish(self, index: int, outcome: Outcome) -> None:
        """Record the first outcome of task `index`; later ones are ignored."""
        if self.outcomes[index] is None:
            self.outcomes[index] = outcome
            self.remaining -= 1
            if self.on_done:
                self.on_done(1)

    def requeue_rest(self, worker: _Worker) -> None:
        """Queue again the tasks of `worker`'s chunk that have no outcome yet."""
        chunk = worker.chunk or []
        rest = [t for pos, t in enumerate(chunk) if pos not in worker.done and self.outcomes[t] is None]
        if rest:
            self.queue.appendleft(rest)
        worker.chunk = None


class WorkerPool:
    """A set of grading worker processes, reusable across calls (one call at a time)."""

    def __init__(self, size: int, *, memory_mb: int | None = DEFAULT_MEMORY_MB):
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self._ctx = _context()
        self._workers: list[_Worker] = []
        self._token = 0
        self._chunk_ids = 0
        self.lock = threading.Lock()
        self.started = 0  # workers started over the pool's life (replacements included)

    def _spawn(self, profiles: dict[str, Any]) -> _Worker:
        self.started += 1
        needs_main = any(type(ref).__module__ == "__main__" for ref in profiles.values() if not isinstance(ref, str))
        worker = _Worker(self._ctx, self.memory_mb, needs_main)
        self._workers.append(worker)
        return worker

    def _drop(self, worker: _Worker) -> None:
        worker.kill()
        self._workers.remove(worker)

    def run(
        self,
        tasks: Sequence[Task],
        profiles: dict[str, Any],
        *,
        timeout: float | None,
        on_done: Callable[[int], None] | None = None,
    ) -> list[Outcome]:
        """Run `tasks` on the workers; one Outcome per task, in order."""
        if not tasks:
            return []
        # Workers still busy from a call that was interrupted (Ctrl-C) hold stale work.
        for worker in [w for w in self._workers if w.chunk is not None]:
            self._drop(worker)
        try:
            return self._run(tasks, profiles, timeout=timeout, on_done=on_done)
        except BaseException:
            for worker in [w for w in self._workers if w.chunk is not None]:
                self._drop(worker)
            raise

    def _run(self, tasks, profiles, *, timeout, on_done) -> list[Outcome]:
        self._token += 1
        call = _Call(tasks, self.size, on_done)
        while call.remaining:
            self._dispatch(call, profiles)
            busy = [w for w in self._workers if w.chunk is not None]
            if not busy:
                continue
            for conn in wait([w.conn for w in busy], timeout=0.05):
                worker = next(w for w in busy if w.conn is conn)
                if not self._receive(worker, call.finish):
                    self._fail(call, worker, "worker process died", "error")
            self._enforce_limits(call, timeout)
            if call.remaining and not call.queue and not any(w.chunk for w in self._workers):
                # Everything dispatched came back but some items have no outcome: resend.
                call.queue.extend([[t] for t, o in enumerate(call.outcomes) if o is None])
        return call.outcomes  # type: ignore[return-value]

    def _dispatch(self, call: _Call, profiles: dict[str, Any]) -> None:
        """Send queued chunks to idle workers, starting new ones up to the pool size."""
        for worker in [w for w in self._workers if w.chunk is None and not w.proc.is_alive()]:
            self._drop(worker)
        while call.queue and len(self._workers) < min(self.size, len(call.queue) + self._busy()):
            self._spawn(profiles)
        for worker in [w for w in self._workers if w.chunk is None]:
            if not call.queue:
                break
            chunk = call.queue.popleft()
            self._chunk_ids += 1
            try:
                if worker.profiles_token != self._token:
                    worker.conn.send(("profiles", self._token, profiles))
                    worker.profiles_token, worker.ready = self._token, False
                worker.conn.send(("run", self._chunk_ids, [call.tasks[t] for t in chunk]))
            except (BrokenPipeError, OSError):
                call.queue.appendleft(chunk)
                self._drop(worker)
                continue
            except Exception as exc:  # pickling a user profile failed
                from rlvr_audit.core.errors import AuditError

                raise AuditError(
                    f"a profile cannot be sent to a worker process ({type(exc).__name__}: {exc})",
                    "define the profile class at module level, or grade with workers=0",
                ) from exc
            worker.chunk, worker.chunk_id, worker.done = chunk, self._chunk_ids, set()
            worker.sent_at = time.monotonic()

    def _enforce_limits(self, call: _Call, timeout: float | None) -> None:
        """Kill workers past the load timeout or past an item's time limit."""
        now = time.monotonic()
        for worker in [w for w in self._workers if w.chunk is not None]:
            if not worker.ready:
                if now - worker.sent_at > _LOAD_TIMEOUT_S:
                    self._fail(call, worker, "loading profiles timed out", "error")
                continue
            reason = over_limit(worker, now, timeout)
            if reason is not None:
                self._receive(worker, call.finish)  # keep results sent before the kill
                if worker.chunk is None:
                    continue
                worker.proc.kill()
                worker.proc.join(timeout=5)
                self._fail(call, worker, f"{reason} (worker killed)", "timeout")

    def _fail(self, call: _Call, worker: _Worker, detail: str, status: str) -> None:
        """Give the worker's current item `status`, queue the rest of its chunk, drop it."""
        self._fail_current(worker, call.finish, detail, status)
        call.requeue_rest(worker)
        self._drop(worker)

    def _busy(self) -> int:
        return sum(1 for w in self._workers if w.chunk is not None)

    def _receive(self, worker: _Worker, finish) -> bool:
        """Read every waiting message of `worker`; False when its pipe is closed."""
        try:
            while worker.conn.poll():
                msg = worker.conn.recv()
                if msg[0] == "ready":
                    if msg[1] == worker.profiles_token:
                        worker.ready = True
                elif msg[0] == "results" and worker.chunk is not None and msg[1] == worker.chunk_id:
                    for pos, status, value, detail, ms in msg[2]:
                        worker.done.add(pos)
                        finish(worker.chunk[pos], Outcome(status, value, detail, ms))
                    if len(worker.done) == len(worker.chunk):
                        worker.chunk = None
        except (EOFError, OSError):
            return False
        return True

    def _fail_current(self, worker: _Worker, finish, detail: str, status: str) -> None:
        if worker.chunk is None:
            return
        pos = int(worker.state[1])
        if pos < 0 or pos >= len(worker.chunk) or pos in worker.done:
            # Died between items or before starting: blame the first unfinished item, so
            # that a worker that always dies still makes progress.
            pos = next((p for p in range(len(worker.chunk)) if p not in worker.done), -1)
        if pos >= 0:
            ms = (time.monotonic() - worker.state[0]) * 1000.0 if worker.state[1] >= 0 else 0.0
            finish(worker.chunk[pos], Outcome(status, None, detail, ms))
            worker.done.add(pos)

    def close(self) -> None:
        for worker in list(self._workers):
            try:
                worker.conn.send(("stop",))
            except (BrokenPipeError, OSError):
                pass
        for worker in list(self._workers):
            worker.proc.join(timeout=1)
            if worker.proc.is_alive():
                worker.proc.kill()
                worker.proc.join(timeout=5)
            worker.conn.close()
        self._workers.clear()


# Imported once in the fork server, so a replacement worker starts in milliseconds.
_PRELOAD = [
    "rlvr_audit.grading.registry",
    "rlvr_audit.grading.engine.workers",
    "rlvr_audit.grading.engine.worker_process",
    "sympy",
    "sympy.parsing.latex._parse_latex_antlr",
    "math_verify",
]


def _context():
    """forkserver where available (safe with threads; preloaded imports), else spawn."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        from rlvr_audit.grading.registry import builtin_modules

        # Only takes effect if no forkserver runs yet; failing imports are skipped.
        ctx.set_forkserver_preload(_PRELOAD + builtin_modules())
        return ctx
    return mp.get_context("spawn")


def default_workers() -> int:
    """All usable cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
