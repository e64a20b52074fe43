"""Helpers of the CLI contract tests: the real CLI in a subprocess, run directories made by
a real `baseline` and then damaged in the ways people find them, and hashes of everything
on disk (a failing command must leave what was written as it was)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "rlvr_audit"]


def cli_env(home: Path) -> dict[str, str]:
    """The environment of every CLI subprocess: its own home, offline, one thread."""
    env = dict(os.environ)
    env.update(
        RLVR_AUDIT_HOME=str(home),
        HF_HOME=str(home / "hf"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        OMP_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
        COLUMNS="200",
    )
    env.pop("RLVR_AUDIT_DEBUG", None)
    return env


def run_cli(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, **kwargs)


def first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under `root`, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def write_problems(path: Path, n: int) -> Path:
    rows = [{"id": f"p{i}", "problem": f"What is {i} + 1?", "answer": str(i + 1)} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def baseline_args(model: Path, data: Path, out: Path, *, benchmark: str = "math500", extra: list[str] = ()) -> list:
    return [
        "baseline",
        "-m",
        str(model),
        "-b",
        benchmark,
        "--data-file",
        str(data),
        "--backend",
        "hf",
        "-t",
        "qwen-boxed",
        "-p",
        "ttrl",
        "-p",
        "dapo",
        "--max-tokens",
        "4",
        "--workers",
        "0",
        "-q",
        "--out",
        str(out),
        *extra,
    ]


def set_manifest(run: Path, **changes) -> None:
    """Edit run.json's model id / benchmark name (a copy that claims another identity)."""
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    if "model_id" in changes:
        manifest["model"]["id"] = changes["model_id"]
    if "benchmark" in changes:
        manifest["benchmark"]["name"] = changes["benchmark"]
    (run / "run.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def edit_line(path: Path, number: int, text: bytes) -> None:
    """Replace line `number` (1-based) of `path` with raw bytes."""
    lines = path.read_bytes().split(b"\n")
    lines[number - 1] = text
    path.write_bytes(b"\n".join(lines))


def make_incomplete(run: Path, keep: int) -> None:
    """What an interrupted `baseline` leaves: the first `keep` generations, no grades yet."""
    gens = run / "generations.jsonl"
    gens.write_bytes(b"".join(gens.read_bytes().splitlines(keepends=True)[:keep]))
    shutil.rmtree(run / "grades")
    (run / "summary.json").unlink()


def damaged_files(root: Path) -> dict[str, Path]:
    """Record files damaged the three ways the issue names: cut-off gzip, bytes that are
    not gzip under a .gz name, flipped bits inside the deflate stream; and non-UTF-8."""
    root.mkdir(parents=True, exist_ok=True)
    records = b"".join(
        json.dumps({"id": f"p{i}", "completion": "x", "answer": "1"}).encode() + b"\n" for i in range(400)
    )
    packed = gzip.compress(records)
    files = {
        "cut_gz": root / "cut.jsonl.gz",
        "not_gz": root / "not-gzip.jsonl.gz",
        "flipped_gz": root / "flipped.jsonl.gz",
        "not_utf8": root / "latin1.jsonl",
    }
    files["cut_gz"].write_bytes(packed[: len(packed) // 2])
    files["not_gz"].write_bytes(b"this is not gzip data\n")
    flipped = bytearray(packed)
    for i in range(20, 40):
        flipped[i] ^= 0xFF
    files["flipped_gz"].write_bytes(bytes(flipped))
    files["not_utf8"].write_bytes(
        b'{"id": "a", "completion": "x", "answer": "1"}\n{"id": "b", "completion": "caf\xe9"}\n'
    )
    return files


def _record(i: int, **changes) -> dict:
    record = {"id": f"p{i}", "run": "r", "problem": f"What is {i} + 1?", "completion": f"Answer: {i + 1}"}
    return {**record, "answer": str(i + 1), **changes}


def _lines(records: list[dict]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def input_files(root: Path) -> dict[str, Path]:
    """Generation files with the defects of issue 13's "no silent loss or change": a torn
    last line (4 whole records, the 5th cut short), a record written twice, a key written
    twice (with a sample field), one id with two gold answers, completions that are not text."""
    root.mkdir(parents=True, exist_ok=True)
    files = {name: root / f"{name}.jsonl" for name in ("torn", "dup", "dup_sample", "golds", "num", "null", "listed")}
    files["torn"].write_bytes(_lines([_record(i) for i in range(4)]) + json.dumps(_record(4)).encode()[:30])
    files["dup"].write_bytes(_lines([_record(0), _record(1), _record(2), _record(1), _record(3)]))
    files["dup_sample"].write_bytes(
        _lines([_record(0, sample=0), _record(1, sample=0), _record(0, sample=0, completion="Answer: 9")])
    )
    files["golds"].write_bytes(_lines([_record(0), _record(1), _record(2), _record(0, answer="7")]))
    files["num"].write_bytes(_lines([_record(0), _record(1, completion=3)]))
    files["null"].write_bytes(_lines([_record(0), _record(1, completion=None)]))
    files["listed"].write_bytes(_lines([_record(0, completion=["Answer: 1"])]))
    return files
