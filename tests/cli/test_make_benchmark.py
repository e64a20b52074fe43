"""`rlvr-audit make-benchmark`: writes the generated file, refuses to overwrite, and turns bad
options into one error line naming the fix (exit 2)."""

from __future__ import annotations

import hashlib
import json

import pytest

from rlvr_audit.benchmarks.registry import load_benchmark
from rlvr_audit.cli.app import main


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    return lines[0]


def test_writes_the_file_and_prints_path_n_and_hash(tmp_path, capsys):
    out = tmp_path / "sub" / "rc.jsonl"
    args = ["make-benchmark", "random-calculation", "--n", "25", "--steps", "2-4", "--seed", "1", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    assert printed == [f"wrote {out}: 25 problems, content hash {digest}"]
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert len(rows) == 25 and {r["steps"] for r in rows} <= {2, 3, 4}
    assert rows[0]["id"] == "rc-1-0"
    # The file is a benchmark file like any other, under any name.
    bench = load_benchmark("anything", data_file=out)
    assert bench.size == 25 and bench.problems[0].answer == rows[0]["answer"]
    # ... and holds exactly what the generated name gives.
    assert load_benchmark("random-calculation", data_file=out).hash == (
        load_benchmark("random-calculation:n=25,steps=2-4,seed=1").hash
    )


def test_refuses_an_existing_file_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "rc.jsonl"
    out.write_text("mine\n")
    args = ["make-benchmark", "random-calculation", "--n", "3", "--out", str(out)]
    assert main(args) == 2
    assert "--overwrite" in _one_error_line(capsys.readouterr().err)
    assert out.read_text() == "mine\n"
    assert main([*args, "--overwrite"]) == 0
    assert len(out.read_text().splitlines()) == 3


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--steps", "5-2"], "--steps MIN-MAX"),
        (["--steps", "0-3"], "--steps 1-20"),
        (["--operands", "x"], "--operands MIN-MAX"),
        (["--n", "0"], "--n 500"),
    ],
)
def test_bad_options_exit_2_on_one_line(tmp_path, capsys, extra, needle):
    out = tmp_path / "rc.jsonl"
    assert main(["make-benchmark", "random-calculation", "--out", str(out), *extra]) == 2
    assert needle in _one_error_line(capsys.readouterr().err)
    assert not out.exists()


def test_unknown_generator_lists_the_known_ones(tmp_path, capsys):
    assert main(["make-benchmark", "random-algebra", "--out", str(tmp_path / "x.jsonl")]) == 2
    assert "use one of: random-calculation" in _one_error_line(capsys.readouterr().err)


def test_out_is_required(capsys):
    assert main(["make-benchmark", "random-calculation"]) == 2
    assert "--out" in _one_error_line(capsys.readouterr().err)
