"""GRADERS.md §10 acceptance on MATH-500: each gold answer fed back in the pipeline's
preferred format must score exactly as the original harness did.

- minerva: 472/500, failing exactly on the §4.5 indices (unparseable tuples, intervals,
  `\\le(`, `\\iny`, leading-dot decimals, ...; no string shortcut);
- dapo, math-verify, sober: 500/500.
No exceptions were needed with sympy 1.14 / math-verify 0.9.0 / antlr 4.11.1.
"""

from __future__ import annotations

import json
import logging

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.profiles.dapo import DAPO
from rlvr_audit.grading.profiles.math_verify import MATH_VERIFY
from rlvr_audit.grading.profiles.minerva import MINERVA
from rlvr_audit.grading.profiles.sober import SOBER

logging.getLogger("math_verify").setLevel(logging.ERROR)

MINERVA_FAILING = [
    0,
    60,
    78,
    99,
    103,
    144,
    176,
    184,
    206,
    218,
    248,
    293,
    298,
    305,
    307,
    312,
    314,
    356,
    364,
    376,
    380,
    419,
    420,
    422,
    431,
    433,
    435,
    495,
]

FORMATS = {
    "minerva": (MINERVA, "Final Answer: The final answer is ${}$. I hope it is correct."),
    "dapo": (DAPO, "Answer: {}"),
    "math-verify": (MATH_VERIFY, "So the final answer is $\\boxed{{{}}}$."),
    "sober": (SOBER, "Therefore, the final answer is: $\\boxed{{{}}}$. I hope it is correct"),
}
EXPECTED_FAILING = {"minerva": MINERVA_FAILING, "dapo": [], "math-verify": [], "sober": []}


@pytest.fixture(scope="module")
def math500(shared_data):
    path = shared_data / "benchmarks" / "math500.jsonl"
    return [json.loads(line) for line in path.open()]


@pytest.mark.shared
@pytest.mark.parametrize("name", list(FORMATS))
def test_gold_fed_back_scores_as_the_harness(name, math500):
    profile, template = FORMATS[name]
    assert len(math500) == 500
    failing = []
    for index, row in enumerate(math500):
        completion = template.format(row["answer"])
        grade = profile.grade_local(GradeRequest(completion, row["answer"], row["solution"]))
        assert grade.status in ("correct", "incorrect"), (index, grade)  # always found
        if grade.status != "correct":
            failing.append(index)
    assert failing == EXPECTED_FAILING[name]
    assert 500 - len(failing) == {"minerva": 472}.get(name, 500)
