"""The one reader for record files: JSONL / NDJSON, JSON and Parquet, each optionally gzipped
(Parquet compresses itself). Every caller goes through `read_records`: the run store's
append-only files, generation files handed to `grade` and `import`, local benchmark files
and training data.

Formats, by extension (`.gz` is looked through):
- `.jsonl`, `.ndjson`: one JSON object per line; blank lines are ignored.
- `.json`: a list of objects, or an object holding them under "records", "data" or
  "samples", or else under its only list-valued key. A `.json` file that is really JSON
  Lines (a first object followed by more) is read as JSON Lines.
- `.parquet`: the table's rows.
- any other name: JSON when the text starts with "[", JSON Lines when it starts with "{",
  otherwise an unsupported format.

Torn last line. A *torn* line is a last line with no trailing newline that is not valid
JSON (or not valid UTF-8): what kill -9 leaves when it lands in the middle of an append.
- `torn_tail="skip"` (the run store's own append-only files, see `io.jsonl.read_jsonl`):
  the torn line is dropped and counted in `Records.torn_tail_skipped`. Resume depends on
  this, and the next append cuts the torn bytes off (`io.jsonl.repair_tail`).
- `torn_tail="error"` (the default: benchmark and training files, and generation files
  under `--strict`): an AuditError naming the file and line. A torn file is an unfinished
  write, and quietly dropping its last record would change a benchmark's identity or a
  result's denominator. `grade FILE` and `import` read with "skip" and say so on stderr
  (`io.intake.read_user_records`).
A corrupt line anywhere else is always an AuditError naming the file and the line.
"""

from __future__ import annotations

import codecs
import gzip
import json
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from rlvr_audit.core.errors import AuditError

__all__ = ["FORMATS", "RECORD_SUFFIXES", "Records", "TornTail", "read_records"]

TornTail = Literal["error", "skip"]
FORMATS = "JSONL, JSONL.gz, JSON (a list of objects) or Parquet"
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json", ".json.gz", ".parquet")
_LIST_KEYS = ("records", "data", "samples")


class Records(list):
    """The records of one file, in file order (a plain list of dicts), plus how many torn
    last lines were skipped (0 or 1) and which line that was, so that a command can say so,
    and (JSON Lines) the line number of each record, so that a reader can name the line of a
    bad one."""

    def __init__(self, records: Iterable[dict[str, Any]] = (), torn_tail_skipped: int = 0):
        super().__init__(records)
        self.torn_tail_skipped = torn_tail_skipped
        self.torn_line: int | None = None
        self.line_numbers: list[int] = []

    def where(self, index: int) -> str:
        """ "line N" of the record at `index` (JSON Lines), else "record N" (1-based)."""
        if index < len(self.line_numbers):
            return f"line {self.line_numbers[index]}"
        return f"record {index + 1}"


def read_records(path: str | Path, *, torn_tail: TornTail = "error") -> Records:
    """All records of a JSONL / JSON / Parquet file (optionally .gz), as dicts in file order.

    Raises AuditError (one line, with the fix) for a missing or unreadable file, a corrupt
    line, or a record that is not an object; see the module docstring for `torn_tail`."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise AuditError(f"{path} does not exist or is not a file", f"pass an existing {FORMATS} file")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".parquet"]:
        return Records(_read_parquet(path))
    compressed = suffixes[-1:] == [".gz"]
    kind = (suffixes[:-1] if compressed else suffixes)[-1:]
    data = _read_bytes(path, compressed)
    if kind in ([".jsonl"], [".ndjson"]):
        return _from_jsonl(path, data, torn_tail)
    if kind == [".json"]:
        return _from_json(path, data, torn_tail)
    start = data.lstrip()[:1]
    if start == b"[":
        return _from_json(path, data, torn_tail)
    if start == b"{":
        return _from_jsonl(path, data, torn_tail)
    raise AuditError(f"{path} has an unsupported format", f"pass a {FORMATS} file ({', '.join(RECORD_SUFFIXES)})")


def _read_bytes(path: Path, compressed: bool) -> bytes:
    try:
        if compressed:
            with gzip.open(path, "rb") as fh:
                data = fh.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise AuditError(f"cannot read {path}: {_read_failure(exc)}", _read_fix(compressed)) from exc
    return data.removeprefix(codecs.BOM_UTF8)


def _read_failure(exc: BaseException) -> str:
    if isinstance(exc, gzip.BadGzipFile) and str(exc).startswith("Not a gzipped file"):
        return "it is not gzip data, though its name ends in .gz"
    if isinstance(exc, EOFError):
        return "the gzip stream ends early (the file is cut short)"
    if isinstance(exc, (zlib.error, gzip.BadGzipFile)):  # bad deflate data, CRC or length mismatch
        return f"the gzip data is corrupt ({exc})"
    return getattr(exc, "strerror", None) or str(exc)


def _read_fix(compressed: bool) -> str:
    if compressed:
        return "copy or download the file again (`gzip -t FILE` checks one), or pass it uncompressed"
    return f"pass a readable {FORMATS} file"


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
        raise AuditError("reading Parquet needs pyarrow", "pip install pyarrow") from exc
    try:
        return pq.read_table(path).to_pylist()
    except Exception as exc:  # pyarrow raises several unrelated types
        raise AuditError(
            f"cannot read {path} as Parquet ({type(exc).__name__}: {exc})", f"pass a {FORMATS} file"
        ) from exc


def _from_json(path: Path, data: bytes, torn_tail: TornTail) -> Records:
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise AuditError(f"{path} is not UTF-8 text ({exc.reason})", f"pass a UTF-8 {FORMATS} file") from exc
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one whole value, then more: JSON Lines under a .json name
            return _from_jsonl(path, data, torn_tail)
        raise AuditError(f"{path} is not valid JSON ({exc})", f"pass a {FORMATS} file") from exc
    if isinstance(value, dict):
        value = _list_inside(value)
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise AuditError(
            f"{path} holds no list of objects", "pass a JSON list of records, or JSONL (one object a line)"
        )
    return Records(value)


def _list_inside(obj: dict[str, Any]) -> list[Any] | None:
    """The records list of a wrapper object: a conventional key first, else its only list."""
    for key in _LIST_KEYS:
        if isinstance(obj.get(key), list):
            return obj[key]
    lists = [v for v in obj.values() if isinstance(v, list)]
    return lists[0] if len(lists) == 1 else None


def _from_jsonl(path: Path, data: bytes, torn_tail: TornTail) -> Records:
    lines = data.split(b"\n")
    last = len(lines)  # "" when the file ends with a newline, else the unterminated last line
    records = Records()
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except ValueError as exc:  # JSONDecodeError or UnicodeDecodeError (a character cut in two)
            if number != last:
                raise AuditError(
                    f"{path}: line {number} is not valid JSON ({_reason(exc)})", "fix or delete that line"
                ) from exc
            if torn_tail == "skip":
                records.torn_tail_skipped, records.torn_line = 1, number
                break
            raise AuditError(
                f"{path}: line {number}, the last, is cut short (no newline at the end, not valid JSON)",
                "the write that made it was interrupted: delete that line, or finish the job that writes the file",
            ) from exc
        if not isinstance(record, dict):
            raise AuditError(f"{path}: line {number} is not a JSON object", "write one object per line")
        records.append(record)
        records.line_numbers.append(number)
    return records


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    return "not UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc)
