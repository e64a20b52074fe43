"""Taking in a user's record file (io.intake): a torn last line kept out with a warning or
refused, duplicated keys and conflicting golds refused or settled by --dedupe, completions
that are not text refused; each naming the file and the lines."""

from __future__ import annotations

import json

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.intake import Intake, RecordKey, drop_duplicates, read_user_records, require_text, settle_golds
from rlvr_audit.io.records import Records


def _jsonl(path, records, tail=""):
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


def _records(rows):
    records = Records(rows)
    records.line_numbers = list(range(1, len(rows) + 1))
    return records


# --- torn last line -------------------------------------------------------------------------------


def test_torn_last_line_is_kept_out_and_reported(tmp_path):
    path = _jsonl(tmp_path / "g.jsonl", [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}], tail='{"a": 5, "b')
    said = []
    records = read_user_records(path, Intake(), said.append)
    assert list(records) == [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}]
    assert said == [f"{path}: line 5 is torn (an unfinished write); 1 record kept out — pass --strict to refuse"]


def test_torn_last_line_is_refused_under_strict(tmp_path):
    path = _jsonl(tmp_path / "g.jsonl", [{"a": 1}], tail='{"a": 2')
    said = []
    with pytest.raises(AuditError) as info:
        read_user_records(path, Intake(strict=True), said.append)
    assert info.value.one_line().startswith(f"{path}: line 2, the last, is torn (an unfinished write")
    assert "delete that line" in info.value.fix and said == []


@pytest.mark.parametrize("strict", [False, True])
def test_whole_files_pass_without_a_word(tmp_path, strict):
    path = _jsonl(tmp_path / "g.jsonl", [{"a": 1}, {"a": 2}])
    said = []
    assert list(read_user_records(path, Intake(strict=strict), said.append)) == [{"a": 1}, {"a": 2}]
    assert said == []


def test_a_corrupt_middle_line_is_an_error_even_without_strict(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"a": 1}\nnot json\n{"a": 3}\n', encoding="utf-8")
    with pytest.raises(AuditError, match="line 2 is not valid JSON"):
        read_user_records(path, Intake(), [].append)


# --- completions that are not text ----------------------------------------------------------------

# value -> how the message describes it (None: the value is accepted as is)
TEXT_CASES = [
    ("Answer: 3", None),
    ("", None),  # empty text is text: grading says no_answer
    (3, "is a number (3), not text"),
    (2.5, "is a number (2.5), not text"),
    (True, "is true/false (true), not text"),
    (["a", "b"], 'is a list (["a", "b"]), not text'),
    ({"text": "x"}, 'is an object ({"text": "x"}), not text'),
    (None, "is null"),
]


@pytest.mark.parametrize(("value", "described"), TEXT_CASES, ids=[repr(v) for v, _ in TEXT_CASES])
def test_require_text(value, described):
    records = _records([{"completion": "fine"}, {"completion": value}])
    if described is None:
        assert (
            require_text(records, 1, "completion", "f.jsonl", role="completion", option="--completion-field") == value
        )
        return
    with pytest.raises(AuditError) as info:
        require_text(records, 1, "completion", "f.jsonl", role="completion", option="--completion-field")
    assert info.value.message == f"f.jsonl: line 2: the completion 'completion' {described}"
    assert "--completion-field" in info.value.fix


def test_require_text_names_a_missing_field():
    with pytest.raises(AuditError) as info:
        require_text(_records([{"text": "x"}]), 0, "completion", "f.jsonl", role="completion", option="--x")
    assert info.value.message == "f.jsonl: line 1: the completion 'completion' is missing"


# --- duplicates ----------------------------------------------------------------------------------


def _keyed(ids_samples):
    return [RecordKey(i, s) for i, s in ids_samples]


def test_two_records_with_one_key_are_an_error_naming_both_lines():
    records = _records([{"n": 1}, {"n": 2}, {"n": 3}])
    keys = _keyed([("x", "0"), ("y", "0"), ("x", "0")])
    with pytest.raises(AuditError) as info:
        drop_duplicates(records, keys, "f.jsonl", Intake(), [].append)
    assert info.value.one_line() == (
        "f.jsonl: lines 1 and 3 both hold id 'x' sample 0; pass --dedupe first|last to keep one"
    )


@pytest.mark.parametrize(("mode", "kept"), [("first", [0, 1, 3]), ("last", [1, 2, 3])])
def test_dedupe_keeps_the_first_or_last_and_says_how_many_went(mode, kept):
    records = _records([{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}])
    keys = _keyed([("x", "0"), ("y", "0"), ("x", "0"), ("x", "1")])
    said = []
    assert drop_duplicates(records, keys, "f.jsonl", Intake(dedupe=mode), said.append) == kept
    assert said == [
        f"f.jsonl: 1 duplicate record dropped, --dedupe {mode} kept the {mode} of each "
        "(e.g. lines 1 and 3 both hold id 'x' sample 0)"
    ]


def test_three_copies_and_more_keys_are_counted():
    records = _records([{}] * 5)
    keys = [RecordKey("x", "0", (("group", "g"),))] * 3 + [RecordKey("y", "0")] * 2
    with pytest.raises(AuditError) as info:
        drop_duplicates(records, keys, "f.jsonl", Intake(), [].append)
    assert info.value.message == (
        "f.jsonl: lines 1, 2 and 3 all hold id 'x' sample 0 (group 'g') (1 more keys are duplicated)"
    )
    said = []
    assert drop_duplicates(records, keys, "f.jsonl", Intake(dedupe="last"), said.append) == [2, 4]
    assert said[0].startswith("f.jsonl: 3 duplicate records dropped")


def test_records_without_a_key_are_kept():
    records = _records([{"n": 1}, {"n": 1}])
    assert drop_duplicates(records, [None, None], "f.jsonl", Intake(), [].append) == [0, 1]


def test_positional_samples_a_repeated_record_that_adds_a_sample_is_a_duplicate():
    rows = [{"id": "a", "c": "1"}, {"id": "b", "c": "2"}, {"id": "a", "c": "1"}, {"id": "c", "c": "3"}]
    keys = [RecordKey(r["id"]) for r in rows]
    with pytest.raises(AuditError) as info:
        drop_duplicates(_records(rows), keys, "f.jsonl", Intake(), [].append, sample_hint="or add samples")
    assert info.value.one_line() == (
        "f.jsonl: lines 1 and 3 hold the same record of id 'a', which makes 2 samples where most ids have 1; "
        "pass --dedupe first|last to keep one, or add samples"
    )
    assert drop_duplicates(_records(rows), keys, "f.jsonl", Intake(dedupe="first"), [].append) == [0, 1, 3]


def test_positional_samples_identical_samples_of_an_even_file_are_samples():
    # sampled outputs repeat: every id has 3 samples, some identical; nothing is dropped
    rows = [{"id": i, "c": "same"} for i in "abc" for _ in range(3)]
    keys = [RecordKey(r["id"]) for r in rows]
    assert drop_duplicates(_records(rows), keys, "f.jsonl", Intake(), [].append) == list(range(9))


def test_positional_samples_an_extra_record_that_differs_is_no_duplicate():
    rows = [{"id": "a", "c": "1"}, {"id": "a", "c": "2"}, {"id": "b", "c": "1"}, {"id": "c", "c": "1"}]
    keys = [RecordKey(r["id"]) for r in rows]
    assert drop_duplicates(_records(rows), keys, "f.jsonl", Intake(), [].append) == [0, 1, 2, 3]


def test_positional_samples_only_the_surplus_is_dropped():
    # most ids have 2 samples; 'a' has 3 identical ones: one is a duplicate, two are samples
    rows = [{"id": "a"}] * 3 + [{"id": "b", "k": 1}, {"id": "b", "k": 2}, {"id": "c", "k": 1}, {"id": "c", "k": 2}]
    keys = [RecordKey(r["id"]) for r in rows]
    assert drop_duplicates(_records(rows), keys, "f.jsonl", Intake(dedupe="first"), [].append) == [0, 1, 3, 4, 5, 6]
    assert drop_duplicates(_records(rows), keys, "f.jsonl", Intake(dedupe="last"), [].append) == [1, 2, 3, 4, 5, 6]


def test_positional_scopes_are_counted_apart():
    # run r1 has 1 sample per id, run r2 has 2: neither is a surplus
    rows = [{"id": "a", "run": "r1"}, {"id": "a", "run": "r2"}, {"id": "a", "run": "r2"}]
    keys = [RecordKey(r["id"], scope=(("run", r["run"]),)) for r in rows]
    assert drop_duplicates(_records(rows), keys, "f.jsonl", Intake(), [].append) == [0, 1, 2]


# --- conflicting golds ----------------------------------------------------------------------------


def _gold_items(golds):
    return [(i, RecordKey(pid), gold) for i, (pid, gold) in enumerate(golds)]


def test_agreeing_golds_map_each_record_to_itself():
    items = _gold_items([("a", "1"), ("b", "2"), ("a", "1")])
    assert settle_golds(_records([{}] * 3), items, "f.jsonl", Intake(), [].append) == {0: 0, 1: 1, 2: 2}


def test_conflicting_golds_are_an_error_naming_both_lines():
    items = _gold_items([("a", "1"), ("b", "2"), ("a", "3"), ("b", "4")])
    with pytest.raises(AuditError) as info:
        settle_golds(_records([{}] * 4), items, "f.jsonl", Intake(), [].append)
    assert info.value.message == (
        "f.jsonl: lines 1 and 3 give id 'a' different gold answers ('1' and '3') (1 more ids have conflicting golds)"
    )
    assert "--dedupe first|last" in info.value.fix


@pytest.mark.parametrize(
    ("mode", "source", "said"),
    [
        ("first", {0: 0, 1: 1, 2: 0}, "(e.g. id 'a': '1' from line 1, not '3')"),
        ("last", {0: 2, 1: 1, 2: 2}, "(e.g. id 'a': '3' from line 3, not '1')"),
    ],
)
def test_dedupe_grades_an_id_against_its_first_or_last_gold(mode, source, said):
    items = _gold_items([("a", "1"), ("b", "2"), ("a", "3")])
    notes = []
    assert settle_golds(_records([{}] * 3), items, "f.jsonl", Intake(dedupe=mode), notes.append) == source
    assert notes == [
        f"f.jsonl: 1 id with conflicting gold answers, --dedupe {mode} grades each against its {mode} gold {said}"
    ]


def test_dedupe_must_be_first_or_last():
    with pytest.raises(AuditError, match="--dedupe 'middle' is not first or last"):
        Intake(dedupe="middle")
