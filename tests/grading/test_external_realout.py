"""`qwen25-math` against verdicts another copy of its harness recorded on real outputs
(../shared/data/external/realout_*.jsonl.gz: gemma-2-27b-it and a Sky-T1 27B checkpoint,
graded by NovaSky-AI/SkyThought's copy of the Qwen2.5-Math harness; `recorded_score`).

Each file is graded under its benchmark. The only disagreements allowed are the rules
that SkyThought's fork adds to the harness (external/README.md, section 2), listed by id
with the reason; the test asserts the exact set of disagreements, so a new one fails and
so does an exception that starts to agree. gemma MATH-500 #313 (`12π` vs `12\\pi`, the
external README's Finding 2) agrees since the latex2sympy stand-in refuses non-ASCII text
as Qwen's bundled parser does (docs/grading-fidelity.md), so it is no exception.
"""

from __future__ import annotations

import gzip
import json

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.pool import grade_many

SORT = "SkyThought-only rule: integer lists are sorted before comparing"
UNIT_TAIL = "SkyThought-only rule: `cm}^2` / `inches}^2` are dropped"
BACKSLASH = "SkyThought-only rule: a `\\` before an integer is removed"
MATH500_NAME = "SkyThought's data_name `math500` normalises the gold twice (`x \\in [-2,7]` -> `[-2,7]`)"

# file stem -> (benchmark, records, {idx: reason})
FILES: dict[str, tuple[str, int, dict[int, str]]] = {
    "realout_gemma-2-27b-it_minerva_math": ("minerva", 272, {56: SORT + " (`11,000` became `0,11`)"}),
    "realout_gemma-2-27b-it_math500": (
        "math500",
        500,
        {198: SORT + " (`10,\\!080` became `10,80`)", 456: SORT, 257: UNIT_TAIL, 383: MATH500_NAME},
    ),
    "realout_sky-t1-math-correct-5k-27b_math500": (
        "math500",
        500,
        {25: SORT, 456: SORT, 257: UNIT_TAIL, 467: UNIT_TAIL, 364: BACKSLASH, 383: MATH500_NAME},
    ),
}


@pytest.mark.shared
@pytest.mark.parametrize("stem", list(FILES))
def test_agrees_with_the_recorded_verdicts(stem, shared_data):
    benchmark, size, exceptions = FILES[stem]
    with gzip.open(shared_data / "external" / f"{stem}.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    assert len(rows) == size
    requests = [GradeRequest(r["completion"], r["answer"], r.get("solution"), benchmark) for r in rows]
    # a generous limit: a timeout counts as not correct, as the harness's own 3 s limit does
    batch = grade_many(requests, ["qwen25-math"], workers=2, timeout=30.0, progress=False)
    grades = [row["qwen25-math"] for row in batch.grades]
    assert not [g for g in grades if g.status == "error"]
    recorded = [str(r["recorded_score"]) == "True" for r in rows]  # a JSON boolean
    misses = {int(r["idx"]) for r, g, ok in zip(rows, grades, recorded) if (g.status == "correct") != ok}
    assert misses == set(exceptions), sorted(misses ^ set(exceptions))
    assert size - len(misses) == size - len(exceptions)  # e.g. 271 of 272 on minerva_math
