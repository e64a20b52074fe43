"""Reading benchmark rows: local files (JSONL, JSONL.gz, JSON, Parquet, through the one
reader in `io.records`) and the HF hub.

Only raw rows (dicts) come out of here; turning rows into Problems is `benchmarks.rows`.
`datasets` is imported lazily, and only when a hub download is actually attempted.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.records import read_records


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """All rows of a local benchmark file, as dicts, in file order (`io.records`: a torn
    last line is an error, since a benchmark missing its last problem has another identity)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise AuditError(f"benchmark file {path} does not exist", "pass an existing --data-file")
    return read_records(path)


def hub_offline() -> bool:
    """True when the HF hub must not be contacted (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE)."""
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        if os.environ.get(var, "").strip().lower() in {"1", "true", "yes", "on"}:
            return True
    return False


def load_hub_rows(name: str, hub_id: str, revision: str, split: str, config: str | None) -> list[dict[str, Any]]:
    """Rows of a hub dataset at a pinned revision (from the local cache when offline).

    Any failure - offline without a cache, no network, unknown revision - becomes one
    AuditError that names the --data-file way out; nothing retries for long.
    """
    fix = f"pass --data-file FILE (a local JSONL/Parquet copy of {hub_id})"
    offline = hub_offline()
    if offline and not _cache_may_hold(hub_id):
        raise AuditError(f"benchmark '{name}' ({hub_id}) cannot be downloaded (offline)", fix)
    if not offline:
        problem = _hub_unreachable()
        if problem:
            raise AuditError(
                f"benchmark '{name}' ({hub_id}) cannot be downloaded (no network: {problem})",
                f"{fix}; or set HF_HUB_OFFLINE=1 to use a cached copy",
            )
    try:
        import datasets
    except ImportError as exc:
        raise AuditError(
            f"benchmark '{name}' needs the `datasets` package to download {hub_id}",
            f"pip install datasets, or {fix}",
        ) from exc
    try:
        ds = datasets.load_dataset(hub_id, config, split=split, revision=revision)
    except Exception as exc:  # network, cache and hub errors come in many types
        why = "offline" if offline else f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        raise AuditError(f"benchmark '{name}' ({hub_id}) cannot be downloaded ({why})", fix) from exc
    return [dict(row) for row in ds]


def _hub_unreachable(timeout: float = 3.0) -> str | None:
    """Why the hub cannot be reached, or None. One quick TCP probe, because `datasets`
    retries for ~25 s before it gives up on a machine without a network."""
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    parsed = urlparse(endpoint)
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{host}: {exc.strerror or exc}"


def _cache_may_hold(hub_id: str) -> bool:
    """Cheap check whether the datasets/hub caches could hold `hub_id` at all.

    Offline, `datasets` otherwise spends seconds importing and probing before failing.
    """
    folder = "datasets--" + hub_id.replace("/", "--")
    short = hub_id.replace("/", "___")
    hf_home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    candidates = [
        Path(os.environ.get("HF_HUB_CACHE", hf_home / "hub")) / folder,
        Path(os.environ.get("HF_DATASETS_CACHE", hf_home / "datasets")) / short,
        Path(os.environ.get("HF_DATASETS_CACHE", hf_home / "datasets")) / short.lower(),
    ]
    return any(p.exists() for p in candidates)
