"""Append-only JSON Lines files that survive kill -9.

A writer appends one complete line per record and flushes; `read_jsonl` (the one reader,
`io.records`, with its store policy) skips a torn last line, the record in flight when the
process died. Before appending to a file whose last line is torn, the partial line is cut
off so the next record starts cleanly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.records import Records, read_records


def read_jsonl(path: str | Path) -> Records:
    """Records of an append-only JSONL file this tool writes (run store): none when the file
    does not exist yet, and a torn last line skipped (`io.records` states the policy)."""
    path = Path(path)
    if not path.exists():
        return Records()
    return read_records(path, torn_tail="skip")


def repair_tail(path: str | Path) -> None:
    """Cut a partial last line (no trailing newline) so appends start on a fresh line."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return
        fh.seek(0)
        data = fh.read()
        cut = data.rfind(b"\n") + 1  # 0 when the only line is partial
        fh.truncate(cut)


class JsonlAppender:
    """Appends records as complete lines; `flush()` pushes them to the OS (and disk)."""

    def __init__(self, path: str | Path, *, fsync: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_tail(self.path)
        self._fh = self.path.open("a", encoding="utf-8")
        self._fsync = fsync

    def write(self, record: dict[str, Any]) -> None:
        # One write call per line keeps a record whole unless the process dies mid-call.
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def write_many(self, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            self.write(record)
        self.flush()

    def flush(self) -> None:
        self._fh.flush()
        if self._fsync:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self.flush()
            self._fh.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_json_file(path: str | Path, *, fix: str) -> Any:
    """One JSON document (run.json, probe.json, ...); an unreadable file, bytes that are not
    UTF-8, or text that is not JSON is an AuditError naming the file, what is wrong, and `fix`."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise AuditError(f"cannot read {path} ({exc.strerror or exc})", fix) from exc
    except UnicodeDecodeError as exc:
        raise AuditError(f"{path} is not UTF-8 text (byte {exc.start}: {exc.reason})", fix) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuditError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})", fix) from exc


def write_json_atomic(path: str | Path, obj: Any) -> None:
    """Write JSON via a temp file + rename, so readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
