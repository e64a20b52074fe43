"""The per-item grades file of `grade FILE`: merged across profiles, refused when it
belongs to another input, written atomically."""

from __future__ import annotations

import hashlib
import json

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.workflows.item_grades import INPUT_KEY, merge_lines, plan_targets, read_existing, write_lines_atomic


def _line(index, **grades):
    return {"index": index, "id": f"p{index}", "group": "g", INPUT_KEY: "h", "grades": grades}


def test_profiles_graded_now_replace_theirs_and_keep_the_others():
    old = [_line(0, dapo="old", ttrl="old"), _line(1, dapo="old", ttrl="old"), _line(2, dapo="old")]
    new = [_line(0, ttrl="new"), _line(1, ttrl="new")]
    merged = merge_lines(old, new, ["ttrl"])
    assert [(line["index"], line["grades"]) for line in merged] == [
        (0, {"dapo": "old", "ttrl": "new"}),
        (1, {"dapo": "old", "ttrl": "new"}),
        (2, {"dapo": "old"}),
    ]


def test_a_line_left_with_no_grades_goes_and_new_indices_come_in_order():
    merged = merge_lines([_line(1, ttrl="old")], [_line(3, ttrl="new"), _line(0, ttrl="new")], ["ttrl"])
    assert [(line["index"], line["grades"]) for line in merged] == [(0, {"ttrl": "new"}), (3, {"ttrl": "new"})]


def _write(path, lines):
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def test_an_existing_grades_file_of_this_input_is_read(tmp_path):
    gen = tmp_path / "gen.jsonl"
    gen.write_text('{"id": "p0"}\n', encoding="utf-8")
    target = plan_targets([gen], None)[gen]
    assert target.path == tmp_path / "gen.grades.jsonl"
    assert target.sha256 == hashlib.sha256(gen.read_bytes()).hexdigest()
    line = {**_line(0, dapo={}), INPUT_KEY: target.sha256}
    _write(target.path, [line])
    assert read_existing(target) == [line]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({**_line(0, dapo={}), INPUT_KEY: "another"}, "holds grades of another input, not of"),
        ({"index": 0, "grades": {"dapo": {}}}, "does not say which input its grades are of"),
        ({"problem_id": "p0", "status": "correct"}, "line 1 is not a per-item grade of `rlvr-audit grade`"),
    ],
)
def test_a_grades_file_of_another_input_is_refused_before_grading(tmp_path, line, message):
    gen = tmp_path / "gen.jsonl"
    gen.write_text('{"id": "p0"}\n', encoding="utf-8")
    _write(tmp_path / "gen.grades.jsonl", [line])
    with pytest.raises(AuditError, match=message) as info:
        plan_targets([gen], None)
    assert "delete" in info.value.fix and "--out DIR" in info.value.fix


def test_two_inputs_for_one_grades_file_are_refused(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "a.jsonl.gz"
    a.write_text("{}\n", encoding="utf-8")
    b.write_bytes(b"")
    with pytest.raises(AuditError, match="would both write their per-item grades to"):
        plan_targets([a, b], None)


def test_the_atomic_write_leaves_no_temp_file(tmp_path):
    path = tmp_path / "sub" / "g.grades.jsonl"
    write_lines_atomic(path, [_line(0, dapo={})])
    write_lines_atomic(path, [_line(1, dapo={})])
    assert [json.loads(s)["index"] for s in path.read_text().splitlines()] == [1]
    assert [p.name for p in path.parent.iterdir()] == ["g.grades.jsonl"]
