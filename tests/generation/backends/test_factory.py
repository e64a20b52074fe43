"""get_backend / choose_backend: names, the default rule and the errors that name the fix."""

from __future__ import annotations

import importlib.util

import pytest

import rlvr_audit.generation.backends as backends
from rlvr_audit.core.errors import AuditError
from rlvr_audit.generation.backends import choose_backend, default_backend, get_backend


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


def _only_vllm_missing(monkeypatch, missing: bool) -> None:
    """find_spec as if vllm were (not) installed, whatever this machine has."""
    real_find_spec = importlib.util.find_spec
    fake_spec = importlib.util.spec_from_loader("vllm", loader=None)

    def find_spec(name, *args):
        if name == "vllm":
            return None if missing else fake_spec
        return real_find_spec(name, *args)

    monkeypatch.setattr(backends.importlib.util, "find_spec", find_spec)


@pytest.mark.parametrize("vllm_missing, expected", [(False, "vllm"), (True, "hf")])
def test_default_is_vllm_wherever_it_is_installed(monkeypatch, vllm_missing, expected):
    _only_vllm_missing(monkeypatch, vllm_missing)
    assert default_backend() == expected
    assert choose_backend(None) == choose_backend("") == expected


@pytest.mark.parametrize("name, expected", [("hf", "hf"), ("VLLM", "vllm"), ("openai", "openai")])
def test_named_backends_are_kept(name, expected):
    assert choose_backend(name) == expected


def test_unknown_backend_names_the_known_ones():
    with pytest.raises(AuditError) as err:
        choose_backend("tensorrt")
    assert err.value.one_line().startswith("unknown backend 'tensorrt'")
    assert "use one of: vllm, hf, openai" in err.value.one_line()


@pytest.mark.parametrize("name", ["vllm", "hf", "openai"])
def test_every_backend_refuses_unknown_options_before_loading(name):
    with pytest.raises(AuditError) as err:
        server = {"base_url": "http://127.0.0.1:1/v1"} if name == "openai" else {}
        get_backend(name, "no-such-model", not_an_option=1, **server)
    assert f"unknown {name} backend option(s): not_an_option" in err.value.one_line()
    assert "use only:" in err.value.one_line()


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
