"""Fuzz every registered profile through the pool: random and adversarial completions
never crash the engine (every grade has a valid status) and never run past the limit."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr_audit.core.types import STATUSES
from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.pool import grade_many
from rlvr_audit.grading.engine.workers import WALL_FACTOR
from rlvr_audit.grading.registry import get_profile, profile_names

TIMEOUT = 2.0
MARGIN_S = 3.0  # kill + pipe latency on a loaded 2-core machine

ADVERSARIAL = [
    "x" * 2**20,  # 1 MB
    "{" * 10_000 + "1" + "}" * 10_000,
    "\\boxed{" + "{" * 10_000,
    "The answer is $\\boxed{10^{10^{10^{10}}}}$",
    "\\left( \\frac{1}{2} " * 200 + "\\boxed{\\left(}",
    "\\boxed{" * 10_000,
    "Final Answer: The final answer is $" + "(" * 5000 + "$. I hope it is correct.\nAnswer: " + "[" * 5000,
    "\\boxed{9^{9^{9^{9^{9}}}}!}",
    "\\boxed{\\sqrt{" * 2000 + "2" + "}}" * 2000,
    "",
    "\x00\ud7ff\ufffd \\boxed{\u00e9}",
]
GOLDS = ["10^{10^{10^{10}}}", "\\frac{1}{2}", "(1, 2)", "x^2 + 1", "12"]


def _profiles():
    # Every name the registry knows: a profile whose module is missing fails the load test
    # below and every test that grades with it, rather than dropping out unseen.
    return profile_names()


@pytest.mark.parametrize("name", profile_names())
def test_every_registered_profile_loads(name):
    assert get_profile(name).name == name


def _check(batch, n, names):
    assert len(batch.grades) == n
    for row in batch.grades:
        assert set(row) == set(names)
        for grade in row.values():
            assert grade.status in STATUSES
            if grade.status in ("timeout", "error"):
                assert grade.detail
    assert batch.stats.max_step_ms <= (WALL_FACTOR * TIMEOUT + MARGIN_S) * 1000


@pytest.mark.slow
def test_adversarial_completions_through_every_profile():
    names = _profiles()
    requests = [GradeRequest(c, g) for c in ADVERSARIAL for g in GOLDS[:2]]
    requests += [GradeRequest("\\boxed{1}", g) for g in GOLDS]  # adversarial golds too
    requests.append(GradeRequest("1", "\\boxed{" * 1000))
    start = time.monotonic()
    batch = grade_many(requests, names, workers=2, timeout=TIMEOUT, progress=False)
    elapsed = time.monotonic() - start
    _check(batch, len(requests), names)
    # Each step is bounded, so the whole call is bounded by the steps that timed out.
    bound = (batch.stats.timeouts / 2 + len(names)) * (WALL_FACTOR * TIMEOUT + MARGIN_S) + 30
    assert elapsed < bound


_TOKENS = list("0123456789+-*/^_{}()[]$\\,. xyzabc=\n") + [
    "\\boxed{",
    "\\frac",
    "\\left(",
    "\\right)",
    "\\sqrt",
    "Answer:",
    "The final answer is",
    "<answer>",
    "</answer>",
    "\\pi",
    "\\infty",
    "\\text{",
    "%",
    "\\dfrac",
]
_MATHY = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_MATHY | st.text(max_size=40), _MATHY), min_size=1, max_size=6))
def test_random_completions_never_crash(pairs):
    names = _profiles()
    requests = [GradeRequest(c, g) for c, g in pairs]
    batch = grade_many(requests, names, workers=2, timeout=TIMEOUT, progress=False)
    _check(batch, len(requests), names)


WARM_UP = "so $\\boxed{12}$.\nAnswer: 12"
# Profiles that by design cannot read WARM_UP's answer, with the form their harness expects.
# Every other profile (plug-ins included) must grade WARM_UP `correct`.
OWN_FORM = {
    # Minerva's harness reads only "Final Answer: The final answer is X. I hope it is correct."
    "minerva": "Final Answer: The final answer is $12$. I hope it is correct.",
    # The tag variant of R1-Zero's reward reads only inside <answer>...</answer>.
    "r1zero-tag": "<think>so 12</think> <answer>\\boxed{12}</answer>",
}


def _grade_one(name, completion, gold="12"):
    batch = grade_many([GradeRequest(completion, gold)], [name], workers=1, timeout=30, progress=False)
    return batch.grades[0][name]


@pytest.mark.parametrize("name", _profiles())
def test_each_profile_grades_a_correct_warm_up_correct(name):
    grade = _grade_one(name, WARM_UP)
    form = WARM_UP
    if name in OWN_FORM:
        assert grade.status == "no_answer", grade  # its harness finds no answer in that form
        form = OWN_FORM[name]
        grade = _grade_one(name, form)
    assert grade.status == "correct", grade
    assert _grade_one(name, form.replace("12", "13")).status == "incorrect"  # and it can say no
