"""ttrl (GRADERS section 2): accuracy reward and box_only_format reward."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks.formats import ttrl_format_reward
from rlvr_audit.grading.profiles.ttrl import TTRL, TtrlProfile

P = TTRL

# (gold = raw `answer`, completion, expected extracted or None to skip, accuracy, format)
CASES = [
    # section 2.4 worked examples
    ("0.15", "\\boxed{15\\%}", "15", 0.0, 1.0),
    ("2220", "\\boxed{2,220}", "2,220", 1.0, 1.0),
    ("1 \\pm \\sqrt{19}", "\\boxed{1 \\pm \\sqrt{19}}", "1\\\\sqrt{19}", 0.0, 1.0),
    ("(a+5)(b+2)", "\\boxed{(a+5)(b+2)}", "(+5)(b+2)", 0.0, 1.0),
    ("\\frac{14}{3}", "So the answer is \\fbox{\\frac{14}{3}}.", "\\fbox{\\frac{14}{3}}", 1.0, 0.0),
    ("3, 5, 7", "…final answer is $357$. I hope it is correct.", "357", 0.0, 0.0),
    ("11\\sqrt2", "\\boxed{\\sqrt{242}}", "\\sqrt{242}", 1.0, 1.0),
    ("\\text{Evelyn}", "\\boxed{Evelyn}", "Evelyn", 1.0, 1.0),
    ("5", "I boxed the answer: 5", "theanswer:5", 0.0, 1.0),
    # gold never normalised: unit stripping on the prediction only (#97, #422)
    ("\\text{east}", "\\boxed{\\text{east}}", "", 0.0, 0.0),
    ("\\{1\\pm\\sqrt{5},-2\\}", "\\boxed{\\{1\\pm\\sqrt{5},-2\\}}", None, 0.0, 1.0),
    # B5 grade_answer behaviour
    ("025", "\\boxed{25}", "25", 1.0, 1.0),
    ("142.0", "\\boxed{142}", "142", 1.0, 1.0),
    ("\\frac{1}{2}", "\\boxed{2/4}", "\\frac{2}{4}", 0.0, 1.0),
    ("1.5", "\\boxed{3/2}", "\\frac{3}{2}", 1.0, 1.0),
    ("50\\%", "\\boxed{50\\%}", "50", 1.0, 1.0),
    ("\\frac{14}{3}", "\\boxed{\\dfrac{14}{3}}", "\\frac{14}{3}", 1.0, 1.0),
    ("(1,2)", "\\boxed{(2,1)}", "(2,1)", 0.0, 1.0),
    # extraction fall-backs (no box)
    ("3", "Answer: 14/3", "3", 1.0, 0.0),
    ("12", "The answer is 12.", "12", 1.0, 0.0),
    ("14/3", "So the answer is \\boxed{\\frac{14}{3}", "\\frac{14}{3}", 1.0, 1.0),
    # GPQA mode: gold A-D -> last standalone letter of the whole completion
    ("B", "I think it is (B).", None, 1.0, 0.0),
    ("C", "Answer: B", None, 0.0, 0.0),
]


@pytest.mark.parametrize(("gold", "completion", "extracted", "accuracy", "fmt"), CASES)
def test_ttrl_cases(gold, completion, extracted, accuracy, fmt):
    extraction = P.extract(completion)
    if extracted is not None:
        assert extraction.shown == extracted
    assert float(P.judge(extraction.answer, P.prepare_gold(gold))) == accuracy
    assert ttrl_format_reward(completion) == fmt


@pytest.mark.parametrize(
    ("completion", "reward"),
    [
        ("\\boxed{}", 0.0),
        ("\\boxed{ }", 0.0),
        ("\\boxed{.}", 0.0),
        ("\\boxed{\\text{east}}", 0.0),
        ("\\boxed{\\pm}", 1.0),
        ("I boxed the answer: 5", 1.0),
        ("\\boxed{5", 1.0),
        ("no box", 0.0),
    ],
)
def test_box_only_format(completion, reward):
    assert ttrl_format_reward(completion) == reward


@pytest.mark.parametrize(
    ("completion", "reward"),
    [
        ("<answer>25 years</answer>", 1.0),
        ("no tag at all", 1.0),
        ("", 0.0),
        ("<think>x</think> <answer></answer>", 0.0),
        ("<answer>answer</answer>", 0.0),
    ],
)
def test_box_only_format_r1_style(completion, reward):
    assert ttrl_format_reward(completion, r1_style=True) == reward


def test_r1_style_extraction_takes_the_text_after_the_last_answer_tag():
    profile = TtrlProfile(r1_style=True)
    extraction = profile.extract("<think>\\boxed{3}</think> <answer>\\boxed{5}</answer>")
    assert extraction.shown == "5"
    assert TTRL.extract("<think>\\boxed{3}</think> <answer>\\boxed{5}</answer>").shown == "5"
    assert TTRL.extract("<answer>\\boxed{5}</answer> then \\boxed{3}").shown == "3"


def test_gold_is_raw_and_statuses():
    assert P.prepare_gold("1 \\pm \\sqrt{19}", "solution \\boxed{9}") == "1 \\pm \\sqrt{19}"
    assert P.grade_local(GradeRequest("\\boxed{7}", "7")).status == "correct"
    assert P.grade_local(GradeRequest("\\boxed{8}", "7")).status == "incorrect"
    assert P.name == "ttrl" and P.harness and P.description
