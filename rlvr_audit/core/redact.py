"""Secrets out of everything stored or printed: the one place that decides what a secret is.

A run directory gets shared and error lines get pasted into issues, so an API key or a
password must reach neither. Masked here, as "***":

- the value of an option or mapping key that names a secret (`--api-key X`, `--api-key=X`,
  `-o api_key=X`, `{"api_key": ...}`, `hf_token`, `password`, ...); `max_tokens` and
  `tokenizer` are not secrets;
- the user and password of a URL (`http://user:pw@host/v1` -> `http://***@host/v1`) and a
  secret in its query string (`?api_key=X`);
- any value `remember`ed (the CLI remembers the secrets of its own command line and of the
  API-key environment variables, so an error that quotes one is still masked).

Redacting is idempotent: redacted text redacts to itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "MASK",
    "is_secret_key",
    "redact_argv",
    "redact_command",
    "redact_mapping",
    "redact_text",
    "remember",
    "remember_argv",
]

MASK = "***"
SECRET_ENV = ("RLVR_AUDIT_API_KEY", "OPENAI_API_KEY", "HF_TOKEN")
# A remembered value shorter than this is too common a string to mask everywhere.
_MIN_REMEMBERED = 4

_SECRET_NAME = re.compile(
    r"(?:^|_)(?:(?:api|access|secret|private|auth|client)_?key|token|secret|password|passwd|pwd|auth|authorization|"
    r"credentials?|bearer)$"
)
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s@?#]+)@")
_QUERY_SECRET = re.compile(r"(?P<pre>[?&](?P<key>[A-Za-z_][\w.-]*)=)(?P<value>[^&#\s]+)")
_LONG_OPTION = re.compile(r"^--(?P<name>[A-Za-z][\w-]*)(?:=(?P<value>.*))?$", re.DOTALL)
_PAIR = re.compile(r"^(?P<pre>-o=?|--backend-option=)?(?P<key>[A-Za-z_][\w.-]*)=(?P<value>.*)$", re.DOTALL)

_remembered: set[str] = set()


def is_secret_key(name: str) -> bool:
    """Whether an option or field called `name` holds a secret (api_key, hf-token, ...)."""
    return bool(_SECRET_NAME.search(name.strip().lstrip("-").lower().replace("-", "_")))


def remember(*values: str | None) -> None:
    """Mask these values wherever `redact_text` sees them from now on."""
    for value in values:
        if value and len(value) >= _MIN_REMEMBERED and value != MASK:
            _remembered.add(value)


def remember_argv(argv: Sequence[str]) -> None:
    """Remember the secret values of a command line and of the API-key environment variables."""
    remember(*(os.environ.get(name) for name in SECRET_ENV))
    args = list(argv)
    for i, arg in enumerate(args):
        option = _LONG_OPTION.match(arg)
        if option and is_secret_key(option["name"]):
            remember(option["value"] if option["value"] is not None else (args[i + 1] if i + 1 < len(args) else None))
            continue
        pair = _PAIR.match(arg)
        if pair and is_secret_key(pair["key"]):
            remember(pair["value"])


def redact_text(text: str) -> str:
    """`text` with URL credentials, secret query parameters and remembered values masked."""
    if not text:
        return text
    for value in sorted(_remembered, key=len, reverse=True):
        text = text.replace(value, MASK)
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: m["pre"] + (MASK if is_secret_key(m["key"]) else m["value"]), text)


def redact_argv(argv: Iterable[str]) -> list[str]:
    """A command line with the value of every secret option masked (and `redact_text` on
    every argument)."""
    args = list(argv)
    out: list[str] = []
    mask_next = False
    for arg in args:
        if mask_next:
            out.append(MASK)
            mask_next = False
            continue
        option = _LONG_OPTION.match(arg)
        if option and is_secret_key(option["name"]):
            if option["value"] is None:
                mask_next = True
                out.append(arg)
            else:
                out.append(f"--{option['name']}={MASK}")
            continue
        pair = _PAIR.match(arg)
        if pair and is_secret_key(pair["key"]):
            out.append(f"{pair['pre'] or ''}{pair['key']}={MASK}")
            continue
        out.append(redact_text(arg))
    return out


def redact_command(command: str | None) -> str | None:
    """A command line stored as one string, redacted word by word."""
    if command is None:
        return None
    return " ".join(redact_argv(command.split(" ")))


def redact_mapping(value: Any) -> Any:
    """A copy of a JSON-like value with secret keys' values masked and every string passed
    through `redact_text` (what goes into run.json and other stored documents)."""
    if isinstance(value, dict):
        return {k: _redact_entry(k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_mapping(v) for v in value)
    if isinstance(value, str):
        return redact_text(value)
    return value


def _redact_entry(key: Any, value: Any) -> Any:
    if isinstance(key, str) and is_secret_key(key) and value not in (None, ""):
        return MASK
    if key == "command" and isinstance(value, str):  # a recorded command line
        return redact_command(value)
    return redact_mapping(value)
