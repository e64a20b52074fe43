"""Resume provenance: hub commits pinned before generating, tokenizer/chat template and
backend in the resume spec (hf backend, tiny model, a fake HF hub cache)."""

import json
import shutil
from pathlib import Path

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling
from rlvr_audit.io.jsonl import read_jsonl
from rlvr_audit.store.run import Run
from rlvr_audit.workflows.baseline import BaselineSpec, GenerationCount, run_baseline

COMMIT = "89abcdef0123456789abcdef0123456789abcdef"
REPO = "fake-org/tiny-math"


def _data(tmp_path: Path) -> Path:
    path = tmp_path / "toy.jsonl"
    rows = [{"id": f"toy-{i}", "problem": f"What is {i}+1?", "answer": str(i + 1)} for i in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _spec(model: str, data: Path, out: Path, **changes) -> BaselineSpec:
    base = dict(
        model=model,
        benchmark="toy",
        data_file=data,
        templates=("no-template",),
        profiles=("qwen25-math",),
        sampling=Sampling(max_tokens=4),
        backend="hf",
        out_dir=out,
        grade_workers=1,
    )
    base.update(changes)
    return BaselineSpec(**base)


@pytest.fixture
def fake_hub(tiny_model, tmp_path, monkeypatch):
    """An HF cache holding REPO at COMMIT (refs/main -> COMMIT), read offline."""
    hub = tmp_path / "hf-home" / "hub"
    repo = hub / ("models--" + REPO.replace("/", "--"))
    shutil.copytree(tiny_model, repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(hub))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # huggingface_hub reads its cache path once, at import: point the loaders at ours.
    constants = pytest.importorskip("huggingface_hub.constants")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub))
    return repo


def _unpin(out: Path) -> None:
    """Make the run look like one today's code made for a hub model not yet cached: the
    commit and tokenizer were never recorded, and it is a v1 manifest."""
    manifest = json.loads((out / "run.json").read_text())
    manifest["schema_version"] = 1
    for key in ("revision", "tokenizer_hash", "chat_template_hash"):
        manifest["model"].pop(key, None)
    manifest["model"]["revision"] = None
    manifest["backend"].pop("generation_options", None)
    (out / "run.json").write_text(json.dumps(manifest))


def test_hub_run_with_unresolved_revision_resumes_and_records_the_commit(fake_hub, tmp_path):
    data, out = _data(tmp_path), tmp_path / "run"
    run = run_baseline(_spec(REPO, data, out), progress=False)
    assert run.manifest.model["revision"] == COMMIT
    assert run.manifest.model["tokenizer_hash"].startswith("sha256:")
    _unpin(out)
    lines = (out / "generations.jsonl").read_text().splitlines()
    (out / "generations.jsonl").write_text(lines[0] + "\n")  # interrupted after one prompt
    count = GenerationCount()
    resumed = run_baseline(_spec(REPO, data, out), progress=False, counter=count)
    assert count.prompts == 2 and count.backend_loaded
    on_disk = json.loads((out / "run.json").read_text())
    assert on_disk["schema_version"] == 2 and on_disk["model"]["revision"] == COMMIT
    assert on_disk["model"]["tokenizer_hash"] == run.manifest.model["tokenizer_hash"]
    assert len(resumed.generations()) == 3


def test_resume_keeps_the_recorded_commit_when_main_moves(fake_hub, tmp_path):
    data, out = _data(tmp_path), tmp_path / "run"
    run_baseline(_spec(REPO, data, out), progress=False)
    newer = "f" * 40
    shutil.copytree(fake_hub / "snapshots" / COMMIT, fake_hub / "snapshots" / newer)
    (fake_hub / "refs" / "main").write_text(newer)
    again = run_baseline(_spec(REPO, data, out), progress=False)
    assert again.manifest.model["revision"] == COMMIT


def test_unresolvable_hub_model_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(AuditError) as info:
        run_baseline(_spec("nobody/not-cached", _data(tmp_path), tmp_path / "run"), progress=False)
    assert "offline and not in the local cache" in info.value.message
    assert "--revision COMMIT" in info.value.fix and "HF_HUB_OFFLINE=0" in info.value.fix
    assert not (tmp_path / "run" / "generations.jsonl").exists()


def test_changed_chat_template_refuses_the_resume(tiny_model, tmp_path):
    model = shutil.copytree(tiny_model, tmp_path / "model")
    data, out = _data(tmp_path), tmp_path / "run"
    run_baseline(_spec(str(model), data, out), progress=False)
    config = json.loads((model / "tokenizer_config.json").read_text())
    if "chat_template" in config:
        config["chat_template"] += "{# changed #}"
        (model / "tokenizer_config.json").write_text(json.dumps(config))
    else:
        jinja = model / "chat_template.jinja"
        jinja.write_text(jinja.read_text() + "{# changed #}")
    with pytest.raises(AuditError) as info:
        run_baseline(_spec(str(model), data, out), progress=False)
    assert "chat_template_hash" in info.value.message and "tokenizer_hash" in info.value.message
    assert "--out NEW" in info.value.fix and "--overwrite" in info.value.fix


@pytest.mark.parametrize(
    "changes, named",
    [(dict(backend="vllm"), "backend hf -> vllm"), (dict(backend_options={"dtype": "bfloat16"}), "backend options")],
)
def test_other_backend_or_generation_option_is_refused(tiny_model, tmp_path, changes, named):
    data, out = _data(tmp_path), tmp_path / "run"
    run_baseline(_spec(str(tiny_model), data, out), progress=False)
    before = (out / "generations.jsonl").read_bytes()
    with pytest.raises(AuditError) as info:
        run_baseline(_spec(str(tiny_model), data, out, **changes), progress=False)
    assert named in info.value.message
    assert "--out NEW" in info.value.fix and "--overwrite" in info.value.fix
    assert (out / "generations.jsonl").read_bytes() == before


def test_speed_only_backend_option_resumes(tiny_model, tmp_path):
    data, out = _data(tmp_path), tmp_path / "run"
    run_baseline(_spec(str(tiny_model), data, out), progress=False)
    count = GenerationCount()
    run_baseline(_spec(str(tiny_model), data, out, backend_options={"batch_size": 2}), progress=False, counter=count)
    assert count.prompts == 0
    assert len(list(read_jsonl(out / "prompts.jsonl"))) == 3
    assert Run.open(out).manifest.backend["generation_options"] == {}


@pytest.mark.slow
@pytest.mark.vllm
def test_vllm_run_refuses_hf_and_records_its_prompts(tiny_model, tmp_path):
    pytest.importorskip("vllm")
    data, out = _data(tmp_path), tmp_path / "run"
    run = run_baseline(_spec(str(tiny_model), data, out, backend="vllm"), progress=False)
    assert run.manifest.backend["name"] == "vllm"
    hashes = {p["prompt_hash"] for p in read_jsonl(out / "prompts.jsonl")}
    assert {g.prompt_hash for g in run.generations().values()} == hashes and len(hashes) == 3
    with pytest.raises(AuditError) as info:
        run_baseline(_spec(str(tiny_model), data, out), progress=False)
    assert "backend vllm -> hf" in info.value.message and "--out NEW" in info.value.fix
