"""A verdict cache keyed by (profile, version, gold, extracted answer).

Grading cost then grows with distinct answers, not with samples: 8 samples that all say
"12" against the same gold are judged once. Only verdicts (True/False) are cached; a
timeout or an error is never stored, so a later call with a longer limit retries it.

In memory by default; `GradeCache.persistent()` also keeps verdicts in SQLite under
`$RLVR_AUDIT_HOME` (default `~/.cache/rlvr-audit`) so that re-grading is nearly free.
A profile's `version` is part of the key: bumping it invalidates its old verdicts.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

JudgeKey = tuple[str, str, str, "str | None"]  # (profile, version, gold, extracted)
# Also cached: gold preparation and extraction results, by (profile, version, step, inputs).


def audit_home() -> Path:
    """The per-user state directory ($RLVR_AUDIT_HOME, default ~/.cache/rlvr-audit)."""
    return Path(os.environ.get("RLVR_AUDIT_HOME") or Path.home() / ".cache" / "rlvr-audit")


def _digest(key: JudgeKey) -> str:
    # Golds can be whole solutions: store a fixed-size digest, not the strings.
    blob = json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class GradeCache:
    """Verdicts by judge key, with hit/miss counters. Thread-safe."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self._memory: dict[JudgeKey, bool] = {}
        self._steps: dict[tuple, Any] = {}
        self.step_hits = 0
        self.step_misses = 0
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False: access is serialised by self._lock.
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict INTEGER NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS steps (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.commit()

    @classmethod
    def persistent(cls) -> GradeCache:
        """A cache backed by `$RLVR_AUDIT_HOME/grade-cache.sqlite`."""
        return cls(audit_home() / "grade-cache.sqlite")

    def get(self, key: JudgeKey) -> bool | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[JudgeKey]) -> dict[JudgeKey, bool]:
        """Cached verdicts of `keys` (absent ones are left out); counts hits and misses."""
        keys = list(keys)
        with self._lock:
            found = self._lookup(keys, self._memory, "verdicts", "verdict", bool)
            self.hits += len(found)
            self.misses += len(keys) - len(found)
        return found

    def put(self, key: JudgeKey, verdict: bool) -> None:
        self.put_many({key: verdict})

    def put_many(self, verdicts: dict[JudgeKey, bool]) -> None:
        """Store verdicts (True/False only: never call this with a timeout or an error)."""
        self._store({k: bool(v) for k, v in verdicts.items()}, self._memory, "verdicts", "verdict", int)

    # -- gold preparation and extraction results -------------------------------------
    # Keyed by (profile, version, step, inputs...); values are JSON-able. Re-grading the
    # same outputs then skips extraction too, not only judging.
    def get_steps(self, keys: Iterable[tuple]) -> dict[tuple, Any]:
        """Cached step results of `keys` (absent ones are left out)."""
        keys = list(keys)
        with self._lock:
            found = self._lookup(keys, self._steps, "steps", "value", json.loads)
            self.step_hits += len(found)
            self.step_misses += len(keys) - len(found)
        return found

    def put_steps(self, values: dict[tuple, Any]) -> None:
        """Store step results (successful ones only)."""
        self._store(values, self._steps, "steps", "value", lambda v: json.dumps(v, ensure_ascii=False))

    # -- one lookup and one store for both tables (call _lookup with the lock held) --
    def _lookup(self, keys: list, memory: dict, table: str, column: str, decode: Callable[[Any], Any]) -> dict:
        found = {key: memory[key] for key in keys if key in memory}
        missing = [key for key in keys if key not in found]
        if missing and self._db is not None:
            by_digest = {_digest(k): k for k in missing}
            digests = list(by_digest)
            for start in range(0, len(digests), 500):  # SQLite's variable limit
                part = digests[start : start + 500]
                marks = ",".join("?" * len(part))
                query = f"SELECT key, {column} FROM {table} WHERE key IN ({marks})"
                for digest, value in self._db.execute(query, part):
                    key = by_digest[digest]
                    found[key] = memory[key] = decode(value)
        return found

    def _store(self, values: dict, memory: dict, table: str, column: str, encode: Callable[[Any], Any]) -> None:
        if not values:
            return
        with self._lock:
            memory.update(values)
            if self._db is not None:
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {table} (key, {column}) VALUES (?, ?)",
                    [(_digest(k), encode(v)) for k, v in values.items()],
                )
                self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            if self._db is not None:
                return int(self._db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])
            return len(self._memory)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
