"""Reading benchmark rows: local files (JSONL, JSONL.gz, JSON, Parquet) and the HF hub.

Only raw rows (dicts) come out of here; turning rows into Problems is `benchmarks_rows`.
`datasets` is imported lazily, and only when a hub download is actually attempted.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rlvr_audit.core.errors import AuditError

FILE_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".json.gz", ".parquet")


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """All rows of a local benchmark file, as dicts, in file order."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise AuditError(f"benchmark file {path} does not exist", "pass an existing --data-file")
    name = path.name.lower()
    if name.endswith(".parquet"):
        return _read_parquet(path)
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return _read_jsonl(path)
    if name.endswith((".json", ".json.gz")):
        return _read_json(path)
    raise AuditError(
        f"benchmark file {path} has an unsupported format",
        f"use one of: {', '.join(FILE_SUFFIXES)}",
    )


def _open_text(path: Path):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        with _open_text(path) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise AuditError(
                        f"{path}:{lineno} is not valid JSON ({exc.msg})",
                        "fix that line or pass a valid JSONL file",
                    ) from exc
                if not isinstance(row, dict):
                    raise AuditError(f"{path}:{lineno} is not a JSON object", "write one object per line")
                rows.append(row)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise AuditError(f"cannot read {path} ({exc})", "pass a UTF-8 JSONL file") from exc
    return rows


def _read_json(path: Path) -> list[dict[str, Any]]:
    try:
        with _open_text(path) as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise AuditError(f"cannot read {path} ({exc})", "pass a UTF-8 JSON file") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # Many ".json" benchmark files are really JSON Lines.
        return _read_jsonl(path)
    if isinstance(data, dict):
        # {"data": [...]}, {"test": [...]}, ...: take the one list of objects.
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise AuditError(
                f"{path} holds a JSON object, not a list of problems",
                "pass a JSON list of objects (or JSONL)",
            )
        data = lists[0]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise AuditError(f"{path} is not a list of JSON objects", "pass a JSON list of objects")
    return data


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
        raise AuditError("reading Parquet needs pyarrow", "pip install pyarrow") from exc
    try:
        return pq.read_table(path).to_pylist()
    except Exception as exc:  # pyarrow raises several unrelated types
        raise AuditError(f"cannot read Parquet file {path} ({exc})", "pass a valid file") from exc


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
