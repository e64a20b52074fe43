import json

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.jsonl import JsonlAppender, read_jsonl, repair_tail, write_json_atomic


def test_truncated_last_line_is_skipped_and_counted(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": 3, "b"')
    records = read_jsonl(path)
    assert [r["a"] for r in records] == [1, 2] and records.torn_tail_skipped == 1


def test_corrupt_middle_line_raises_with_line_number(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"a": 1}\nnot json\n{"a": 3}\n')
    with pytest.raises(AuditError, match="g.jsonl: line 2"):
        list(read_jsonl(path))


@pytest.mark.parametrize(
    "content, expected",
    [
        ('{"a": 1}\n{"a": 2', '{"a": 1}\n'),
        ('{"a": 1}\n', '{"a": 1}\n'),
        ('{"a"', ""),
        ("", ""),
    ],
)
def test_repair_tail_cuts_only_a_partial_line(tmp_path, content, expected):
    path = tmp_path / "g.jsonl"
    path.write_text(content)
    repair_tail(path)
    assert path.read_text() == expected


def test_appender_after_crash_starts_on_a_fresh_line(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"a": 1}\n{"a": 2')  # killed mid-write
    with JsonlAppender(path) as out:
        out.write_many([{"a": 3}])
    assert [r["a"] for r in read_jsonl(path)] == [1, 3]


def test_missing_file_reads_as_empty(tmp_path):
    assert list(read_jsonl(tmp_path / "none.jsonl")) == []


def test_write_json_atomic_leaves_no_temp_file(tmp_path):
    path = tmp_path / "m.json"
    write_json_atomic(path, {"x": [1, 2]})
    assert json.loads(path.read_text()) == {"x": [1, 2]}
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
