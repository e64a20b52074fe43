"""Reading generation files and finding their fields."""

from __future__ import annotations

import gzip
import json

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.genfiles import ANSWER_FIELDS, COMPLETION_FIELDS, pick_field, read_records

RECORDS = [{"id": "a", "response": "x", "gold": "1"}, {"id": "b", "response": "y", "gold": "2"}]


def _write(path, kind):
    if kind == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    elif kind == "jsonl.gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in RECORDS)
    elif kind == "json":
        path.write_text(json.dumps(RECORDS), encoding="utf-8")
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(RECORDS), path)


@pytest.mark.parametrize("kind", ["jsonl", "jsonl.gz", "json", "parquet"])
def test_read_records_by_extension(tmp_path, kind):
    path = tmp_path / f"gen.{kind}"
    _write(path, kind)
    assert read_records(path) == RECORDS


def test_truncated_last_line_is_skipped(tmp_path):
    path = tmp_path / "gen.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n" + '{"id": "b", "resp', encoding="utf-8")
    assert read_records(path) == RECORDS[:1]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.jsonl", None, "does not exist"),
        ("bad.jsonl", '{"a": 1}\nnot json\n{"a": 2}\n', "line 2 is not valid JSON"),
        ("scalar.jsonl", "3\n", "line 1 is not a JSON object"),
        ("bad.json", '{"a": ', "not valid JSON"),
        ("dict.json", '{"a": 1}', "no list of objects"),
        ("bad.parquet", "not parquet", "cannot read"),
        ("bad.jsonl.gz", "not gzip", "cannot read"),
    ],
)
def test_unreadable_files_raise_one_line_audit_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(AuditError, match=message) as info:
        read_records(path)
    assert "\n" not in info.value.one_line()


@pytest.mark.parametrize(
    "preferred, candidates, role, expected",
    [
        (None, COMPLETION_FIELDS, "completion", "response"),
        (None, ANSWER_FIELDS, "answer", "gold"),
        ("id", COMPLETION_FIELDS, "completion", "id"),
    ],
)
def test_pick_field(preferred, candidates, role, expected):
    assert pick_field(RECORDS, preferred, candidates, role) == expected


@pytest.mark.parametrize(
    "preferred, role, option",
    [(None, "solution", "--solution-field"), ("nope", "completion", "--completion-field")],
)
def test_pick_field_names_found_fields_and_option(preferred, role, option):
    with pytest.raises(AuditError) as info:
        pick_field(RECORDS, preferred, ("solution",), role)
    line = info.value.one_line()
    assert "id, response, gold" in line and option in line
