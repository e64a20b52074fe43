import subprocess
import sys

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.core.errors import AuditError


def test_version(capsys):
    assert main(["--version"]) == 0
    assert "rlvr-audit" in capsys.readouterr().out


def test_unknown_profile_is_one_line_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_audit", "grade", "nonexistent.jsonl", "--profile", "nope"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "Traceback" not in proc.stderr


def test_audit_error_one_line_joins_fix():
    err = AuditError("file x.jsonl has no field 'completion'.\n", "pass --completion-field (found: a, b)")
    assert err.one_line() == "file x.jsonl has no field 'completion'; pass --completion-field (found: a, b)"


def test_list_profiles_json(capsys):
    import json

    assert main(["list", "profiles", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in rows}
    assert {"qwen25-math", "ttrl", "math-verify", "minerva", "hendrycks", "prm800k", "dapo"} <= names
    assert all(r["harness"] and r["description"] for r in rows)


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    return lines[0]


def test_misspelled_option_exits_2_naming_the_closest_one():
    proc = subprocess.run(
        [sys.executable, "-m", "rlvr_audit", "baseline", "--modle", "x"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)
    assert "no such option --modle; did you mean --model?" in line
    assert "NoSuchOption" not in line and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["grade", "run", "--tiemout", "3"], "did you mean --timeout?"),
        (["grade", "run", "--zzzzzz"], "no such option --zzzzzz (see `rlvr-audit grade --help`)"),
        (["baselin"], "Did you mean 'baseline'?"),
        (["baseline", "--model"], "requires an argument"),
        (["compare", "--fail-if-adjusted-below", "x"], "Invalid value"),
    ],
)
def test_usage_errors_exit_2_on_one_line(args, needle, capsys):
    assert main(args) == 2
    assert needle in one_error_line(capsys.readouterr().err)


def test_ctrl_c_exits_130_saying_finished_work_is_saved(monkeypatch, tmp_path, capsys):
    import rlvr_audit.workflows.baseline as workflow

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(workflow, "run_baseline", interrupted)
    data = tmp_path / "toy.jsonl"
    data.write_text('{"id": "a", "problem": "1+1?", "answer": "2"}\n')
    code = main(["baseline", "--model", "tiny", "--data-file", str(data), "--out", str(tmp_path / "r"), "--quiet"])
    assert code == 130
    assert "interrupted; finished work is saved" in capsys.readouterr().err
