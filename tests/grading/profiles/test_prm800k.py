"""prm800k (GRADERS section 6 and B5)."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks.equivalence import grade_answer
from rlvr_audit.grading.blocks.normalize import mathd_normalize, prm_normalize
from rlvr_audit.grading.profiles.prm800k import PRM800K

P = PRM800K

# (gold = `answer`, completion, expected verdict)
CASES = [
    # section 6 worked examples
    ("\\text{Evelyn}", "\\boxed{Evelyn}", True),
    ("2220", "\\boxed{2,220}", True),
    ("0.15", "\\boxed{15\\%}", False),
    ("\\frac{1}{2}", "\\boxed{2/4}", False),
    ("1.5", "\\boxed{3/2}", True),
    ("3000000", "\\boxed{3 million}", False),
    ("d+c+b+a", "\\boxed{a+b+c+d}", False),
    ("(1,2)", "\\boxed{(2,1)}", False),
    ("\\$18.90", "\\boxed{18.9}", True),
    ("025", "\\boxed{25}", True),
    ("\\frac{14}{3}", "\\boxed{\\frac{14}{3}", False),
    # more of B5
    ("x+y", "\\boxed{y+x}", True),
    ("\\frac{\\sqrt{3}}{2}", "\\boxed{\\frac{\\sqrt3}{2}}", True),
    ("(1,2)", "\\boxed{[1,2)}", False),
    ("5", "\\boxed{5 \\text{ cm}}", True),
    ("\\text{(C)}", "\\boxed{(C)}", True),
    ("1000", "\\boxed{1,000}", True),
    ("-\\frac{2}{3}", "\\boxed{-2/3}", True),
    ("\\infty", "\\boxed{\\infty}", True),
    ("5", "The answer is 5.", False),
    ("5", "\\fbox{5}", False),
    ("\\frac{14}{3}", "\\boxed{\\dfrac{14}{3}}", True),
    ("2^{10}", "\\boxed{1024}", False),  # `^{` refuses evaluation; integer rule
    ("7 \\frac{3}{4}", "\\boxed{7\\frac34}", True),
]


@pytest.mark.parametrize(("gold", "completion", "verdict"), CASES)
def test_prm800k_cases(gold, completion, verdict):
    extraction = P.extract(completion)
    assert P.judge(extraction.answer, P.prepare_gold(gold)) is verdict


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\frac{a}{b}", "a/b"),
        ("\\sqrt{8}", "sqrt(8)"),
        ("\\text{Evelyn}", "evelyn"),
        ("2,220", "2220"),
        ("Monday", "mon"),
        ("7 3/4", "7+3/4"),
        ("5 million", "5*10^6"),
        ("\\fbox{5}", "5"),
        ("10.0", "10"),
    ],
)
def test_normalize(text, expected):
    assert prm_normalize(text) == expected


def test_mathd_unwraps_only_a_whole_text():
    assert mathd_normalize("\\text{a} + \\text{b}") == "a}+\\text{b"
    assert mathd_normalize("  \\text{ 5 } ") == "5"


def test_grade_answer_none_and_statuses():
    assert grade_answer(None, "5") is False
    assert P.grade_local(GradeRequest("no box", "5")).status == "no_answer"
    assert P.name == "prm800k" and P.harness and P.description
