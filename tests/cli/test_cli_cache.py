"""`rlvr-audit cache info|clear`, and `grade RUN --no-regrade` reporting stale grades."""

from __future__ import annotations

import json

from rlvr_audit.cli.app import main
from rlvr_audit.core.types import Generation, Problem, Sampling
from rlvr_audit.grading import identity, registry
from rlvr_audit.store.run import Run, new_manifest

RECORDS = [
    {"completion": "Answer: 3", "answer": "3"},
    {"completion": "Answer: 5", "answer": "4"},
]


def _gen_file(tmp_path):
    path = tmp_path / "gen.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_info_counts_per_profile_and_clear_empties(tmp_path, capsys, _temp_home):
    assert main(["grade", str(_gen_file(tmp_path)), "-p", "dapo,hendrycks", "--workers", "0", "--json"]) == 0
    capsys.readouterr()
    assert main(["cache", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["path"] == str(_temp_home / "grade-cache.sqlite")
    assert set(info["profiles"]) == {"dapo", "hendrycks"} and info["profiles"]["dapo"]["verdicts"] == 2
    assert main(["cache", "clear", "--profile", "dapo"]) == 0
    assert "removed" in capsys.readouterr().out
    assert main(["cache", "info", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["profiles"]) == {"hendrycks"}
    assert main(["cache", "clear"]) == 0
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    assert "entries: 0" in capsys.readouterr().out


def test_per_item_grades_carry_fingerprints_and_rows_say_how_accuracy_counts(tmp_path, capsys):
    assert main(["grade", str(_gen_file(tmp_path)), "-p", "dapo", "--workers", "0", "--json", "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy_counts"] == "timeout and error as incorrect"
    grades = [json.loads(line) for line in (tmp_path / "gen.grades.jsonl").read_text().splitlines()]
    assert {g["grades"]["dapo"]["fingerprint"] for g in grades} == {registry.profile_fingerprint("dapo")}


def _run(path):
    manifest = new_manifest(
        model={"id": "m", "weights_hash": "abc"},
        benchmark={"name": "toy", "size": 2, "hash": "h", "source": "test"},
        templates={"t": {"hash": "x", "kind": "raw"}},
        sampling=Sampling(n=1),
        command="test",
    )
    run = Run.create(path, manifest, [Problem("p0", "q", "3"), Problem("p1", "q", "4")])
    with run.generation_writer() as out:
        out.write_many(Generation(f"p{i}", "t", 0, r["completion"]).to_dict() for i, r in enumerate(RECORDS))
    return run


def test_no_regrade_reports_staleness_then_grade_regrades(tmp_path, capsys, monkeypatch):
    run = _run(tmp_path / "r")
    assert main(["grade", str(run.path), "-p", "dapo,hendrycks", "--workers", "0", "--no-cache"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(registry.get_profile("dapo"), "version", "2")
    identity.forget()
    try:
        assert main(["grade", str(run.path), "-p", "dapo,hendrycks", "--workers", "0", "--no-regrade"]) == 0
        err = capsys.readouterr().err
        assert "dapo: 2 grades are stale (dapo version 1 -> 2)" in err and "hendrycks" not in err.split("new grades")[0]
        assert main(["grade", str(run.path), "-p", "dapo,hendrycks", "--workers", "0", "--json"]) == 0
        out = capsys.readouterr()
        assert "r: dapo: re-graded 2 items: dapo version 1 -> 2" in out.err
        stats = json.loads(out.out)["grading"]
        assert stats["regraded"] == {"dapo": 2, "hendrycks": 0}
        cells = json.loads(out.out)["grid"]["cells"]
        assert {c["accuracy_counts"] for c in cells} == {"timeout and error as incorrect"}
    finally:
        identity.forget()
