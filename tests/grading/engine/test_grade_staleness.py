"""grade_run keeps grades current: stale fingerprints are re-graded (or reported), and
timeouts and errors are retried by the next call, never kept as verdicts."""

from __future__ import annotations

import json

import pytest
from slow_profiles import SLOW_ECHO
from toy_runs import toy_run

from rlvr_audit.core.types import Grade
from rlvr_audit.grading import identity, registry
from rlvr_audit.grading.engine.cache import GradeCache
from rlvr_audit.grading.engine.pool import shutdown_pool
from rlvr_audit.grading.engine.runs import grade_run
from rlvr_audit.store.run import Run

COMPLETIONS = [("p0", 0, "Answer: 0"), ("p0", 1, "Answer: 5"), ("p1", 0, "none"), ("p2", 0, "Answer: 2")]


def _run(path, completions=COMPLETIONS):
    return toy_run(path, completions)


def _verdicts(run, profile):
    return {key: (g.status, g.extracted) for key, g in Run.open(run.path).grades(profile).items()}


@pytest.fixture
def bump(monkeypatch):
    """Bump a built-in profile's version in this process, as a release would."""

    def do(name, version="2"):
        monkeypatch.setattr(registry.get_profile(name), "version", version)
        identity.forget()

    yield do
    identity.forget()


def test_every_grade_carries_the_current_fingerprint(tmp_path):
    run = _run(tmp_path / "r")
    grade_run(run, ["dapo"], workers=0, progress=False)
    records = [json.loads(line) for line in (run.path / "grades" / "dapo.jsonl").read_text().splitlines()]
    assert {r["fingerprint"] for r in records} == {registry.profile_fingerprint("dapo")}
    known = json.loads((run.path / "grades" / "fingerprints.json").read_text())
    assert known[registry.profile_fingerprint("dapo")]["version"] == "1"


def test_version_bump_regrades_exactly_that_profile(tmp_path, bump):
    run = _run(tmp_path / "r")
    grade_run(run, ["dapo", "hendrycks"], workers=0, progress=False)
    generations = (run.path / "generations.jsonl").read_bytes()
    hendrycks = (run.path / "grades" / "hendrycks.jsonl").read_bytes()
    before = _verdicts(run, "dapo")
    bump("dapo")
    stats = grade_run(Run.open(run.path), ["dapo", "hendrycks"], workers=0, progress=False)
    assert stats["regraded"] == {"dapo": 4, "hendrycks": 0}
    assert stats["added"] == {"dapo": 4, "hendrycks": 0}
    assert stats["changes"] == {"dapo": ["dapo version 1 -> 2"]}
    assert stats["messages"] == ["dapo: re-graded 4 items: dapo version 1 -> 2"]
    assert (run.path / "generations.jsonl").read_bytes() == generations
    assert (run.path / "grades" / "hendrycks.jsonl").read_bytes() == hendrycks
    lines = (run.path / "grades" / "dapo.jsonl").read_text().splitlines()
    assert len(lines) == 4  # the stale records were replaced, not shadowed
    assert {json.loads(line)["version"] for line in lines} == {"2"}
    assert _verdicts(run, "dapo") == before
    again = grade_run(Run.open(run.path), ["dapo"], workers=0, progress=False)
    assert again["added"] == {"dapo": 0} and again["messages"] == []


def test_library_upgrade_is_named(tmp_path, monkeypatch):
    run = _run(tmp_path / "r")
    grade_run(run, ["hendrycks"], workers=0, progress=False)
    real = identity._installed
    monkeypatch.setattr(identity, "_installed", lambda d: "9.9.9" if d == "rlvr-audit" else real(d))
    identity.forget()
    try:
        stats = grade_run(Run.open(run.path), ["hendrycks"], workers=0, progress=False)
    finally:
        identity.forget()
    old = real("rlvr-audit")
    assert stats["messages"] == [f"hendrycks: re-graded 4 items: rlvr-audit {old} -> 9.9.9"]


def test_no_regrade_reports_and_keeps_stale_grades(tmp_path, bump):
    run = _run(tmp_path / "r")
    grade_run(run, ["dapo"], workers=0, progress=False)
    grades = (run.path / "grades" / "dapo.jsonl").read_bytes()
    bump("dapo", "7")
    stats = grade_run(Run.open(run.path), ["dapo"], workers=0, progress=False, regrade=False)
    assert stats["stale"] == {"dapo": 4} and stats["regraded"] == {"dapo": 0} and stats["added"] == {"dapo": 0}
    assert "4 grades are stale (dapo version 1 -> 7)" in stats["messages"][0]
    assert (run.path / "grades" / "dapo.jsonl").read_bytes() == grades


def test_grades_without_a_fingerprint_are_stale(tmp_path):
    run = _run(tmp_path / "r")
    with run.grade_writer("dapo") as out:  # written by a version that had no fingerprints
        out.write(Run.grade_record(("p0", "t", 0), Grade("dapo", "1", "incorrect", "0")))
    stats = grade_run(run, ["dapo"], workers=0, progress=False)
    assert stats["stale"] == {"dapo": 1} and stats["added"] == {"dapo": 4}
    assert stats["changes"] == {"dapo": ["graded before grade fingerprints"]}
    assert _verdicts(run, "dapo")[("p0", "t", 0)] == ("correct", "0")


def test_cache_never_serves_a_verdict_of_another_fingerprint(tmp_path, bump):
    cache = GradeCache(tmp_path / "cache.sqlite")
    run = _run(tmp_path / "r")
    first = grade_run(run, ["dapo"], workers=0, cache=cache, progress=False)
    assert first["judged"] == first["judge_keys"] > 0
    bump("dapo")
    second = grade_run(Run.open(run.path), ["dapo"], workers=0, cache=cache, progress=False)
    assert second["cache_hits"] == 0 and second["judged"] == first["judged"]
    third = grade_run(_run(tmp_path / "r2"), ["dapo"], workers=0, cache=cache, progress=False)
    assert third["judged"] == 0 and third["cache_hits"] == first["judge_keys"]


@pytest.fixture
def slow_echo(monkeypatch):
    """Make the CPU-burning test profile gradable by name (the workers get the instance)."""
    monkeypatch.setitem(registry._BUILTINS, "slow-echo", "slow_profiles:SLOW_ECHO")
    registry.get_profile.cache_clear()
    real = registry.is_registered
    monkeypatch.setattr(registry, "is_registered", lambda p: p is not SLOW_ECHO and real(p))
    shutdown_pool()
    yield "slow-echo"
    registry.get_profile.cache_clear()
    shutdown_pool()


def test_timeouts_are_retried_until_they_are_verdicts(tmp_path, slow_echo):
    completions = [("p0", 0, "0"), ("p0", 1, "5"), ("p1", 0, ""), ("p2", 0, "2")]
    run = _run(tmp_path / "r", completions)
    first = grade_run(run, [slow_echo], workers=1, timeout=0.01, progress=False)
    statuses = {k: s for k, (s, _) in _verdicts(run, slow_echo).items()}
    assert first["timeouts"] == 4 and set(statuses.values()) == {"timeout"}
    second = grade_run(Run.open(run.path), [slow_echo], workers=1, progress=False)
    assert second["retried"] == {slow_echo: 4} and second["added"] == {slow_echo: 4} and second["timeouts"] == 0
    assert "retried 4 timeout/error grades" in second["messages"][0]
    clean = _run(tmp_path / "clean", completions)
    grade_run(clean, [slow_echo], workers=1, progress=False)
    assert _verdicts(run, slow_echo) == _verdicts(clean, slow_echo)
    assert len((run.path / "grades" / f"{slow_echo}.jsonl").read_text().splitlines()) == 4
