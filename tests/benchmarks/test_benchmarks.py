"""Benchmarks: registry, local files (shared data and synthetic), field mapping, identity."""

from __future__ import annotations

import gzip
import json
import time

import pytest

from rlvr_audit.benchmarks import registry
from rlvr_audit.benchmarks.registry import (
    describe_benchmarks,
    get_spec,
    load_benchmark,
)
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.latex import boxed_content

# name -> (file in ../shared/data/benchmarks, size, first id, first answer)
SHARED = {
    "math500": ("math500.jsonl", 500, "test/precalculus/807.json", r"\left( 3, \frac{\pi}{2} \right)"),
    "aime24": ("aime24.jsonl", 30, "aime24-60", "204"),
    "amc23": ("amc23.jsonl", 40, "amc23-0", "27.0"),
    "minerva": ("minerva_math.jsonl", 272, "minerva-0", "1.6"),
    "olympiadbench": ("olympiadbench.jsonl", 675, "olympiadbench-1606", "2"),
    "gsm8k": ("gsm8k.jsonl", 1319, "gsm8k-0", "18"),
}


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_benchmark_files_load(shared_data, name):
    file, size, first_id, first_answer = SHARED[name]
    path = shared_data / "benchmarks" / file
    bench = load_benchmark(name, data_file=path)
    assert bench.size == size == len(bench.problems)
    assert bench.source == str(path) and bench.revision is None
    first = bench.problems[0]
    assert (first.id, first.answer) == (first_id, first_answer)
    assert len({p.id for p in bench.problems}) == size
    assert all(p.question.strip() and p.answer for p in bench.problems)
    assert bench.identity == {"name": name, "size": size, "hash": bench.hash}
    if name == "math500":
        assert first.solution and first.meta["subject"] == "Precalculus"
        # MATH-500's answer equals the last \boxed{} of its solution for every problem.
        assert all(boxed_content(p.solution) == p.answer for p in bench.problems)


@pytest.mark.shared
def test_shared_special_answers(shared_data):
    root = shared_data / "benchmarks"
    gsm = load_benchmark("gsm8k", data_file=root / "gsm8k.jsonl", limit=3)
    assert gsm.size == 3
    assert "####" not in gsm.problems[0].answer
    assert gsm.problems[0].solution.startswith("Janet sells")
    oly = load_benchmark("olympiadbench", data_file=root / "olympiadbench.jsonl")
    multi = [p for p in oly.problems if p.meta.get("is_multiple_answer")]
    assert multi and all(isinstance(p.answer, str) for p in multi)
    assert isinstance(oly.problems[0].meta["answer_raw"], list)
    amc = load_benchmark("amc23", data_file=root / "amc23.jsonl")
    assert amc.problems[0].meta["answer_raw"] == 27.0


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [
    {"problem": "1+1?", "answer": "2", "unique_id": "a/1"},
    {"problem": "2+2?", "answer": "4", "unique_id": "a/2"},
]


def _write_format(tmp_path, fmt):
    if fmt == "jsonl":
        return _jsonl(tmp_path / "d.jsonl", ROWS)
    if fmt == "jsonl.gz":
        path = tmp_path / "d.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in ROWS)
        return path
    if fmt == "json":
        path = tmp_path / "d.json"
        path.write_text(json.dumps(ROWS), encoding="utf-8")
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), path)
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz", "json", "parquet"])
def test_file_formats_give_identical_benchmarks(tmp_path, fmt):
    bench = load_benchmark("math500", data_file=_write_format(tmp_path, fmt))
    assert [(p.id, p.question, p.answer) for p in bench.problems] == [
        ("a/1", "1+1?", "2"),
        ("a/2", "2+2?", "4"),
    ]
    reference = load_benchmark("math500", data_file=_write_format(tmp_path, "jsonl"))
    assert bench.hash == reference.hash


# (rows, fields, expected (id, question, answer, solution) of the first problem)
MAPPING_CASES = {
    "aliases": (
        [{"prompt": "Q", "expected_answer": "5", "idx": 7}],
        None,
        ("custom-7", "Q", "5", None),
    ),
    "explicit-fields": (
        [{"text": "Q", "label": " 5 ", "solution": "S"}],
        {"question": "text", "answer": "label"},
        ("custom-0", "Q", "5", "S"),
    ),
    "hash-answer": (
        [{"question": "Q", "answer": "work\n#### 1,200"}],
        None,
        ("custom-0", "Q", "1,200", "work"),
    ),
    "list-answer": (
        [{"question": "Q", "final_answer": ["$1$", "$2$"], "solution": ["a", "b"]}],
        None,
        ("custom-0", "Q", "$1$, $2$", "a\n\nb"),
    ),
    "float-answer": ([{"problem": "Q", "answer": 142.0}], None, ("custom-0", "Q", "142.0", None)),
    "int-answer": ([{"problem": "Q", "answer": 7}], None, ("custom-0", "Q", "7", None)),
}


@pytest.mark.parametrize("case", sorted(MAPPING_CASES))
def test_field_mapping_and_answer_conventions(tmp_path, case):
    rows, fields, expected = MAPPING_CASES[case]
    bench = load_benchmark("custom", data_file=_jsonl(tmp_path / "c.jsonl", rows), fields=fields)
    p = bench.problems[0]
    assert (p.id, p.question, p.answer, p.solution) == expected


def test_minerva_answer_from_last_box(tmp_path):
    rows = [{"problem": "Q", "solution": r"so $x=\boxed{\frac{1}{2}}$ and \boxed{4.5e33} W"}]
    bench = load_benchmark("minerva", data_file=_jsonl(tmp_path / "m.jsonl", rows))
    assert bench.problems[0].answer == "4.5e33"
    assert bench.problems[0].meta["answer_source"] == "solution_last_boxed"


# solution -> the gold answer taken from it (written by hand). `\fbox` counts only when
# there is no `\boxed` at all, as in hendrycks MATH and so in every grader.
LAST_BOX_CASES = {
    "boxed-then-fbox": (r"first \boxed{3} then \fbox{4}", "3"),
    "fbox-then-boxed": (r"first \fbox{4} then \boxed{3}", "3"),
    "fbox-only": (r"only \fbox{ 4 }", "4"),
    "nested": (r"\boxed{1} and \boxed{\frac{1}{2}}", r"\frac{1}{2}"),
}


@pytest.mark.parametrize("case", sorted(LAST_BOX_CASES))
def test_answer_from_solution_uses_the_graders_last_box(tmp_path, case):
    solution, expected = LAST_BOX_CASES[case]
    bench = load_benchmark("minerva", data_file=_jsonl(tmp_path / "m.jsonl", [{"problem": "Q", "solution": solution}]))
    assert bench.problems[0].answer == expected


def test_torn_last_line_of_a_benchmark_file_is_an_error(tmp_path):
    path = tmp_path / "torn.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + '{"problem": "2+2?", "ans', encoding="utf-8")
    with pytest.raises(AuditError, match="torn.jsonl: line 2, the last, is cut short"):
        load_benchmark("math500", data_file=path)


ERROR_CASES = {
    "wrong-field": ([{"problem": "Q", "answer": "1"}], {"answer": "gold"}, "fields found: answer, problem"),
    "no-question": ([{"body": "Q", "answer": "1"}], None, "fields found: answer, body"),
    "no-answer": ([{"problem": "Q"}], None, "no answer field"),
    "dup-ids": ([{"problem": "Q", "answer": "1", "id": 1}] * 2, None, "appears twice"),
    "bad-role": ([{"problem": "Q", "answer": "1"}], {"gold": "answer"}, "unknown field role"),
    "empty-answer": ([{"problem": "Q", "answer": ""}], None, "has no answer"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_bad_data_raises_audit_error(tmp_path, case):
    rows, fields, needle = ERROR_CASES[case]
    path = _jsonl(tmp_path / "e.jsonl", rows)
    with pytest.raises(AuditError) as info:
        load_benchmark("custom", data_file=path, fields=fields)
    assert needle in info.value.message


def test_bad_files(tmp_path):
    with pytest.raises(AuditError, match="does not exist"):
        load_benchmark("math500", data_file=tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"problem": "Q", "answer": "1"}\n{oops\n', encoding="utf-8")
    with pytest.raises(AuditError, match=r"bad.jsonl: line 2"):
        load_benchmark("math500", data_file=bad)
    other = tmp_path / "data.csv"
    other.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(AuditError, match="unsupported format"):
        load_benchmark("math500", data_file=other)
    with pytest.raises(AuditError, match="limit"):
        load_benchmark("math500", data_file=bad, limit=0)


def test_identity_hash_tracks_content(tmp_path):
    base = load_benchmark("x", data_file=_jsonl(tmp_path / "a.jsonl", ROWS))
    same = load_benchmark("x", data_file=_jsonl(tmp_path / "b.jsonl", ROWS))
    changed_rows = [ROWS[0], {**ROWS[1], "answer": "5"}]
    changed = load_benchmark("x", data_file=_jsonl(tmp_path / "c.jsonl", changed_rows))
    extra_meta = [{**r, "level": 3} for r in ROWS]  # metadata is not part of the identity
    meta = load_benchmark("x", data_file=_jsonl(tmp_path / "d.jsonl", extra_meta))
    assert base.hash == same.hash == meta.hash
    assert changed.hash != base.hash
    assert load_benchmark("x", data_file=tmp_path / "a.jsonl", limit=1).identity["size"] == 1


def test_offline_hub_load_fails_fast_with_data_file_hint():
    start = time.monotonic()
    with pytest.raises(AuditError) as info:
        load_benchmark("math500")
    assert time.monotonic() - start < 5
    assert "cannot be downloaded (offline)" in info.value.message
    assert "--data-file FILE" in info.value.fix


def test_unknown_benchmark_name():
    with pytest.raises(AuditError) as info:
        load_benchmark("mmlu")
    assert "math500" in info.value.fix and "--data-file" in info.value.fix


def test_registry_and_description():
    names = list(registry.SPECS)
    assert names == ["math500", "aime24", "amc23", "amc", "minerva", "olympiadbench", "gsm8k"]
    sizes = {n: get_spec(n).size for n in names}
    assert sizes == {
        "math500": 500,
        "aime24": 30,
        "amc23": 40,
        "amc": 83,
        "minerva": 272,
        "olympiadbench": 675,
        "gsm8k": 1319,
    }
    for name in names:
        spec = get_spec(name)
        assert "/" in spec.hub_id and spec.split
        # Either a full commit id or an explicit note on why it is not pinned.
        assert len(spec.revision) == 40 or spec.revision_note
    rows = describe_benchmarks()
    assert [r["name"] for r in rows] == [*names, "random-calculation"]  # generated ones come last
    # every table of the registry describes the same benchmarks
    assert set(registry._HUB) == set(registry._COLUMNS) == set(registry._DOCS) >= set(registry._CONFIGS)
    assert {"name", "size", "hub", "revision", "notes"} <= set(rows[0])


def test_unreachable_hub_fails_fast(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: refused at once
    start = time.monotonic()
    with pytest.raises(AuditError) as info:
        load_benchmark("gsm8k")
    assert time.monotonic() - start < 5
    assert "no network" in info.value.message and "--data-file FILE" in info.value.fix


def test_hub_rows_use_the_pinned_spec(monkeypatch, tmp_path):
    """A cached hub dataset is read with the spec's id, config, split and revision."""
    import os
    import sys
    import types

    calls = []

    def fake_load_dataset(path, config, split, revision):
        calls.append((path, config, split, revision))
        return [{"question": "Q1", "answer": "a\n#### 3"}, {"question": "Q2", "answer": "#### 4"}]

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=fake_load_dataset))
    (tmp_path / "hub" / "datasets--openai--gsm8k").mkdir(parents=True)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    bench = load_benchmark("gsm8k")
    spec = get_spec("gsm8k")
    assert calls == [(spec.hub_id, spec.config, spec.split, spec.revision)]
    assert bench.source == f"{spec.hub_id}@{spec.revision}" and bench.revision == spec.revision
    assert [(p.id, p.answer) for p in bench.problems] == [("gsm8k-0", "3"), ("gsm8k-1", "4")]
    load_benchmark("gsm8k", revision="abc", limit=1)
    assert calls[-1][3] == "abc"
