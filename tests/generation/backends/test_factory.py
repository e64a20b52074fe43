"""get_backend / available_backends: names, defaults and the errors that name the fix."""

from __future__ import annotations

import importlib.util

import pytest

import rlvr_audit.generation.backends as backends
from rlvr_audit.core.errors import AuditError
from rlvr_audit.generation.backends import available_backends, get_backend


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("tensorrt", {}, "vllm, hf, openai"),
        ("openai", {}, "--base-url"),
        ("openai", {"base_url": ""}, "--base-url"),
        ("hf", {"not_an_option": 1}, "not_an_option"),
        ("openai", {"base_url": "http://127.0.0.1:1/v1", "temperature": 1}, "temperature"),
    ],
)
def test_bad_requests_name_the_fix(tiny_model, name, options, message):
    with pytest.raises(AuditError) as err:
        get_backend(name, str(tiny_model), **options)
    assert message in err.value.one_line()


def test_available_backends_lists_installed_engines():
    names = available_backends()
    assert "hf" in names and "openai" in names
    assert ("vllm" in names) == (importlib.util.find_spec("vllm") is not None)


def test_default_is_hf_when_vllm_is_missing(tiny_model, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        backends.importlib.util, "find_spec", lambda name, *a: None if name == "vllm" else real_find_spec(name, *a)
    )
    backend = get_backend(None, str(tiny_model))
    try:
        assert backend.name == "hf"
    finally:
        backend.close()


def test_missing_model_directory_is_an_audit_error(tmp_path):
    with pytest.raises(AuditError) as err:
        get_backend("hf", str(tmp_path / "nope"))
    assert "does not exist" in err.value.one_line()


def test_hf_honours_max_model_len(tiny_model):
    from rlvr_audit.core.types import Prompt, Sampling

    backend = get_backend("hf", str(tiny_model), max_model_len=64)
    try:
        with pytest.raises(AuditError) as err:
            list(backend.generate([Prompt("raw", text="x " * 80)], Sampling(max_tokens=8)))
        assert "--max-tokens" in err.value.one_line()
    finally:
        backend.close()
