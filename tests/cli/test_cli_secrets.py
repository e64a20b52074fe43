"""Secrets reach neither disk nor the terminal: a run made with an API key and a URL with
credentials (the openai backend; no server listens there, so the run fails) leaves them in
no file of its directory and not on stderr."""

from __future__ import annotations

import json

import pytest
from contract_runs import cli_env, first_line, run_cli, write_problems

# max_retries=0: the server does not exist, so give up at once instead of backing off.
SECRET_ARGS = [
    ["-o", "api_key=SECRET", "--base-url", "http://u:pw@127.0.0.1:1/v1"],
    ["--api-key", "SECRET", "--base-url", "http://u:pw@127.0.0.1:1/v1", "--debug"],
    ["--backend-option=api_key=SECRET", "--base-url=http://u:pw@127.0.0.1:1/v1"],
]


@pytest.mark.parametrize("secret_args", SECRET_ARGS, ids=["-o", "--api-key+debug", "--opt=value"])
def test_no_secret_in_the_run_directory_or_on_stderr(tmp_path, secret_args):
    data = write_problems(tmp_path / "toy.jsonl", 2)
    out = tmp_path / "run"
    args = ["baseline", "-m", "served-model", "--backend", "openai", "-o", "max_retries=0", *secret_args]
    args += ["--data-file", str(data), "-t", "qwen-boxed", "--max-tokens", "4", "-q", "--out", str(out)]
    proc = run_cli(args, cli_env(tmp_path / "home"))
    assert proc.returncode == 2, proc.stderr
    assert "127.0.0.1:1" in proc.stderr  # the error names the server, without its credentials
    if "--debug" not in secret_args:
        assert first_line(proc.stderr).startswith("error: request to http://***@127.0.0.1:1/v1 failed")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert (out / "run.json") in files
    for text, where in [(p.read_text(encoding="utf-8"), str(p)) for p in files] + [(proc.stderr, "stderr")]:
        assert "SECRET" not in text and "pw" not in text, where
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert "***" in manifest["command"] and manifest["backend"]["options"]["base_url"] == "http://***@127.0.0.1:1/v1"
