"""minerva profile (GRADERS.md §4)."""

from __future__ import annotations

import time

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks.safety import is_too_big
from rlvr_audit.grading.profiles.minerva import (
    MINERVA,
    minerva_is_equiv,
    minerva_last_boxed,
    minerva_remove_boxed,
    minerva_unnormalized_answer,
)
from rlvr_audit.grading.registry import get_profile


def phrase(answer: str) -> str:
    return f"Some work.\nFinal Answer: The final answer is ${answer}$. I hope it is correct."


@pytest.mark.parametrize(
    "completion,expected",
    [
        (phrase(r"\frac{14}{3}"), r"$\frac{14}{3}$"),
        # no "I hope": the appended text follows the period without a space, so no match
        ("Final Answer: The final answer is $5$.", "[invalidanswer]"),
        (r"Final Answer: The final answer is $\frac{14}{3}$.", "[invalidanswer]"),
        # a space before the end of the text is enough
        ("Final Answer: The final answer is $5$. ", "$5$"),
        (r"The answer is $\boxed{5}$.", "[invalidanswer]"),  # a bare box is not read
        ("final answer: the final answer is 5. I hope it is correct.", "[invalidanswer]"),
        # first match wins
        (
            "Final Answer: The final answer is $5$. I hope it is correct.\n"
            "Final Answer: The final answer is $7$. I hope it is correct.",
            "$5$",
        ),
        # the character before " I hope" is swallowed by the unescaped dot
        ("Final Answer: The final answer is 5 I hope it is correct.", ""),
        # Sober-style ending without a final period still matches (the last dot is unescaped)
        ("Final Answer: The final answer is $5$. I hope it is correct", "$5$"),
        # the capture never crosses a newline
        ("Final Answer: The final answer is\n5. I hope it is correct.", "[invalidanswer]"),
    ],
)
def test_unnormalized_answer(completion, expected):
    assert minerva_unnormalized_answer(completion) == expected


def test_no_i_hope_fails_as_in_the_harness():
    # "…is $\frac{14}{3}$." then appended "I hope it is correct." has no space before "I":
    # the lazy capture must find " I hope" later; with nothing later, no match.
    text = r"Final Answer: The final answer is $\frac{14}{3}$. Done."
    assert minerva_unnormalized_answer(text) == "[invalidanswer]"


@pytest.mark.parametrize(
    "solution,expected_box,expected_inner",
    [
        (r"So $\boxed{\frac{1}{2}}$.", r"\boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"First \boxed{1}, then \boxed{2}.", r"\boxed{2}", "2"),
        (r"So $\boxed 5$ and later \boxed{7}.", r"\boxed 5", "5"),  # any "\boxed " wins
        (r"so $x = \fbox{3}$", r"\fbox{3}", None),  # the original asserts here
        (r"no box", None, None),
        (r"\boxed{5", None, None),  # unbalanced
    ],
)
def test_gold_box_handling(solution, expected_box, expected_inner):
    box = minerva_last_boxed(solution)
    assert box == expected_box
    assert minerva_remove_boxed(box) == expected_inner


# (answer, solution, completion, expected status, expected extracted) — §4.5 first
VERDICT_CASES = [
    (r"\frac{14}{3}", None, phrase(r"\frac{14}{3}"), "correct", r"\frac{14}{3}"),
    ("(-2,1)", None, phrase("(-2,1)"), "incorrect", "(-2,1)"),  # unparseable, no shortcut
    (
        r"\left( 3, \frac{\pi}{2} \right)",
        None,
        phrase(r"\left( 3, \frac{\pi}{2} \right)"),
        "incorrect",
        r"\le(3,\frac{\pi}{2}\right)",
    ),
    (r"(2,\infty)", None, phrase(r"(2,\infty)"), "incorrect", r"(2,\iny)"),
    ("3, 5, 7", None, "Final Answer: The final answer is $357$. I hope it is correct.", "correct", "357"),
    (
        r"\frac{14}{3}",
        None,
        r"Final Answer: The final answer is $\frac{14}{3}$.",
        "no_answer",
        "[invalidanswer]",
    ),  # no "I hope it is correct."
    (
        "5",
        None,
        "Final Answer: The final answer is $5$. I hope it is correct.\n"
        "Final Answer: The final answer is $7$. I hope it is correct.",
        "correct",
        "5",
    ),
    ("5", None, "Final Answer: The final answer is 5 apples. I hope it is correct.", "incorrect", "5apples"),
    (".35625", None, phrase(".35625"), "incorrect", ".35625"),  # leading dot rejected
    # more quirks
    ("5", None, r"The answer is $\boxed{5}$.", "no_answer", "[invalidanswer]"),
    (r"\frac{1}{2}", None, phrase("0.5"), "correct", "0.5"),  # simplify(0.5 - 1/2) == 0
    (r"\frac{1}{2}", None, phrase(r"\frac{2}{4}"), "correct", r"\frac{2}{4}"),
    ("5", None, phrase("x = 5"), "correct", "5"),
    (r"\frac{1}{2}", None, phrase(r"\dfrac{1}{2}"), "correct", r"\dfrac{1}{2}"),
    ("4", None, phrase(r"4\text{ ft}"), "correct", "4"),
    ("5", None, phrase("10^{10^{10^{10}}}"), "incorrect", "10^{10^{10^{10}}}"),  # guarded
    ("5", None, "Final Answer: The final answer is 5 I hope it is correct.", "incorrect", ""),
    # gold from the solution, with the `\boxed ` rule
    ("6", r"Thus the answer is $\boxed 5$.", phrase("5"), "correct", "5"),
    ("5", r"So $\fbox{7}$.", phrase("5"), "correct", "5"),  # no usable box: gold from answer
    ("5", r"So $\boxed{5}$.", phrase("7"), "incorrect", "7"),
]


@pytest.mark.parametrize("answer,solution,completion,status,extracted", VERDICT_CASES)
def test_minerva_verdicts(answer, solution, completion, status, extracted):
    grade = MINERVA.grade_local(GradeRequest(completion, answer, solution))
    assert (grade.status, grade.extracted) == (status, extracted)


def test_gold_is_normalised_from_the_last_box():
    assert MINERVA.prepare_gold("x", r"… $\boxed{\left( 1, 2 \right)}$") == r"\le(1,2\right)"
    assert MINERVA.prepare_gold(r"\frac{1}{2}", None) == r"\frac{1}{2}"


def test_huge_power_is_refused_quickly():
    import sympy
    from sympy.parsing.latex import parse_latex

    assert is_too_big(parse_latex("10^{10^{10^{10}}}") - 5)
    assert is_too_big(parse_latex("100000!"))
    assert not is_too_big(parse_latex(r"2^{100} + \frac{1}{2}"))
    assert not is_too_big(sympy.Symbol("x") ** 3)
    start = time.perf_counter()
    assert minerva_is_equiv("10^{10^{10^{10}}}", "5") is False
    # identical towers cancel structurally (diff is 0 before simplify), as in the original
    assert minerva_is_equiv("10^{10^{10^{10}}}", "10^{10^{10^{10}}}") is True
    assert time.perf_counter() - start < 5


def test_profile_registered_with_metadata():
    profile = get_profile("minerva")
    assert profile is MINERVA
    assert profile.harness and profile.description and profile.version == "1"
    assert "\n" not in profile.description
