"""qwen25-math (GRADERS section 1): worked examples 1.5 and the quirks of 1.1-1.4."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks.extract import qwen_extract_once
from rlvr_audit.grading.blocks.qwen_norm import qwen_strip_string
from rlvr_audit.grading.profiles.qwen25_math import QWEN25_MATH

P = QWEN25_MATH

# (gold = MATH-500 `answer`, completion, expected shown prediction or None to skip, verdict)
CASES = [
    # section 1.5 worked examples
    ("\\left( 3, \\frac{\\pi}{2} \\right)", "…are $\\boxed{(3, \\frac{\\pi}{2})}$.", "(3,\\frac{\\pi}{2})", True),
    ("0.15", "\\boxed{15\\%}", "15", True),
    ("25", "\\boxed{0.25}", "0.25", True),
    ("3, 5, 7", "Final Answer: The final answer is $357$. I hope it is correct.", "357", True),
    ("1,-2", "\\boxed{-2, 1}", "-2,1", False),
    ("x \\in [-2,7]", "\\boxed{x \\in [-2,7]}", "[-2,7]", False),
    ("\\frac{14}{3}", "So the answer is \\fbox{\\frac{14}{3}}.", "\\fbox{\\frac{14}{3}}", False),
    ("\\frac{14}{3}", "Answer: 14/3", "3", False),
    ("\\frac{14}{3}", "So the answer is \\boxed{\\frac{14}{3}", "\\frac{14}{3}", True),
    ("10", "\\boxed{10 \\text{ cm}^2}", "10^2", False),
    ("\\text{east}", "\\boxed{west}", "west", True),
    ("\\text{east}", "I have no idea.", "", True),
    ("\\text{east}", "\\boxed{North}", "North", True),
    ("\\text{east}", "\\boxed{East}", "East", False),
    # extraction order and boxes
    ("5", "\\boxed{7}. Final Answer: The final answer is $5$. I hope it is correct.", "5", True),
    ("6", "\\boxed{5} then \\boxed{6}", "6", True),
    ("5", "so \\boxed 5$ and more", "5", True),
    ("5", "\\boxed{5}<|im_end|> Question: \\boxed{7}", "5", True),
    ("5", "\\boxed{}", "", False),
    # numeric path: 100x slack, rel 1e-4, commas, `_`
    ("50", "\\boxed{0.5}", "0.5", True),
    ("3.14159", "\\boxed{3.1416}", "3.1416", True),
    ("52_8", "\\boxed{528}", "528", True),
    ("2220", "\\boxed{2,220}", "2,220", True),
    # bracket-blind intervals, ordered tuples
    ("(3,4]", "\\boxed{[3,4]}", "[3,4]", True),
    ("(1,2)", "\\boxed{(2,1)}", "(2,1)", False),
    # normaliser quirks
    ("3", "\\boxed{three}", "3", True),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\boxed{\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}}", None, True),
    # symbolic_equal with the old parse_latex behaviour (section 1.4 notes)
    ("\\frac{1}{2}", "\\boxed{\\frac{2}{4}}", "\\frac{2}{4}", True),
    ("11\\sqrt2", "\\boxed{\\sqrt{242}}", "\\sqrt{242}", True),
    ("(a+5)(b+2)", "\\boxed{(5)(2)}", "(5)(2)", True),
    ("1,-2", "\\boxed{1}", "1", True),
    ("1\\frac{4}{5}", "\\boxed{2\\frac{2}{5}}", "2\\frac{2}{5}", True),
    ("12\\pi", "\\boxed{37.7}", "37.7", False),
]


@pytest.mark.parametrize(("gold", "completion", "shown", "verdict"), CASES)
def test_qwen_cases(gold, completion, shown, verdict):
    extraction = P.extract(completion)
    if shown is not None:
        assert extraction.shown == shown
    assert P.judge(extraction.answer, P.prepare_gold(gold)) is verdict


def test_gold_is_normalised_once_and_taken_from_the_solution():
    solution = "First \\boxed{1}, finally $x \\in [-2,7]$ so \\boxed{x \\in [-2,7]}."
    assert P.prepare_gold("ignored", solution) == "x\\in[-2,7]"
    assert P.prepare_gold("x \\in [-2,7]") == "x\\in[-2,7]"
    assert qwen_strip_string(P.prepare_gold("x \\in [-2,7]")) == "[-2,7]"


def test_prediction_is_normalised_twice():
    once = qwen_extract_once("\\boxed{x \\in [-2,7]}")[0]
    assert once == "x\\in[-2,7]"
    assert P.extract("\\boxed{x \\in [-2,7]}").shown == "[-2,7]"


@pytest.mark.parametrize(
    ("completion", "status"),
    [("\\boxed{5}", "correct"), ("\\boxed{6}", "incorrect"), ("nothing here", "no_answer")],
)
def test_statuses(completion, status):
    assert P.grade_local(GradeRequest(completion=completion, answer="5")).status == status


def test_multiple_choice_gold_uses_the_letter_from_the_whole_completion():
    completion = "The options... the right one is (C) because \\boxed{x=3}"
    assert P.judge(P.extract(completion).answer, "C") is True
    assert P.judge(P.extract(completion).answer, "D") is False


def test_profile_metadata():
    assert P.name == "qwen25-math" and P.version == "2" and P.harness and P.description
