"""The run manifest (`run.json`) as a typed, frozen value, and its migrations.

`Manifest` reads like the JSON it is stored as (`manifest["model"]`, `manifest.get(...)`),
so code that only reads keeps working; it is changed only through `replace`, which returns
a new value. Keys this version does not name travel in `extra` and are written back as is.

Versions (see docs/run-format.md):
  1  rlvr-audit 0.x up to issue 9: no tokenizer/chat-template hashes, no prompt hashes, an
     import recorded invented sampling (temperature 0, seed 0).
  2  model entry carries `tokenizer_hash` and `chat_template_hash`; sampling carries
     `known`; an import's unknown sampling fields are null; `migrations` lists upgrades.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.redact import redact_mapping
from rlvr_audit.io.jsonl import read_json_file, write_json_atomic

SCHEMA_VERSION = 2
KIND = "rlvr-audit-run"
# The sampling fields an import cannot know (only n is counted from the records).
UNKNOWN_WHEN_IMPORTED = ("temperature", "top_p", "max_tokens", "seed")


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Manifest:
    """What a run directory holds and how it was made. `model` has at least "id";
    `benchmark` is the benchmark identity plus "source"; `templates` maps name ->
    {"hash", "kind", ...}; `sampling` is Sampling's fields plus "known"."""

    model: dict[str, Any]
    benchmark: dict[str, Any]
    templates: dict[str, dict[str, Any]]
    sampling: dict[str, Any]
    backend: dict[str, Any] = field(default_factory=dict)
    hardware: dict[str, Any] = field(default_factory=dict)
    command: str | None = None
    as_claimed: dict[str, str] | None = None
    label: str | None = None
    source: str = "generated"
    created_utc: str | None = None
    updated_utc: str | None = None
    rlvr_audit_version: str | None = None
    resumed: int = 0
    migrations: tuple[dict[str, Any], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    kind: str = KIND

    # -- the JSON form ----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON object written to run.json (extra keys at top level)."""
        out: dict[str, Any] = {"schema_version": self.schema_version, "kind": self.kind}
        for f in fields(self):
            if f.name not in ("extra", "schema_version", "kind"):
                value = getattr(self, f.name)
                out[f.name] = list(value) if f.name == "migrations" else value
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """A Manifest from its JSON object; an older schema is migrated first."""
        data = migrate(dict(data))
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in data.items() if k in names}
        known["migrations"] = tuple(known.get("migrations") or ())
        known["resumed"] = int(known.get("resumed") or 0)
        return cls(**known, extra={k: v for k, v in data.items() if k not in names})

    def replace(self, **changes: Any) -> Manifest:
        """A copy with `changes`; keys that are not fields go to `extra`."""
        data = self.to_dict()
        data.update(changes)
        return Manifest.from_dict(data)

    # -- read access like the stored dict -----------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __getitem__(self, key: str) -> Any:
        data = self.to_dict()
        if key not in data:
            raise KeyError(key)
        return data[key]

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def keys(self) -> Any:
        return self.to_dict().keys()

    @property
    def sampling_known(self) -> bool:
        """False when the sampling setup was not recorded by whoever generated (imports)."""
        return bool(self.sampling.get("known", True))


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 -> v2: add the tokenizer/chat-template slots (unknown), mark sampling known or
    not, and null the sampling an import invented (v1 wrote temperature 0, seed 0)."""
    model = dict(data.get("model") or {})
    model.setdefault("tokenizer_hash", None)
    model.setdefault("chat_template_hash", None)
    sampling = dict(data.get("sampling") or {})
    imported = data.get("source") == "imported"
    if imported:
        sampling.update({k: None for k in UNKNOWN_WHEN_IMPORTED})
    sampling["known"] = not imported
    data.update(model=model, sampling=sampling, schema_version=2)
    return data


_MIGRATIONS = {1: _v1_to_v2}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a manifest's JSON object to `SCHEMA_VERSION`, step by step; each step is
    listed in `migrations`. Refuses versions it does not know."""
    version = data.get("schema_version")
    if version == SCHEMA_VERSION:
        return data
    if version not in _MIGRATIONS:
        raise AuditError(
            f"run schema version {version!r} is not one this rlvr-audit reads (1 to {SCHEMA_VERSION})",
            "upgrade rlvr-audit or re-import the generations",
        )
    history = list(data.get("migrations") or ())
    while version != SCHEMA_VERSION:
        data = _MIGRATIONS[version](data)
        history.append({"from": version, "to": data["schema_version"], "utc": utc_now()})
        version = data["schema_version"]
    data["migrations"] = history
    return data


def load_manifest(path: str | Path) -> Manifest:
    """Read run.json; an older version is migrated and written back in place, atomically
    (temp file + os.replace), so a reader never sees a half-upgraded manifest."""
    path = Path(path)
    data = read_json_file(path, fix="restore it from a copy, or delete the run directory and run the command again")
    if not isinstance(data, dict) or data.get("kind", KIND) != KIND:
        raise AuditError(f"{path} is not an rlvr-audit run manifest", "pass a directory written by rlvr-audit")
    wrong = [k for k in ("model", "benchmark", "templates", "sampling") if not isinstance(data.get(k), dict)]
    if wrong:
        raise AuditError(
            f"{path} is damaged: {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} missing or not an object",
            "restore it from a copy, or delete the run directory and run the command again",
        )
    old_version = data.get("schema_version")
    manifest = Manifest.from_dict(data)
    if old_version != SCHEMA_VERSION:
        save_manifest(path, manifest)
    return manifest


def save_manifest(path: str | Path, manifest: Manifest) -> None:
    """Write run.json atomically; secrets are masked on the way (`core.redact`), whatever put
    them in the manifest, because run directories get shared."""
    write_json_atomic(path, redact_mapping(manifest.to_dict()))
