"""train.json records the resolved model (as baseline does) and the data's identity."""

from __future__ import annotations

import json
import shutil

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.training.data import load_train_problems
from rlvr_audit.training.rewards import parse_reward
from rlvr_audit.training.run import TrainSpec, write_manifest

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_data_identity_has_rows_and_a_content_hash(problem_file, tmp_path):
    _, identity = load_train_problems(str(problem_file))
    assert identity["source"] == str(problem_file.resolve()) and identity["revision"] is None
    assert (identity["rows"], identity["size"]) == (4, 4)
    assert len(identity["hash"]) == 16
    edited = tmp_path / "edited.jsonl"
    edited.write_text(problem_file.read_text().replace("1+1", "1+2"))
    assert load_train_problems(str(edited))[1]["hash"] != identity["hash"]
    assert load_train_problems(str(problem_file), limit=2)[1]["hash"] != identity["hash"]


def test_train_manifest_records_the_resolved_local_model(tiny_model, tmp_path):
    spec = TrainSpec(model=str(tiny_model), reward=parse_reward("format"), out_dir=tmp_path, progress=False)
    write_manifest(spec, tmp_path, status="running")
    model = json.loads((tmp_path / "train.json").read_text())["model"]
    assert model["id"] == str(tiny_model) and model["weights_hash"].startswith("sha256:")
    assert model["tokenizer_hash"].startswith("sha256:") and model["chat_template_hash"].startswith("sha256:")


def test_train_manifest_pins_a_hub_model_to_its_commit(tiny_model, tmp_path, monkeypatch):
    repo = tmp_path / "hub" / "models--org--base"
    shutil.copytree(tiny_model, repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = TrainSpec(model="org/base", reward=parse_reward("format"), out_dir=tmp_path / "o", progress=False)
    (tmp_path / "o").mkdir()
    write_manifest(spec, tmp_path / "o")
    model = json.loads((tmp_path / "o" / "train.json").read_text())["model"]
    assert (model["id"], model["revision"], model["weights_hash"]) == ("org/base", COMMIT, None)
    assert model["tokenizer_hash"].startswith("sha256:")

    spec = TrainSpec(model="org/missing", reward=parse_reward("format"), out_dir=tmp_path / "m", progress=False)
    (tmp_path / "m").mkdir()
    with pytest.raises(AuditError) as info:
        write_manifest(spec, tmp_path / "m")
    assert "--revision COMMIT" in info.value.fix or "HF_HUB_OFFLINE=0" in info.value.fix
