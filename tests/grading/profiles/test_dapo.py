"""dapo profile and `dapo_score` (GRADERS.md §8: verl math_dapo default mode)."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.profiles.dapo import DAPO, dapo_raw_answer, dapo_score
from rlvr_audit.grading.registry import get_profile

# (gold, response, expected pred after normalisation, expected score) — §8 table first
CASES = [
    ("5", "Answer: 5", "5", 1.0),
    ("5", "Answer: 5.", "5.", -1.0),  # trailing period kept
    ("5", "**Answer:** 5", "**5", -1.0),
    ("5", r"Answer: \boxed{5}", "5", 1.0),
    ("5", "Answer: x = 5", "5", 1.0),
    ("5", "Answer: 5 dollars", "5", 1.0),
    ("5", "Answer: 5\nAnswer: 7", "7", -1.0),  # last match
    ("5", "Answer: 5" + " and more" * 45, "[INVALID]", -1.0),  # outside the 300-char window
    ("025", "Answer: 25", "25", -1.0),
    ("3", "Answer: 3.0", "3.0", -1.0),
    (r"\frac{1}{2}", r"Answer: \dfrac{1}{2}", r"\dfrac{1}{2}", -1.0),
    (r"\frac{1}{2}", r"Answer: \frac12", r"\frac{1}{2}", 1.0),
    # more quirks
    ("5", "Final answer: 5", "5", 1.0),  # "answer" inside "Final answer:" counts
    ("5", "answer : 5", "5", 1.0),  # case-insensitive, spaces around the colon
    ("5", "Answer:\n5", "5", 1.0),  # \s* crosses the newline after the colon
    ("5", "The answer is 5.", "[INVALID]", -1.0),  # no colon
    ("5", "x" * 291 + "Answer: 5", "5", 1.0),  # exactly 300 characters: inside
    ("4", r"Answer: 4 ft", "4ft", -1.0),  # verl's normaliser keeps "ft"
    (r"\left( 1, 2 \right)", r"Answer: $\left( 1, 2 \right)$", r"\left(1,2\right)", 1.0),
    ("3, 5, 7", "Answer: 357", "357", 1.0),
    (r"\frac{1}{2}", r"Answer: $\frac{1}{2}$", r"\frac{1}{2}", 1.0),
    ("0.5", r"Answer: \frac{1}{2}", r"\frac{1}{2}", -1.0),  # no numeric tolerance
    (r"\text{(C)}", "Answer: (C)", "(C)", 1.0),
    ("10", "Answer: 10 \n", "10", 1.0),  # trailing whitespace stripped
]


@pytest.mark.parametrize("gold,response,pred,score", CASES)
def test_dapo_table(gold, response, pred, score):
    assert dapo_score(response, gold) == score
    extraction = DAPO.extract(response)
    assert extraction.answer == pred
    grade = DAPO.grade_local(GradeRequest(response, gold))
    expected = "correct" if score > 0 else ("no_answer" if pred == "[INVALID]" else "incorrect")
    assert grade.status == expected
    assert grade.extracted == pred


def test_invalid_is_not_found():
    extraction = DAPO.extract("no colon here, the result is 5")
    assert extraction.found is False
    assert dapo_raw_answer("no colon here") == "[INVALID]"


def test_gold_is_not_box_extracted():
    # gt_need_extract is False: the gold is normalised, the solution is ignored
    assert DAPO.prepare_gold("5", r"long solution \boxed{7}") == "5"
    assert DAPO.prepare_gold(r"\boxed{5}", None) == "5"  # B6 unwraps a box in the gold


def test_profile_registered_with_metadata():
    profile = get_profile("dapo")
    assert profile is DAPO
    assert profile.harness and profile.description and profile.version == "1"
