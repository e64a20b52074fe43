"""The verdict cache: keyed by fingerprint, capped in size (least recently used out),
inspectable and clearable."""

from __future__ import annotations

import sqlite3

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.grading.engine.cache import GradeCache, max_bytes_from_env


def _keys(profile, n, fingerprint="f1"):
    return {(profile, fingerprint, "gold", f"answer {i}"): i % 2 == 0 for i in range(n)}


def test_verdicts_survive_a_reopen_both_ways(tmp_path):
    cache = GradeCache(tmp_path / "c.sqlite")
    cache.put_many({("p", "f1", "1", "1"): True, ("p", "f1", "1", "2"): False})
    cache.put_steps({("p", "f1", "extract", "text"): ["1", True, None]})
    cache.close()
    again = GradeCache(tmp_path / "c.sqlite")
    assert again.get(("p", "f1", "1", "1")) is True
    assert again.get(("p", "f1", "1", "2")) is False
    assert again.get(("p", "f2", "1", "1")) is None  # another fingerprint: never served
    assert again.get_steps([("p", "f1", "extract", "text")]) == {("p", "f1", "extract", "text"): ["1", True, None]}


def test_size_cap_evicts_least_recently_used(tmp_path):
    cache = GradeCache(tmp_path / "c.sqlite", max_bytes=60_000)
    old = _keys("p", 200)
    cache.put_many(old)
    first = next(iter(old))
    cache._memory.clear()
    assert cache.get(first) is not None  # touched: now the most recently used
    new = _keys("p", 200, "f2")
    cache.put_many(new)
    info = cache.info()
    assert cache.evicted > 0 and info["bytes"] <= 60_000
    cache._memory.clear()
    assert cache.get(first) is not None  # survived because it was used
    assert len(cache.get_many(new)) == len(new)  # the newest stay
    assert len(cache.get_many(old)) == len(old) - cache.evicted  # the untouched old ones went


def test_info_and_clear_per_profile(tmp_path):
    cache = GradeCache(tmp_path / "c.sqlite")
    cache.put_many(_keys("a", 3))
    cache.put_many(_keys("b", 2, "f9"))
    cache.put_steps({("a", "f1", "gold", ("x", None)): "x"})
    info = cache.info()
    assert info["entries"] == 6 and info["path"] == str(tmp_path / "c.sqlite")
    assert info["profiles"] == {
        "a": {"verdicts": 3, "steps": 1, "fingerprints": 1},
        "b": {"verdicts": 2, "steps": 0, "fingerprints": 1},
    }
    assert cache.clear("a") == 4
    assert set(cache.info()["profiles"]) == {"b"} and len(cache) == 2
    assert cache.clear() == 2 and cache.info()["entries"] == 0


def test_version_keyed_tables_of_older_releases_are_dropped(tmp_path):
    path = tmp_path / "c.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE verdicts (key TEXT PRIMARY KEY, verdict INTEGER NOT NULL)")
    db.execute("INSERT INTO verdicts VALUES ('k', 1)")
    db.commit()
    db.close()
    cache = GradeCache(path)
    tables = {r[0] for r in cache._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "verdicts" not in tables and len(cache) == 0


def test_cap_from_the_environment(monkeypatch):
    monkeypatch.setenv("RLVR_AUDIT_CACHE_MAX_MB", "2")
    assert max_bytes_from_env() == 2 * 1024 * 1024
    monkeypatch.delenv("RLVR_AUDIT_CACHE_MAX_MB")
    assert max_bytes_from_env() == 512 * 1024 * 1024
    monkeypatch.setenv("RLVR_AUDIT_CACHE_MAX_MB", "lots")
    with pytest.raises(AuditError, match="RLVR_AUDIT_CACHE_MAX_MB"):
        max_bytes_from_env()
