"""Raw reads of a run's files for `verify`: every line as written, with its line number.

The store's own readers forgive (a torn last line is skipped, the first record of a key
wins), which is right for resuming and wrong for auditing: `verify` must see what they
forgive. Nothing here writes, repairs or migrates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Key = tuple[str, str, int]
Status = Literal["ok", "warn", "FAIL"]


@dataclass(frozen=True)
class Check:
    """One line of a verification: what was checked, ok/warn/FAIL, and why."""

    name: str
    status: Status
    detail: str
    # A FAIL whose only defect is that records are still to come (an interrupted run):
    # `verify` exits 3 (finish the run) rather than 1 when every failure is of this kind.
    incomplete: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.name, "status": self.status, "detail": self.detail}
        if self.incomplete:
            out["incomplete"] = True
        return out


@dataclass
class Scan:
    """The lines of one JSONL file: parsed records (line number, record), corrupt line
    numbers, and whether the last line is torn (no newline and not valid JSON)."""

    path: Path
    exists: bool = True
    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    corrupt: list[int] = field(default_factory=list)
    torn: bool = False

    def problems(self) -> list[str]:
        """One phrase per defect of the file itself (torn tail, corrupt lines)."""
        out = []
        if self.torn:
            out.append(f"torn last line {len(self.records) + len(self.corrupt) + 1} (a write was cut short)")
        if self.corrupt:
            out.append(f"{len(self.corrupt)} corrupt line(s): {first_of(self.corrupt)}")
        return out


def scan_jsonl(path: Path) -> Scan:
    """Read `path` line by line without forgiving anything; a missing file scans empty."""
    if not path.is_file():
        return Scan(path, exists=False)
    scan = Scan(path)
    data = path.read_bytes()
    lines = data.split(b"\n")
    ends_clean = data.endswith(b"\n") or not data
    if ends_clean:
        lines = lines[:-1]
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if number == len(lines) and not ends_clean:
                scan.torn = True
            else:
                scan.corrupt.append(number)
            continue
        if isinstance(record, dict):
            scan.records.append((number, record))
        else:
            scan.corrupt.append(number)
    return scan


def key_of(record: dict[str, Any]) -> Key | None:
    """(problem_id, template, sample) of a generation or grade record; None when malformed."""
    try:
        return (str(record["problem_id"]), str(record["template"]), int(record["sample"]))
    except (KeyError, TypeError, ValueError):
        return None


def group_by_key(scan: Scan) -> tuple[dict[Key, list[tuple[int, dict[str, Any]]]], list[int]]:
    """Records grouped by key in file order, and the line numbers of records with no key."""
    groups: dict[Key, list[tuple[int, dict[str, Any]]]] = {}
    keyless = []
    for number, record in scan.records:
        key = key_of(record)
        if key is None:
            keyless.append(number)
        else:
            groups.setdefault(key, []).append((number, record))
    return groups, keyless


def read_json(path: Path) -> tuple[Any, str | None]:
    """(object, None) for a readable JSON file, else (None, why)."""
    if not path.is_file():
        return None, f"no {path.name}"
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{path.name} is not valid JSON ({exc})"


def show_key(key: Key) -> str:
    return f"{key[0]}/{key[1]}/{key[2]}"


def first_of(items: Iterable[Any], limit: int = 3) -> str:
    """'a, b, c (+N more)': the first few of a list, for one-line details."""
    items = list(items)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")
