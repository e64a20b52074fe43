"""Fixtures for the train tests: a small problem file, and a skip without TRL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PROBLEMS = [
    {"id": "p1", "problem": "What is 1+1?", "answer": "2"},
    {"id": "p2", "problem": "What is 2+2?", "answer": "4"},
    {"id": "p3", "problem": "What is 3+3?", "answer": "6"},
    {"id": "p4", "problem": "What is 4+4?", "answer": "8"},
]


@pytest.fixture()
def problem_file(tmp_path: Path) -> Path:
    path = tmp_path / "problems.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in PROBLEMS), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def trl_ready():
    """Skip when the training extra is not installed."""
    pytest.importorskip("trl")
    pytest.importorskip("datasets")
