import subprocess
import sys

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
