"""The typed manifest and its migrations: a v1 run directory, written here byte for byte as
the code before schema 2 wrote it, opens, is upgraded in place (atomically) and keeps its grid."""

import json
import os

import pytest

from rlvr_audit.analysis.grid import compute_grid
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling
from rlvr_audit.store.manifest import SCHEMA_VERSION, Manifest, load_manifest, migrate
from rlvr_audit.store.run import Run, new_manifest

# Cell a x strict: p0 right, p1 wrong, p2 no answer -> 1/3; cell a x loose: 2/3.
GRADES = {
    "strict": [("p0", "correct", "1"), ("p1", "incorrect", "5"), ("p2", "no_answer", None)],
    "loose": [("p0", "correct", "1"), ("p1", "correct", "2"), ("p2", "no_answer", None)],
}


def _lines(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def write_v1_run(path, *, source="generated"):
    """The files of a v1 run (rlvr-audit before issue 9): no prompts.jsonl, no prompt
    hashes, no tokenizer hashes, no schema version in summary.json or grade lines."""
    (path / "grades").mkdir(parents=True)
    manifest = {
        "schema_version": 1,
        "kind": "rlvr-audit-run",
        "created_utc": "2026-11-30T10:00:00+00:00",
        "rlvr_audit_version": "0.1.0",
        "label": None,
        "source": source,
        "model": {"id": "tiny", "name": "tiny", "path": "/m/tiny", "revision": None, "weights_hash": "sha256:ab"},
        "benchmark": {"name": "toy", "size": 3, "hash": "h3", "source": "toy.jsonl", "revision": None},
        "templates": {"a": {"hash": "t1", "kind": "raw", "max_tokens": 8, "stop": [], "recommended_profile": None}},
        "sampling": {"temperature": 0.0, "top_p": 1.0, "max_tokens": 8, "n": 1, "seed": 0},
        "backend": {"name": "hf", "options": {}, "library_versions": {"torch": "2.0"}},
        "hardware": {"platform": "Linux", "python": "3.11.0", "cpu_count": 2},
        "command": "rlvr-audit baseline --model tiny",
        "as_claimed": None,
        "updated_utc": "2026-11-30T10:05:00+00:00",
        "resumed": 1,
    }
    (path / "run.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _lines(path / "problems.jsonl", [{"id": f"p{i}", "question": f"{i}+1?", "answer": str(i + 1)} for i in range(3)])
    _lines(
        path / "generations.jsonl",
        [
            {"problem_id": f"p{i}", "template": "a", "sample": 0, "completion": f"\\boxed{{{i + 1}}}"}
            | {"finish_reason": "stop", "prompt_tokens": 4, "completion_tokens": 5}
            for i in range(3)
        ],
    )
    for profile, rows in GRADES.items():
        _lines(
            path / "grades" / f"{profile}.jsonl",
            [
                {"problem_id": pid, "template": "a", "sample": 0, "status": st, "extracted": ex}
                | {"detail": None, "version": "1"}
                for pid, st, ex in rows
            ],
        )
    (path / "summary.json").write_text(json.dumps({"run": path.name, "cells": []}))
    return manifest


def test_v1_run_opens_migrates_in_place_and_keeps_its_grid(tmp_path):
    v1 = write_v1_run(tmp_path / "run")
    run = Run.open(tmp_path / "run")
    on_disk = json.loads((tmp_path / "run" / "run.json").read_text())
    assert on_disk["schema_version"] == run.manifest.schema_version == SCHEMA_VERSION == 2
    assert [(m["from"], m["to"]) for m in on_disk["migrations"]] == [(1, 2)]
    assert on_disk["model"] == {**v1["model"], "tokenizer_hash": None, "chat_template_hash": None}
    assert on_disk["sampling"] == {**v1["sampling"], "known": True}
    for key in ("created_utc", "command", "backend", "benchmark", "templates", "updated_utc", "resumed"):
        assert on_disk[key] == v1[key], key
    assert not list((tmp_path / "run").glob(".*tmp"))

    grid = compute_grid(run)
    accuracy = {(c["template"], c["profile"]): c["accuracy"] for c in grid.to_json()["cells"]}
    assert accuracy == pytest.approx({("a", "strict"): 100 / 3, ("a", "loose"): 200 / 3}, abs=0.01)  # percent
    assert len(run.generations()) == 3 and run.generations()[("p0", "a", 0)].prompt_hash is None

    # A second open finds version 2 and leaves the file alone.
    before = (tmp_path / "run" / "run.json").read_bytes()
    Run.open(tmp_path / "run")
    assert (tmp_path / "run" / "run.json").read_bytes() == before


def test_v1_import_loses_its_invented_sampling(tmp_path):
    write_v1_run(tmp_path / "run", source="imported")
    run = Run.open(tmp_path / "run")
    assert run.manifest.sampling == {
        "temperature": None,
        "top_p": None,
        "max_tokens": None,
        "n": 1,
        "seed": None,
        "known": False,
    }
    assert run.sampling.n == 1 and not run.sampling_known
    assert compute_grid(run).to_json()["cells"]  # readers of sampling cope with the nulls


def test_failed_migration_write_leaves_the_v1_file(tmp_path, monkeypatch):
    write_v1_run(tmp_path / "run")
    before = (tmp_path / "run" / "run.json").read_bytes()

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        Run.open(tmp_path / "run")
    assert (tmp_path / "run" / "run.json").read_bytes() == before


def test_unknown_version_is_refused_with_the_fix(tmp_path):
    write_v1_run(tmp_path / "run")
    data = json.loads((tmp_path / "run" / "run.json").read_text())
    (tmp_path / "run" / "run.json").write_text(json.dumps({**data, "schema_version": 7}))
    with pytest.raises(AuditError) as info:
        Run.open(tmp_path / "run")
    assert "schema version 7" in info.value.message and "upgrade rlvr-audit" in info.value.fix


def test_manifest_is_frozen_and_round_trips_unknown_keys():
    manifest = new_manifest(
        model={"id": "m"},
        benchmark={"name": "b", "hash": "h"},
        templates={},
        sampling=Sampling(),
        command="c",
        extra={"import": {"file": "x"}},
    )
    with pytest.raises(AttributeError):
        manifest.label = "x"  # type: ignore[misc]
    data = manifest.to_dict()
    assert data["import"] == {"file": "x"} and data["schema_version"] == 2 and data["sampling"]["known"] is True
    assert Manifest.from_dict(data) == manifest
    changed = manifest.replace(label="new", resumed=3, training={"step": 1})
    assert (changed.label, changed.resumed, changed["training"], manifest.label) == ("new", 3, {"step": 1}, None)


def test_migrate_is_a_no_op_on_the_current_version():
    data = {"schema_version": SCHEMA_VERSION, "model": {}}
    assert migrate(dict(data)) == data


def test_load_manifest_refuses_a_foreign_json(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"kind": "something-else"}))
    with pytest.raises(AuditError):
        load_manifest(tmp_path / "run.json")
