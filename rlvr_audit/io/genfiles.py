"""Read files of generations that other tools wrote (JSONL, JSONL.gz, JSON, Parquet) and
find the fields that hold the completion, the gold answer and the solution."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError

COMPLETION_FIELDS = ("completion", "response", "output", "generation", "model_output", "text")
ANSWER_FIELDS = ("answer", "gold", "ground_truth", "target", "expected_answer")
SOLUTION_FIELDS = ("solution",)

_FORMATS = "JSONL, JSONL.gz, JSON (a list of objects) or Parquet"


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Records of a generations file, by extension: .jsonl/.ndjson (optionally .gz), .json
    (a list of objects, or one object with a list under "records"/"data"), .parquet."""
    path = Path(path)
    if not path.is_file():
        raise AuditError(f"{path} does not exist or is not a file", "pass an existing file of generations")
    suffixes = [s.lower() for s in path.suffixes]
    try:
        if suffixes and suffixes[-1] == ".parquet":
            return _read_parquet(path)
        compressed = bool(suffixes) and suffixes[-1] == ".gz"
        kind = suffixes[-2] if compressed and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
        opener = gzip.open if compressed else open
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            text = fh.read()
    except AuditError:
        raise
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise AuditError(f"cannot read {path} ({type(exc).__name__}: {exc})", f"pass a {_FORMATS} file") from exc
    if kind == ".json" or (kind not in (".jsonl", ".ndjson") and text.lstrip().startswith("[")):
        return _from_json(path, text)
    return _from_jsonl(path, text)


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    except Exception as exc:
        raise AuditError(
            f"cannot read {path} as Parquet ({type(exc).__name__}: {exc})", f"pass a {_FORMATS} file"
        ) from exc


def _from_json(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuditError(f"{path} is not valid JSON ({exc})", f"pass a {_FORMATS} file") from exc
    if isinstance(data, dict):
        data = next((data[k] for k in ("records", "data", "samples") if isinstance(data.get(k), list)), None)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise AuditError(
            f"{path} holds no list of objects", "pass a JSON list of records, or JSONL (one object a line)"
        )
    return data


def _from_jsonl(path: Path, text: str) -> list[dict[str, Any]]:
    records = []
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):  # a truncated last line: the write in flight when killed
                break
            raise AuditError(f"{path}: line {number} is not valid JSON ({exc.msg})", f"pass a {_FORMATS} file") from exc
        if not isinstance(record, dict):
            raise AuditError(f"{path}: line {number} is not a JSON object", "write one object per line")
        records.append(record)
    return records


def pick_field(records: Sequence[dict[str, Any]], preferred: str | None, candidates: Sequence[str], role: str) -> str:
    """The field that holds `role` ("completion", "answer", "solution"): `preferred` when
    given (it must exist), else the first of `candidates` present in the first record.
    Raises AuditError naming the fields found and the option to pass (--<role>-field)."""
    found = list(records[0]) if records else []
    option = f"--{role}-field"
    if preferred is not None:
        if preferred in found:
            return preferred
        raise AuditError(
            f"no field '{preferred}' for the {role} (fields found: {', '.join(found) or 'none'})",
            f"pass {option} with one of those",
        )
    for name in candidates:
        if name in found:
            return name
    raise AuditError(
        f"cannot tell which field holds the {role}: none of {', '.join(candidates)} "
        f"(fields found: {', '.join(found) or 'none'})",
        f"pass {option} NAME",
    )
