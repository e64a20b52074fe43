"""A verdict cache keyed by (profile, fingerprint, gold, extracted answer), plus the
benchmark variant for a profile whose verdicts depend on the benchmark.

Grading cost then grows with distinct answers, not with samples: 8 samples that all say
"12" against the same gold are judged once. Only verdicts (True/False) are cached; a
timeout or an error is never stored, so a later call with a longer limit retries it.

The fingerprint (`rlvr_audit.grading.identity`) covers the profile's version and the
versions of the libraries it calls, so upgrading math-verify or bumping a version never
serves an old verdict: the old entries are simply never asked for again, and age out.

In memory by default; `GradeCache.persistent()` also keeps entries in SQLite under
`$RLVR_AUDIT_HOME` (default `~/.cache/rlvr-audit`), capped at `$RLVR_AUDIT_CACHE_MAX_MB`
(default 512): past the cap the least recently used entries are evicted.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError

# (profile, fingerprint, gold, extracted), or (..., benchmark variant) for a profile that
# branches on the benchmark (engine/tasks.py), so that no verdict crosses benchmarks.
JudgeKey = tuple  # (str, str, str, str | None[, str])
# Also cached: gold preparation and extraction results, by (profile, fingerprint, step, inputs).

MAX_MB_ENV = "RLVR_AUDIT_CACHE_MAX_MB"
DEFAULT_MAX_MB = 512
_ROW_OVERHEAD = 96  # bytes SQLite spends per row beyond key and value (index, header): an estimate
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, profile TEXT NOT NULL, fingerprint TEXT NOT NULL,
    value TEXT NOT NULL, size INTEGER NOT NULL, used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_used ON entries (used);
"""


def audit_home() -> Path:
    """The per-user state directory ($RLVR_AUDIT_HOME, default ~/.cache/rlvr-audit)."""
    return Path(os.environ.get("RLVR_AUDIT_HOME") or Path.home() / ".cache" / "rlvr-audit")


def cache_path() -> Path:
    return audit_home() / "grade-cache.sqlite"


def max_bytes_from_env() -> int:
    """The cap from $RLVR_AUDIT_CACHE_MAX_MB (default 512 MB)."""
    raw = os.environ.get(MAX_MB_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        mb = float(raw)
    except ValueError:
        mb = -1.0
    if mb <= 0:
        raise AuditError(f"{MAX_MB_ENV}={raw!r} is not a positive number of megabytes", f"set e.g. {MAX_MB_ENV}=512")
    return int(mb * 1024 * 1024)


def _digest(key: tuple) -> str:
    # Golds can be whole solutions: store a fixed-size digest, not the strings.
    blob = json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class GradeCache:
    """Verdicts by judge key, with hit/miss counters. Thread-safe."""

    def __init__(self, path: str | Path | None = None, *, max_bytes: int | None = None):
        self.path = Path(path) if path is not None else None
        self.max_bytes = max_bytes if max_bytes is not None else DEFAULT_MAX_MB * 1024 * 1024
        self._memory: dict[JudgeKey, bool] = {}
        self._steps: dict[tuple, Any] = {}
        self.step_hits = 0
        self.step_misses = 0
        self.evicted = 0
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._stored = 0  # bytes in the table, kept up to date by this process's writes
        self.hits = 0
        self.misses = 0
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False: access is serialised by self._lock.
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._drop_legacy()
            self._db.executescript(_SCHEMA)
            self._db.commit()
            self._stored = int(self._db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0])

    def _drop_legacy(self) -> None:
        # Tables of the version-keyed cache: their verdicts cannot be trusted across upgrades.
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        legacy = tables & {"verdicts", "steps"}
        for table in legacy:
            self._db.execute(f"DROP TABLE {table}")
        if legacy:
            self._db.commit()
            self._db.execute("VACUUM")

    @classmethod
    def persistent(cls) -> GradeCache:
        """A cache backed by `$RLVR_AUDIT_HOME/grade-cache.sqlite`, capped by $RLVR_AUDIT_CACHE_MAX_MB."""
        return cls(cache_path(), max_bytes=max_bytes_from_env())

    def get(self, key: JudgeKey) -> bool | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[JudgeKey]) -> dict[JudgeKey, bool]:
        """Cached verdicts of `keys` (absent ones are left out); counts hits and misses."""
        keys = list(keys)
        with self._lock:
            found = self._lookup(keys, self._memory, lambda v: bool(int(v)))
            self.hits += len(found)
            self.misses += len(keys) - len(found)
        return found

    def put(self, key: JudgeKey, verdict: bool) -> None:
        self.put_many({key: verdict})

    def put_many(self, verdicts: dict[JudgeKey, bool]) -> None:
        """Store verdicts (True/False only: never call this with a timeout or an error)."""
        self._store("verdict", {k: bool(v) for k, v in verdicts.items()}, self._memory, lambda v: str(int(v)))

    # -- gold preparation and extraction results -------------------------------------
    # Keyed by (profile, fingerprint, step, inputs...); values are JSON-able. Re-grading
    # the same outputs then skips extraction too, not only judging.
    def get_steps(self, keys: Iterable[tuple]) -> dict[tuple, Any]:
        """Cached step results of `keys` (absent ones are left out)."""
        keys = list(keys)
        with self._lock:
            found = self._lookup(keys, self._steps, json.loads)
            self.step_hits += len(found)
            self.step_misses += len(keys) - len(found)
        return found

    def put_steps(self, values: dict[tuple, Any]) -> None:
        """Store step results (successful ones only)."""
        self._store("step", values, self._steps, lambda v: json.dumps(v, ensure_ascii=False))

    # -- one lookup and one store for both kinds (call _lookup with the lock held) ----
    def _lookup(self, keys: list, memory: dict, decode: Callable[[str], Any]) -> dict:
        found = {key: memory[key] for key in keys if key in memory}
        missing = [key for key in keys if key not in found]
        if missing and self._db is not None:
            by_digest = {_digest(k): k for k in missing}
            digests = list(by_digest)
            hit_digests = []
            for start in range(0, len(digests), 500):  # SQLite's variable limit
                part = digests[start : start + 500]
                marks = ",".join("?" * len(part))
                for digest, value in self._db.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", part):
                    key = by_digest[digest]
                    found[key] = memory[key] = decode(value)
                    hit_digests.append(digest)
            if hit_digests:  # least-recently-used eviction needs to know what was used
                now = time.time()
                self._db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(now, d) for d in hit_digests])
                self._db.commit()
        return found

    def _store(self, kind: str, values: dict, memory: dict, encode: Callable[[Any], str]) -> None:
        if not values:
            return
        with self._lock:
            memory.update(values)
            if self._db is None:
                return
            now = time.time()
            rows = []
            for key, value in values.items():
                digest, text = _digest(key), encode(value)
                size = len(digest) + len(text.encode("utf-8")) + len(key[0]) + len(key[1]) + _ROW_OVERHEAD
                rows.append((digest, kind, key[0], key[1], text, size, now))
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.commit()
            self._stored += sum(r[5] for r in rows)
            if self._stored > self.max_bytes:
                self._evict()

    def _evict(self) -> None:
        """Delete least recently used entries down to 90% of the cap (lock held)."""
        self._stored = int(self._db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0])
        excess = self._stored - int(0.9 * self.max_bytes)
        if excess <= 0:
            return
        doomed, freed = [], 0
        for digest, size in self._db.execute("SELECT key, size FROM entries ORDER BY used, key"):
            if freed >= excess:
                break
            doomed.append((digest,))
            freed += size
        self._db.executemany("DELETE FROM entries WHERE key = ?", doomed)
        self._db.commit()
        self._stored -= freed
        self.evicted += len(doomed)

    # -- inspection and clearing (`rlvr-audit cache info|clear`) ---------------------
    def info(self) -> dict[str, Any]:
        """Path, entries, bytes (estimated and on disk), cap, and counts per profile."""
        with self._lock:
            per_profile: dict[str, dict[str, Any]] = {}
            if self._db is not None:
                query = (
                    "SELECT profile, kind, COUNT(*), COUNT(DISTINCT fingerprint) FROM entries GROUP BY profile, kind"
                )
                for profile, kind, count, prints in self._db.execute(query):
                    entry = per_profile.setdefault(profile, {"verdicts": 0, "steps": 0, "fingerprints": 0})
                    entry["verdicts" if kind == "verdict" else "steps"] = int(count)
                    entry["fingerprints"] = max(entry["fingerprints"], int(prints))
                entries = sum(e["verdicts"] + e["steps"] for e in per_profile.values())
            else:
                for key in list(self._memory) + list(self._steps):
                    entry = per_profile.setdefault(key[0], {"verdicts": 0, "steps": 0, "fingerprints": 0})
                    entry["verdicts" if key in self._memory else "steps"] += 1
                entries = len(self._memory) + len(self._steps)
            on_disk = sum(p.stat().st_size for p in self._files() if p.exists())
            return {
                "path": str(self.path) if self.path else None,
                "entries": entries,
                "bytes": self._stored,
                "bytes_on_disk": on_disk,
                "max_bytes": self.max_bytes,
                "profiles": dict(sorted(per_profile.items())),
            }

    def _files(self) -> list[Path]:
        if self.path is None:
            return []
        return [self.path, self.path.with_name(self.path.name + "-wal"), self.path.with_name(self.path.name + "-shm")]

    def clear(self, profile: str | None = None) -> int:
        """Delete every entry, or those of `profile`; returns how many were deleted."""
        with self._lock:
            if profile is None:
                removed = len(self._memory) + len(self._steps)
                self._memory.clear()
                self._steps.clear()
            else:
                removed = 0
                for memory in (self._memory, self._steps):
                    for key in [k for k in memory if k[0] == profile]:
                        del memory[key]
                        removed += 1
            if self._db is not None:
                where, args = ("", ()) if profile is None else (" WHERE profile = ?", (profile,))
                removed = self._db.execute(f"DELETE FROM entries{where}", args).rowcount
                self._db.commit()
                self._db.execute("VACUUM")  # give the space back to the disk
                self._stored = int(self._db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0])
            return int(removed)

    def __len__(self) -> int:
        """The number of cached verdicts (step results not counted)."""
        with self._lock:
            if self._db is not None:
                return int(self._db.execute("SELECT COUNT(*) FROM entries WHERE kind = 'verdict'").fetchone()[0])
            return len(self._memory)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
