"""Ctrl-C during `baseline`: exit 130 with the message, nothing finished lost, and a rerun
that generates only the missing prompts. Real CLI, tiny model, hf backend; the test polls
for the first generation on disk instead of sleeping a guessed time."""

from __future__ import annotations

import re
import signal
import subprocess
import time

import pytest
from contract_runs import CLI, baseline_args, cli_env, first_line, run_cli, write_problems

N_PROBLEMS = 120  # enough that generating them all takes several batches
POLL_LIMIT_S = 600  # a safety net against a hang, not a timing assertion


def _complete_lines(path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _interrupt_after_first_generation(args, env, generations) -> subprocess.CompletedProcess:
    # SIGINT must not be ignored in the child (a shell's background job inherits SIG_IGN).
    proc = subprocess.Popen(
        [*CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + POLL_LIMIT_S
    while _complete_lines(generations) < 1 and proc.poll() is None:
        assert time.monotonic() < deadline, "no generation was written"
        time.sleep(0.05)
    assert proc.poll() is None, "baseline finished before it could be interrupted; give it more problems"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=POLL_LIMIT_S)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.slow
def test_sigint_exits_130_keeps_finished_work_and_the_rerun_completes(tmp_path, tiny_model):
    env = cli_env(tmp_path / "home")
    data = write_problems(tmp_path / "toy.jsonl", N_PROBLEMS)
    out = tmp_path / "run"
    args = baseline_args(tiny_model, data, out, extra=["--max-tokens", "24"])
    generations = out / "generations.jsonl"

    stopped = _interrupt_after_first_generation(args, env, generations)
    assert stopped.returncode == 130, stopped.stderr
    assert "interrupted; finished work is saved" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    kept = _complete_lines(generations)
    assert 1 <= kept < N_PROBLEMS

    # The partial run is incomplete (3), not a success, for the commands that read it.
    compare = run_cli(["compare", str(out), str(out)], env)
    assert compare.returncode == 3 and first_line(compare.stderr).startswith(f"error: run {out} is incomplete")
    assert run_cli(["verify", str(out)], env).returncode == 3

    rerun = run_cli(args, env)
    assert rerun.returncode == 0, rerun.stderr
    assert _complete_lines(generations) == N_PROBLEMS
    made = re.search(r"generated (\d+) prompts", rerun.stdout)
    assert made and int(made.group(1)) == N_PROBLEMS - kept, rerun.stdout
    assert run_cli(["verify", str(out)], env).returncode == 0
