"""core.redact: what counts as a secret, and that masking is complete and idempotent."""

from __future__ import annotations

import pytest

from rlvr_audit.core import redact


@pytest.fixture(autouse=True)
def _forget(monkeypatch):
    monkeypatch.setattr(redact, "_remembered", set())
    for name in redact.SECRET_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "name, secret",
    [
        ("api_key", True),
        ("--api-key", True),
        ("API-KEY", True),
        ("hf_token", True),
        ("access_token", True),
        ("password", True),
        ("client_secret", True),
        ("auth", True),
        ("max_tokens", False),
        ("max-tokens", False),
        ("tokenizer", False),
        ("tokenizer_hash", False),
        ("weights_hash", False),
        ("base_url", False),
        ("batch_size", False),
    ],
)
def test_is_secret_key(name, secret):
    assert redact.is_secret_key(name) is secret


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--api-key", "sk-1", "--max-tokens", "8"], ["--api-key", "***", "--max-tokens", "8"]),
        (["--api-key=sk-1"], ["--api-key=***"]),
        (["-o", "api_key=sk-1", "-o", "batch_size=8"], ["-o", "api_key=***", "-o", "batch_size=8"]),
        (["-oapi_key=sk-1", "--backend-option=hf_token=t"], ["-oapi_key=***", "--backend-option=hf_token=***"]),
        (["--base-url", "http://u:pw@h:8000/v1"], ["--base-url", "http://***@h:8000/v1"]),
        (["--base-url=https://tok@h/v1?api_key=k&x=1"], ["--base-url=https://***@h/v1?api_key=***&x=1"]),
        (["--field", "question=problem"], ["--field", "question=problem"]),
    ],
)
def test_redact_argv(argv, expected):
    assert redact.redact_argv(argv) == expected
    assert redact.redact_argv(expected) == expected  # idempotent


def test_redact_text_masks_url_credentials_and_remembered_values():
    redact.remember_argv(["baseline", "--api-key", "sk-live-123", "-o", "password=hunter22"])
    text = "failed: http://user:pass@10.0.0.1/v1 said 'bad key sk-live-123' (hunter22)"
    assert redact.redact_text(text) == "failed: http://***@10.0.0.1/v1 said 'bad key ***' (***)"


def test_short_values_are_not_remembered():
    # A value like "x" or "on" is too common to mask everywhere it appears.
    redact.remember("on", "abc")
    assert redact.redact_text("abc on") == "abc on"


def test_environment_keys_are_remembered(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    redact.remember_argv([])
    assert redact.redact_text("key sk-from-env") == "key ***"


def test_redact_mapping_masks_secret_keys_commands_and_urls():
    manifest = {
        "command": "rlvr-audit baseline --api-key sk-1 -o api_key=k2",
        "backend": {"options": {"api_key": "k2", "base_url": "http://a:b@h/v1", "max_tokens": 8}},
        "model": {"tokenizer_hash": "sha256:00", "id": "m"},
        "empty": {"api_key": None},
        "list": ["http://a:b@h"],
    }
    assert redact.redact_mapping(manifest) == {
        "command": "rlvr-audit baseline --api-key *** -o api_key=***",
        "backend": {"options": {"api_key": "***", "base_url": "http://***@h/v1", "max_tokens": 8}},
        "model": {"tokenizer_hash": "sha256:00", "id": "m"},
        "empty": {"api_key": None},
        "list": ["http://***@h"],
    }
