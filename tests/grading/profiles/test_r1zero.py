"""r1zero / r1zero-fast / r1zero-tag (GRADERS section 7)."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks.normalize import r1z_mathd_normalize
from rlvr_audit.grading.profiles.r1zero import R1ZERO, R1ZERO_FAST, R1ZERO_TAG, is_repetitive

# (gold, response, (formatted, fast reward), (formatted, slow reward)) -- section 7.3 first
BOXED_CASES = [
    ("1,-2", "\\boxed{-2, 1}", (True, False), (True, True)),
    ("0.15", "\\boxed{15\\%}", (True, False), (True, True)),
    ("52_8", "\\boxed{52}", (True, False), (True, True)),
    ("10", "\\boxed{10 \\text{ cm}^2}", (True, True), (True, True)),
    ("\\frac{1}{2}", "\\boxed{0.5}", (True, True), (True, True)),
    ("5", "so \\boxed 5", (False, False), (False, False)),
    ("5", "so \\fbox{5}", (False, False), (False, False)),
    ("6", "\\boxed{5} then \\boxed{6}", (True, True), (True, True)),
    # more: units always stripped on both sides (unlike ttrl)
    ("1 \\pm \\sqrt{19}", "\\boxed{1 \\pm \\sqrt{19}}", (True, True), (True, True)),
    ("\\text{east}", "\\boxed{\\text{east}}", (True, True), (True, True)),
    ("\\frac{14}{3}", "\\boxed{\\dfrac{14}{3}}", (True, True), (True, True)),
    ("\\boxed{5}", "\\boxed{5}", (True, True), (True, True)),
    ("5", "The answer is 5.", (False, False), (False, False)),
    ("5", "\\boxed{5", (False, False), (False, False)),
    ("(1,2)", "\\boxed{(2,1)}", (True, False), (True, False)),
    ("1.5", "\\boxed{3/2}", (True, True), (True, True)),
    ("\\text{Evelyn}", "\\boxed{Evelyn}", (True, True), (True, True)),
    ("025", "\\boxed{25}", (True, True), (True, True)),
    ("7", "\\boxed{8}", (True, False), (True, False)),
    ("2", "\\boxed{" + "1" * 200 + "}", (True, False), (True, False)),
]

TAG_CASES = [
    # (gold, response, formatted, fast verdict, slow verdict)
    ("5", "<think>r</think><answer>5</answer>", False, False, False),
    ("5", "<think>r</think> <answer>The answer is 5.</answer>", True, False, True),
    ("\\boxed{5}", "<think>r</think> <answer>x = 5</answer>", True, True, True),
    ("5", "<think>r</think> <answer> 5 </answer>", True, True, True),
    ("5", "<think>r</think> <answer>\\boxed{5</answer>", True, False, False),
    ("5", "<think>r</think> <answer>5", False, False, False),
    ("5", "<think>r</think> <answer>\\boxed{4} or \\boxed{5}</answer>", True, True, True),
    ("5", "<think>r <answer>3</answer></think> <answer>5</answer>", True, True, True),
]


@pytest.mark.parametrize(("gold", "response", "fast", "slow"), BOXED_CASES)
def test_boxed_reward_fn(gold, response, fast, slow):
    for profile, (formatted, reward) in ((R1ZERO_FAST, fast), (R1ZERO, slow)):
        extraction = profile.extract(response)
        assert extraction.found is formatted
        assert profile.judge(extraction.answer, profile.prepare_gold(gold)) is reward


@pytest.mark.parametrize(("gold", "response", "formatted", "fast", "slow"), TAG_CASES)
def test_answer_tag_reward_fn(gold, response, formatted, fast, slow):
    extraction = R1ZERO_TAG.extract(response)
    assert extraction.found is formatted
    assert R1ZERO_TAG.judge(extraction.answer, gold) is slow
    from rlvr_audit.grading.profiles.r1zero import r1z_grade

    if extraction.answer is not None:
        assert r1z_grade(extraction.answer, gold, fast=True) is fast


def test_r1z_mathd_strips_units_on_both_sides():
    assert r1z_mathd_normalize("1 \\pm \\sqrt{19}") == "1\\\\sqrt{19}"
    assert r1z_mathd_normalize("\\text{east}") == "east"  # whole-text unwrap comes first
    assert r1z_mathd_normalize("10 \\text{ cm}^2") == "10"  # unit, then B3 `\\text{ ` rule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ab" * 100, True),
        ("1" * 200, True),
        ("The quick brown fox jumps over the lazy dog", False),
        ("", False),
        ("a", False),
    ],
)
def test_repetitiveness_guard(text, expected):
    assert is_repetitive(text) is expected


def test_statuses_and_metadata():
    assert R1ZERO.grade_local(GradeRequest("no box", "5")).status == "no_answer"
    assert (
        R1ZERO_TAG.grade_local(GradeRequest("<think>r</think> <answer>\\boxed{5</answer>", "5")).status == "incorrect"
    )
    assert (R1ZERO.name, R1ZERO_FAST.name, R1ZERO_TAG.name) == ("r1zero", "r1zero-fast", "r1zero-tag")
    assert R1ZERO.fast is False and R1ZERO_FAST.fast is True and R1ZERO_TAG.fast is False
