"""`rlvr-audit grade` on files and run directories."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys

import pytest

from rlvr_audit.cli.app import main

# Two groups; dapo reads the last "Answer:" line, so the expected numbers are countable.
RECORDS = [
    {"id": "1", "run": "a", "completion": "Answer: 3", "answer": "3"},
    {"id": "2", "run": "a", "completion": "Answer: 5", "answer": "4"},
    {"id": "1", "run": "b", "completion": "no idea", "answer": "3"},
    {"id": "2", "run": "b", "completion": "Answer: 4", "answer": "4"},
]


def _write(path, records=RECORDS):
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in records)
    elif path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records), path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["gen.jsonl", "gen.jsonl.gz", "gen.parquet"])
def test_json_output_counts_per_group(tmp_path, capsys, name):
    path = _write(tmp_path / name)
    code = main(["grade", str(path), "-p", "dapo", "--group-by", "run", "--json", "--workers", "0", "--no-cache"])
    assert code == 0
    rows = {r["group"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["a"]["accuracy"] == 50.0 and rows["a"]["incorrect"] == 1
    assert rows["b"]["accuracy"] == 50.0 and rows["b"]["no_answer"] == 1
    assert rows["(all)"]["n"] == 4 and rows["(all)"]["correct"] == 2
    grades = [json.loads(line) for line in (tmp_path / "gen.grades.jsonl").read_text().splitlines()]
    assert [g["grades"]["dapo"]["status"] for g in grades] == ["correct", "incorrect", "no_answer", "correct"]


def test_csv_output_one_row_per_file_and_profile(tmp_path, capsys):
    path = _write(tmp_path / "gen.jsonl")
    code = main(["grade", str(path), "-p", "dapo,minerva", "--csv", "--workers", "1", "--out", str(tmp_path / "o")])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["group"], r["profile"]) for r in rows] == [("gen", "dapo"), ("gen", "minerva")]
    assert rows[0]["accuracy"] == "50.0"
    assert (tmp_path / "o" / "gen.grades.jsonl").is_file()


def test_table_output_names_groups_and_profiles(tmp_path, capsys):
    path = _write(tmp_path / "gen.jsonl")
    assert main(["grade", str(path), "-p", "dapo", "--group-by", "run", "--workers", "0"]) == 0
    out = capsys.readouterr().out
    for text in ("accuracy %", "dapo", "(all)", "parsable %", "no_answer"):
        assert text in out


@pytest.mark.parametrize(
    "extra, found",
    [
        (["--completion-field", "resp"], "id, run, completion, answer"),
        (["--group-by", "model"], "id, run, completion, answer"),
    ],
)
def test_bad_field_is_one_line_naming_found_fields(tmp_path, extra, found):
    path = _write(tmp_path / "gen.jsonl")
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_audit", "grade", str(path), "-p", "dapo", "--workers", "0", *extra],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and found in lines[0] and "Traceback" not in proc.stderr


def test_undetectable_completion_field_names_the_option(tmp_path, capsys):
    path = _write(tmp_path / "gen.jsonl", [{"prompt": "p", "answer": "1", "reply": "1"}])
    assert main(["grade", str(path), "-p", "dapo", "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "--completion-field" in err and "prompt, answer, reply" in err


def test_run_directory_is_graded_in_place(tmp_path, capsys):
    from rlvr_audit.core.types import Generation, Problem, Sampling
    from rlvr_audit.store.run import Run, new_manifest

    manifest = new_manifest(
        model={"id": "m", "weights_hash": "w"},
        benchmark={"name": "toy", "size": 2, "hash": "h"},
        templates={"t": {"hash": "x", "kind": "raw"}},
        sampling=Sampling(),
        command="test",
    )
    run = Run.create(tmp_path / "run", manifest, [Problem("p0", "q", "3"), Problem("p1", "q", "4")])
    with run.generation_writer() as out:
        out.write_many([Generation("p0", "t", 0, "Answer: 3").to_dict(), Generation("p1", "t", 0, "x").to_dict()])
    assert main(["grade", str(run.path), "-p", "dapo", "--json", "--workers", "0"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["grading"]["added"] == {"dapo": 2}
    assert {s.status for s in Run.open(run.path).grades("dapo").values()} == {"correct", "no_answer"}


@pytest.mark.slow
def test_real_outputs_grouped_by_run(shared_data, tmp_path, capsys):
    path = shared_data / "real-outputs" / "qwen25-math-1.5b_math500.jsonl.gz"
    code = main(["grade", str(path), "-p", "hendrycks", "--group-by", "run", "--json", "--out", str(tmp_path)])
    assert code == 0
    rows = [r for r in json.loads(capsys.readouterr().out)["rows"] if r["group"] != "(all)"]
    assert len(rows) == 14 and all(r["n"] == 500 for r in rows)
    # The runs differ by prompt: their accuracies must not all be equal.
    assert len({r["accuracy"] for r in rows}) > 1
    assert all(r["timeout"] + r["error"] < 10 for r in rows)
