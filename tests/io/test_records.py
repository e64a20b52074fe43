"""The one record reader: every format, the torn-last-line policy, one-line errors."""

from __future__ import annotations

import gzip
import json

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.records import Records, read_records

RECORDS = [{"id": "a", "text": "é ∑"}, {"id": "b", "text": "y"}]
JSONL = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS)


def _parquet(path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(RECORDS), path)


def _gz(path, text):
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)


# file name -> what to write there; every one must read back as RECORDS
FORMATS = {
    "r.jsonl": JSONL,
    "r.ndjson": JSONL,
    "r.jsonl.gz": lambda p: _gz(p, JSONL),
    "r.ndjson.gz": lambda p: _gz(p, JSONL),
    "r.json": json.dumps(RECORDS),
    "r.json.gz": lambda p: _gz(p, json.dumps(RECORDS)),
    "wrapped.json": json.dumps({"meta": {"n": 2}, "records": RECORDS, "other": [1]}),
    "only-list.json": json.dumps({"meta": "x", "test": RECORDS}),
    "lines.json": JSONL,  # JSON Lines under a .json name
    "r.parquet": _parquet,
    "no-newline.jsonl": JSONL.rstrip("\n"),  # a whole last line without "\n" is no torn line
    "blank-lines.jsonl": "\n" + JSONL.replace("\n", "\n\n"),
    "bom.jsonl": "\ufeff" + JSONL,
    "odd-name.txt": JSONL,  # unknown extension: sniffed from the first character
    "odd-list.log": json.dumps(RECORDS),
    "odd.gz": lambda p: _gz(p, JSONL),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("torn_tail", ["error", "skip"])
def test_every_format_reads_the_same_records(tmp_path, name, torn_tail):
    path = tmp_path / name
    content = FORMATS[name]
    if callable(content):
        content(path)
    else:
        path.write_text(content, encoding="utf-8")
    records = read_records(path, torn_tail=torn_tail)
    assert records == RECORDS and isinstance(records, Records)
    assert records.torn_tail_skipped == 0


# content of a .jsonl file -> (records read with torn_tail="skip", skipped count);
# with torn_tail="error" each torn case raises naming the last line instead.
TORN_CASES = {
    "torn-object": ('{"a": 1}\n{"a": 2}\n{"a": 3, "b"', [{"a": 1}, {"a": 2}], 1),
    "only-line-torn": ('{"a"', [], 1),
    "torn-utf8": (b'{"a": 1}\n{"a": "\xc3', [{"a": 1}], 1),  # a character cut in two
    "whole-tail": ('{"a": 1}\n{"a": 2}', [{"a": 1}, {"a": 2}], 0),
    "empty": ("", [], 0),
}


@pytest.mark.parametrize("case", sorted(TORN_CASES))
def test_torn_last_line_policy(tmp_path, case):
    content, expected, skipped = TORN_CASES[case]
    path = tmp_path / "g.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    records = read_records(path, torn_tail="skip")
    assert (list(records), records.torn_tail_skipped) == (expected, skipped)
    if skipped:
        lines = len(path.read_bytes().split(b"\n"))
        with pytest.raises(AuditError, match=rf"g.jsonl: line {lines}, the last, is cut short") as info:
            read_records(path)  # the default: a file a user hands us
        assert "interrupted" in info.value.fix
    else:
        assert read_records(path) == expected


@pytest.mark.parametrize("torn_tail", ["error", "skip"])
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.jsonl", None, "does not exist"),
        ("bad.jsonl", '{"a": 1}\nnot json\n{"a": 2}\n', "line 2 is not valid JSON"),
        ("bad-last.jsonl", '{"a": 1}\nnot json\n', "line 2 is not valid JSON"),  # ends in "\n": not torn
        ("bad-utf8.jsonl", b'{"a": "\xff"}\n{"a": 2}\n', "line 1 is not valid JSON .not UTF-8"),
        ("scalar.jsonl", "3\n", "line 1 is not a JSON object"),
        ("scalar-last.jsonl", '{"a": 1}\n3', "line 2 is not a JSON object"),
        ("bad.json", '{"a": ', "not valid JSON"),
        ("dict.json", '{"a": 1}', "no list of objects"),
        ("two-lists.json", '{"a": [{}], "b": [{}]}', "no list of objects"),
        ("scalars.json", "[1, 2]", "no list of objects"),
        ("bad.parquet", "not parquet", "cannot read"),
        ("bad.jsonl.gz", "not gzip", "cannot read"),
        ("data.csv", "a,b\n1,2\n", "unsupported format"),
    ],
)
def test_bad_files_raise_one_line_audit_error(tmp_path, name, content, message, torn_tail):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(AuditError, match=message) as info:
        read_records(path, torn_tail=torn_tail)
    assert "\n" not in info.value.one_line() and info.value.fix
    if content is not None:
        assert name in info.value.message  # names the file


def test_cut_off_gzip_stream_is_an_error(tmp_path):
    full = tmp_path / "full.jsonl.gz"
    _gz(full, JSONL * 50)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(full.read_bytes()[:-20])
    with pytest.raises(AuditError, match="cannot read"):
        read_records(cut, torn_tail="skip")
