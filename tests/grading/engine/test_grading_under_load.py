"""Machine load does not change verdicts: the time limit is CPU time per step (wall time
only as a far backstop), so grading while both cores spin gives the same grades."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from itertools import islice

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.pool import grade_many

PROFILES = ["qwen25-math", "math-verify", "minerva"]
LINES = 150
TIMEOUT_S = 20.0  # CPU seconds per step: generous, so that only a real hang could time out
BUSY = "while True: pass"


def _requests(shared_data):
    path = shared_data / "real-outputs" / "qwen25-math-1.5b_math500.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in islice(fh, LINES)]
    return [GradeRequest(r["completion"], str(r["answer"])) for r in records]


def _verdicts(requests):
    batch = grade_many(requests, PROFILES, workers=2, timeout=TIMEOUT_S, progress=False)
    return [{p: (row[p].status, row[p].extracted) for p in PROFILES} for row in batch.grades]


@pytest.mark.slow
def test_busy_cores_give_identical_verdicts(shared_data):
    requests = _requests(shared_data)
    quiet = _verdicts(requests)
    spinners = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
    try:
        loaded = _verdicts(requests)
    finally:
        for proc in spinners:
            proc.kill()
            proc.wait(timeout=30)
    assert all(s not in ("timeout", "error") for row in quiet for s, _ in row.values())
    assert loaded == quiet
