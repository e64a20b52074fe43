"""kill -9 `rlvr-audit baseline` at fixed points of its progress while it writes; rerunning it
must end with exactly the records an uninterrupted run with the same seed produces."""

import json
import os
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
TOTAL = PROBLEMS * SAMPLES
# Kill once the file holds at least this many records: early, midway and late in generation.
KILL_AT = (TOTAL // 6, TOTAL // 2, TOTAL * 5 // 6)
# A kill that lands after generation finished proves nothing; such a sequence is redone
# from scratch in a fresh directory, at most this many times, and then the test fails.
ATTEMPTS = 3


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
        # Long enough that one record takes a few polling intervals, so a kill can land
        # between two given counts of records.
        "--max-tokens",
        "48",
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


def kill_at(args: list[str], gens: Path, target: int) -> int | None:
    """Start the CLI and kill -9 it as soon as the file holds `target` records. Returns the
    count at the kill, or None when the kill could not land inside generation."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlvr_audit", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    try:
        while count_lines(gens) < target and proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"the baseline subprocess wrote fewer than {target} records in 300 s")
            time.sleep(0.005)
        if proc.poll() is not None:
            return None
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    landed = count_lines(gens)
    return landed if landed < TOTAL else None


def interrupted_run(model: Path, data: Path, out: Path) -> list[int] | None:
    """Three kills at the KILL_AT points; the counts they landed at, or None if one missed."""
    gens = out / "generations.jsonl"
    landed = []
    for target in KILL_AT:
        count = kill_at(cli_args(model, data, out), gens, max(target, count_lines(gens) + 1))
        if count is None:
            return None
        landed.append(count)
    return landed


@pytest.mark.slow
def test_kill_9_and_rerun_equals_an_uninterrupted_run(tiny_model, tmp_path):
    data = write_problems(tmp_path / "toy.jsonl")
    for attempt in range(ATTEMPTS):
        out = tmp_path / f"killed-{attempt}"
        landed = interrupted_run(tiny_model, data, out)
        if landed is not None:
            break
    else:
        pytest.fail(f"in {ATTEMPTS} attempts no sequence of kills landed inside generation")
    # Each kill landed at or after its point, before the end, and later than the previous one.
    assert all(at <= n < TOTAL for at, n in zip(KILL_AT, landed, strict=True)), landed
    assert landed == sorted(set(landed)), landed

    final = subprocess.run(
        [sys.executable, "-m", "rlvr_audit", *cli_args(tiny_model, data, out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert final.returncode == 0, final.stderr[-2000:]

    gens = out / "generations.jsonl"
    keys = raw_keys(gens)
    assert len(keys) == len(set(keys)) == TOTAL  # nothing lost, nothing written twice
    grade_keys = raw_keys(out / "grades" / "qwen25-math.jsonl")
    assert len(grade_keys) == len(set(grade_keys)) == TOTAL

    reference = tmp_path / "reference"
    assert main(cli_args(tiny_model, data, reference)) == 0  # same seed, never interrupted
    resumed = {k: g.completion for k, g in Run.open(out).generations().items()}
    uninterrupted = {k: g.completion for k, g in Run.open(reference).generations().items()}
    assert resumed == uninterrupted
    assert len(set(uninterrupted.values())) > PROBLEMS  # temperature 1: the texts really vary
