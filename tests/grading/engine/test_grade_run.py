"""grade_run: resume-safe grading of a run's generations."""

from __future__ import annotations

from toy_runs import toy_run

from rlvr_audit.grading.engine.cache import GradeCache
from rlvr_audit.grading.engine.runs import grade_run
from rlvr_audit.grading.registry import profile_fingerprint
from rlvr_audit.store.run import Run

# (problem, sample, completion): dapo reads the last "Answer:" line.
COMPLETIONS = [
    ("p0", 0, "so Answer: 0"),
    ("p0", 1, "Answer: 5"),
    ("p1", 0, "no answer here"),
    ("p2", 0, "Answer: 2"),
    ("p2", 1, "Answer: 2"),
]


def _run(path):
    return toy_run(path, COMPLETIONS)


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_second_call_adds_nothing(tmp_path):
    run = _run(tmp_path / "r")
    first = grade_run(run, ["dapo"], workers=0, progress=False)
    assert first["added"] == {"dapo": 5} and first["existing"] == {"dapo": 0}
    statuses = {key: g.status for key, g in run.grades("dapo").items()}
    assert statuses == {
        ("p0", "t", 0): "correct",
        ("p0", "t", 1): "incorrect",
        ("p1", "t", 0): "no_answer",
        ("p2", "t", 0): "correct",
        ("p2", "t", 1): "correct",
    }
    before = _lines(run.path / "grades" / "dapo.jsonl")
    second = grade_run(Run.open(run.path), ["dapo"], workers=1, progress=False)
    assert second["added"] == {"dapo": 0} and second["existing"] == {"dapo": 5}
    assert _lines(run.path / "grades" / "dapo.jsonl") == before


def test_new_profile_is_added_without_touching_generations(tmp_path):
    run = _run(tmp_path / "r")
    grade_run(run, ["dapo"], workers=0, progress=False)
    generations = (run.path / "generations.jsonl").read_bytes()
    dapo = (run.path / "grades" / "dapo.jsonl").read_bytes()
    stats = grade_run(Run.open(run.path), ["dapo", "minerva"], workers=1, cache=GradeCache(), progress=False)
    assert stats["added"] == {"dapo": 0, "minerva": 5}
    assert (run.path / "generations.jsonl").read_bytes() == generations
    assert (run.path / "grades" / "dapo.jsonl").read_bytes() == dapo
    assert Run.open(run.path).graded_profiles() == ["dapo", "minerva"]
    assert len(Run.open(run.path).grades("minerva")) == 5


def test_partial_grades_are_completed(tmp_path):
    run = _run(tmp_path / "r")
    from rlvr_audit.core.types import Grade

    current = profile_fingerprint("dapo")
    with run.grade_writer("dapo") as out:  # as if a previous call was killed midway
        out.write(Run.grade_record(("p0", "t", 0), Grade("dapo", "1", "correct", "0", fingerprint=current)))
    stats = grade_run(run, ["dapo"], workers=0, progress=False)
    assert stats["added"] == {"dapo": 4} and stats["existing"] == {"dapo": 1}
    assert len(run.grades("dapo")) == 5


def test_templates_limits_what_is_graded(tmp_path):
    run = _run(tmp_path / "r")
    none = grade_run(run, ["dapo"], workers=0, progress=False, templates=["another-template"])
    assert none["added"] == {"dapo": 0} and none["generations"] == 0
    assert run.grades("dapo") == {}
    some = grade_run(Run.open(run.path), ["dapo"], workers=0, progress=False, templates=["t"])
    assert some["added"] == {"dapo": 5}
