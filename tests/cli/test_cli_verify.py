"""`rlvr-audit verify RUN...`: exit 0 / 1 / 2, the table, --json, one line per failure."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rlvr_audit.cli.app import main


@pytest.fixture
def run_dir(tmp_path) -> Path:
    """A run made the way a user makes one: `import --no-grade`, then `grade RUN`."""
    records = [
        {"id": f"q{i}", "run": "toy", "problem": f"What is {i} + 1?", "answer": str(i + 1), "completion": text}
        for i, text in enumerate(["Answer: 1", "Answer: 0", "Answer: 3", "no idea"])
    ]
    src = tmp_path / "gens.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "runs"
    assert main(["import", str(src), "--group-by", "run", "--out", str(out), "--no-grade", "--no-progress"]) == 0
    assert main(["grade", str(out / "toy"), "-p", "dapo", "--workers", "0", "--no-cache", "--json"]) == 0
    return out / "toy"


def test_fresh_run_exits_0_with_a_table(run_dir, capsys):
    capsys.readouterr()
    assert main(["verify", str(run_dir)]) == 0
    out = capsys.readouterr().out
    for text in ("verifies", "benchmark hash", "grades dapo", "summary", "ok"):
        assert text in out


def test_json_output(run_dir, capsys):
    capsys.readouterr()
    assert main(["verify", str(run_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    (run,) = report["runs"]
    assert run["run"] == "toy" and {"check", "status", "detail"} == set(run["checks"][0])
    assert {c["check"] for c in run["checks"]} >= {"manifest", "benchmark hash", "generations", "summary"}


def test_a_mismatch_exits_1_with_one_line_per_failure(run_dir, tmp_path, capsys):
    other = tmp_path / "copy"
    shutil.copytree(run_dir, other)
    path = other / "problems.jsonl"
    path.write_text(path.read_text().replace("What is 0 + 1?", "What is 0 + 2?"))
    capsys.readouterr()
    assert main(["verify", str(run_dir), str(other), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and [r["ok"] for r in report["runs"]] == [True, False]
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_audit", "verify", str(run_dir), str(other)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    fails = [line for line in proc.stderr.splitlines() if line.startswith("FAIL ")]
    assert fails == [line for line in fails if str(other) in line] and len(fails) == 1
    assert "benchmark hash" in fails[0] and "problems.jsonl hashes to" in fails[0]


def test_not_a_run_directory_exits_2_naming_the_fix(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rlvr_audit", "verify", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a run directory" in lines[0] and "rlvr-audit baseline" in lines[0]


def test_regrade_adds_a_verdict_check(run_dir, capsys):
    capsys.readouterr()
    assert main(["verify", str(run_dir), "--regrade", "--workers", "0", "--json"]) == 0
    checks = {c["check"]: c for c in json.loads(capsys.readouterr().out)["runs"][0]["checks"]}
    assert checks["verdicts dapo"]["status"] == "ok" and checks["verdicts dapo"]["detail"].startswith("4 verdicts")
