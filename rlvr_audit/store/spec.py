"""Building a run's manifest, and deciding whether a new invocation may resume a run.

The resume spec is everything that shapes a generation: the model (id, commit or weights
hash, tokenizer and chat template hashes), the benchmark's content hash, sampling, and the
backend with its generation-relevant options. Templates are checked one by one (a run may
gain templates; a changed one is refused).
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling
from rlvr_audit.core.version import __version__
from rlvr_audit.store.manifest import Manifest, utc_now

# Model-entry fields a resume must match; a null recorded one is unknown, not different.
MODEL_SPEC = ("weights_hash", "revision", "tokenizer_hash", "chat_template_hash")


def hardware_info() -> dict[str, Any]:
    return {"platform": platform.platform(), "python": sys.version.split()[0], "cpu_count": os.cpu_count()}


def sampling_entry(sampling: Sampling | dict[str, Any], known: bool = True) -> dict[str, Any]:
    """Sampling as the manifest records it: its fields plus "known" (False: nobody
    recorded how the generations were sampled; the unknown fields are null)."""
    data = dict(sampling) if isinstance(sampling, dict) else sampling.to_dict()
    data["known"] = bool(data.get("known", known))
    return data


def new_manifest(
    *,
    model: dict[str, Any],
    benchmark: dict[str, Any],
    templates: dict[str, dict[str, Any]],
    sampling: Sampling | dict[str, Any],
    backend: dict[str, Any] | None = None,
    command: str | None = None,
    as_claimed: dict[str, str] | None = None,
    label: str | None = None,
    source: str = "generated",
    extra: dict[str, Any] | None = None,
) -> Manifest:
    """A new Manifest. `model` has at least "id"; `benchmark` is Benchmark.identity plus
    "source"; `templates` maps name -> {"hash", "kind", ...}; `as_claimed` names the
    template and profile a published number used, when known; `sampling` may be a dict
    with nulls and "known": False where the settings are unknown (imports)."""
    model = {"tokenizer_hash": None, "chat_template_hash": None, **model}
    return Manifest(
        model=model,
        benchmark=benchmark,
        templates=templates,
        sampling=sampling_entry(sampling),
        backend=backend or {},
        hardware=hardware_info(),
        command=command if command is not None else " ".join(sys.argv),
        as_claimed=as_claimed,
        label=label,
        source=source,
        created_utc=utc_now(),
        rlvr_audit_version=__version__,
        extra=dict(extra or {}),
    )


def _sampling_spec(manifest: Manifest) -> dict[str, Any]:
    return {k: v for k, v in manifest.sampling.items() if k != "known"}


def _backend_spec(manifest: Manifest) -> dict[str, Any] | None:
    backend = manifest.backend or {}
    if not backend.get("name"):
        return None  # an import: nothing recorded
    return {"name": backend.get("name"), "options": backend.get("generation_options")}


def check_resume(path: Path, old: Manifest, new: Manifest) -> Manifest:
    """The manifest a resume continues with (the old one, templates merged, unknown model
    facts filled in), or AuditError naming every spec field that changed."""
    changed: list[str] = []
    if old.model.get("id") != new.model.get("id"):
        changed.append(f"model {old.model.get('id')} -> {new.model.get('id')}")
    model = dict(old.model)
    for key in MODEL_SPEC:
        before, now = old.model.get(key), new.model.get(key)
        if before is None:
            model[key] = now  # recorded as unknown (v1, or a hub model not yet downloaded)
        elif now is not None and before != now:
            changed.append(f"model {key} {before} -> {now}")
    if old.benchmark.get("hash") != new.benchmark.get("hash"):
        changed.append("benchmark")
    if _sampling_spec(old) != _sampling_spec(new):
        changed.append("sampling")
    backend = dict(old.backend)
    before_b, now_b = _backend_spec(old), _backend_spec(new)
    if before_b and now_b:
        if before_b["name"] != now_b["name"]:
            changed.append(f"backend {before_b['name']} -> {now_b['name']}")
        elif before_b["options"] is None:
            backend["generation_options"] = now_b["options"]  # v1 runs did not separate them
        elif before_b["options"] != now_b["options"]:
            changed.append(f"backend options {before_b['options']} -> {now_b['options']}")
    for name, info in new.templates.items():
        was = old.templates.get(name)
        if was and was.get("hash") != info.get("hash"):
            changed.append(f"template {name}")
    if changed:
        raise AuditError(
            f"{path} holds a run with a different spec ({'; '.join(changed)})",
            "pass --out NEW to start another run, or --overwrite to replace this one",
        )
    return old.replace(model=model, backend=backend, templates={**old.templates, **new.templates})
