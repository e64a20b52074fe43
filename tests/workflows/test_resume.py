"""kill -9 `rlvr-audit baseline` at random points while it writes; rerunning it must end
with exactly the records an uninterrupted run with the same seed produces."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rlvr_audit.cli.app import main
from rlvr_audit.store.run import Run

PROBLEMS = 30
SAMPLES = 2
KILLS = 3


def write_problems(path: Path) -> Path:
    with path.open("w") as fh:
        for i in range(PROBLEMS):
            fh.write(
                json.dumps({"id": f"q{i}", "problem": f"What is {i} + {i * 7 % 11}?", "answer": str(i + i * 7 % 11)})
                + "\n"
            )
    return path


def cli_args(model: Path, data: Path, out: Path) -> list[str]:
    return [
        "baseline",
        "--model",
        str(model),
        "--benchmark",
        "toy",
        "--data-file",
        str(data),
        "--template",
        "no-template",
        "--profile",
        "qwen25-math",
        "--backend",
        "hf",
        "--backend-option",
        "batch_size=1",
        "--temperature",
        "1",
        "--seed",
        "5",
        "--samples",
        str(SAMPLES),
        "--max-tokens",
        "24",
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]


def count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def raw_keys(path: Path) -> list[tuple]:
    """Every complete record of a JSONL file, duplicates kept (the file, not the reader's view)."""
    keys = []
    for line in path.read_bytes().split(b"\n"):
        if line.strip():
            r = json.loads(line)  # every line must be whole JSON after the final run
            keys.append((r["problem_id"], r["template"], r["sample"]))
    return keys


def kill_while_writing(args: list[str], gens: Path, rng: random.Random) -> bool:
    """Start the CLI, wait until it has appended a new record, kill -9 it a random moment
    later. True when it was killed (False: it finished first)."""
    before = count_lines(gens)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlvr_audit", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    try:
        while count_lines(gens) <= before and proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError("the baseline subprocess wrote nothing in 120 s")
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is not None:
            return False
        os.kill(proc.pid, signal.SIGKILL)
        return True
    finally:
        proc.wait(timeout=60)


@pytest.mark.slow
def test_kill_9_and_rerun_equals_an_uninterrupted_run(tiny_model, tmp_path):
    data = write_problems(tmp_path / "toy.jsonl")
    out = tmp_path / "killed"
    gens = out / "generations.jsonl"
    rng = random.Random(20251126)
    kills = [kill_while_writing(cli_args(tiny_model, data, out), gens, rng) for _ in range(KILLS)]
    assert any(kills), "no run was interrupted: the test proved nothing"
    assert count_lines(gens) < PROBLEMS * SAMPLES or not all(kills)

    final = subprocess.run(
        [sys.executable, "-m", "rlvr_audit", *cli_args(tiny_model, data, out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert final.returncode == 0, final.stderr[-2000:]

    keys = raw_keys(gens)
    assert len(keys) == len(set(keys)) == PROBLEMS * SAMPLES  # nothing lost, nothing written twice
    grade_keys = raw_keys(out / "grades" / "qwen25-math.jsonl")
    assert len(grade_keys) == len(set(grade_keys)) == PROBLEMS * SAMPLES

    reference = tmp_path / "reference"
    assert main(cli_args(tiny_model, data, reference)) == 0  # same seed, never interrupted
    resumed = {k: g.completion for k, g in Run.open(out).generations().items()}
    uninterrupted = {k: g.completion for k, g in Run.open(reference).generations().items()}
    assert resumed == uninterrupted
    assert len(set(uninterrupted.values())) > PROBLEMS  # temperature 1: the texts really vary
