"""hendrycks (GRADERS section 5 and B1-B3)."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks.extract import last_boxed_only_string, remove_boxed
from rlvr_audit.grading.blocks.normalize import hendrycks_strip_string, is_equiv
from rlvr_audit.grading.profiles.hendrycks import HENDRYCKS

P = HENDRYCKS

# (gold, completion, expected verdict)
CASES = [
    # section 5 worked examples
    ("\\frac{14}{3}", "\\boxed{\\dfrac{14}{3}}", True),
    ("\\text{Evelyn}", "\\boxed{Evelyn}", False),
    ("2220", "\\boxed{2,220}", False),
    ("\\$32,\\!348", "\\boxed{32348}", False),
    ("\\frac{1}{2}", "\\boxed{0.5}", True),
    ("10", "\\boxed{10\\text{ inches}}", True),
    ("10", "\\boxed{10\\text{inches}}", False),
    ("11\\sqrt2", "\\boxed{\\sqrt{242}}", False),
    ("5", "\\boxed{xy=5}", True),
    ("\\frac{14}{3}", "\\boxed{\\frac{14}{3}", False),
    ("\\frac{14}{3}", "\\fbox{\\frac{14}{3}}", False),
    # more B3 rules
    ("5", "so \\boxed 5", False),
    ("6", "\\boxed{5} then \\boxed{6}", True),
    ("5", "\\boxed{5} then \\boxed{6}", False),
    ("\\frac{1}{2}", "\\boxed{\\frac12}", True),
    ("\\frac{1}{72}", "\\boxed{\\frac1{72}}", True),
    ("\\sqrt{3}", "\\boxed{\\sqrt3}", True),
    ("\\frac{3}{4}", "\\boxed{3/4}", True),
    ("90", "\\boxed{90^\\circ}", True),
    ("(1,2)", "\\boxed{\\left(1, 2\\right)}", True),
    ("\\frac{1}{2}", "\\boxed{.5}", True),
    ("50", "\\boxed{50\\%}", True),
    ("5", "\\boxed{\\$5}", True),
    ("5", "\\boxed{5\\text{ a}\\text{ b}}", False),  # assertion -> raw equality
    ("abc", "\\boxed{abc}", True),
    ("x+1", "\\boxed{1+x}", False),
]


@pytest.mark.parametrize(("gold", "completion", "verdict"), CASES)
def test_hendrycks_cases(gold, completion, verdict):
    extraction = P.extract(completion)
    assert P.judge(extraction.answer, P.prepare_gold(gold)) is verdict


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a \\boxed{1} b \\boxed{\\frac{1}{2}} c", "\\boxed{\\frac{1}{2}}"),
        ("\\fbox{3}", "\\fbox{3}"),
        ("\\boxed{3} \\fbox{4}", "\\boxed{3}"),
        ("\\boxed 5 ... \\frac{1}{2}", "\\boxed 5 ... \\frac{1}"),
        ("\\boxed{5", None),
        ("no box", None),
        ("\\boxed 5", None),
    ],
)
def test_last_boxed_only_string(text, expected):
    assert last_boxed_only_string(text) == expected


@pytest.mark.parametrize(
    ("boxed", "inner"),
    [("\\boxed{5}", "5"), ("\\fbox{5}", None), ("\\boxed 5 ... \\frac{1}", None), (None, None), ("\\boxed{}", "")],
)
def test_remove_boxed(boxed, inner):
    assert remove_boxed(boxed) == inner


def test_is_equiv_none_rules_and_raising_steps():
    assert is_equiv(None, None) is True
    assert is_equiv(None, "1") is False
    with pytest.raises(IndexError):
        hendrycks_strip_string("3\\frac")
    assert is_equiv("3\\frac", "3\\frac") is True


def test_gold_from_solution_and_statuses():
    assert P.prepare_gold("ignored", "so \\boxed{1} and \\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert P.grade_local(GradeRequest("\\fbox{5}", "5")).status == "no_answer"
    assert P.grade_local(GradeRequest("\\boxed{5}", "5")).status == "correct"
    assert P.name == "hendrycks" and P.harness and P.description
