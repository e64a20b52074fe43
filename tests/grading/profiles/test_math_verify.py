"""math-verify and sober profiles (GRADERS.md §3) on the installed math-verify 0.9.0: one
table with a verdict column for each, since both run the same library.

GRADERS.md's examples were verified with math-verify 0.8.0 and lighteval 0.8.1's copy;
where 0.9.0 (with antlr 4.11.1) gives another verdict, the case asserts what 0.9.0 does
and says so. Every case is also checked against a direct `verify(parse(gold), parse(pred))`,
so the extract/judge split cannot drift from the library.
"""

from __future__ import annotations

import gzip
import json
import logging

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks.mathverify_steps import rebuild_parse
from rlvr_audit.grading.profiles.math_verify import MATH_VERIFY
from rlvr_audit.grading.profiles.sober import SOBER
from rlvr_audit.grading.registry import get_profile

logging.getLogger("math_verify").setLevel(logging.ERROR)  # the "timeout disabled" warnings

# (gold answer, completion, default verdict, sober verdict)
CASES = [
    # §3.4, in order
    ("52_8", r"\boxed{52}", True, True),  # base subscript dropped
    (r"\frac{1}{3}", r"\boxed{0.33333}", False, True),  # 6 vs 5 decimals
    # §3.4 says ✘/✘ with 0.8.0; math-verify 0.9.0's verify accepts a percentage against
    # either its value or value/100 (verify(25, 25*(1/100)) is True).
    ("25", r"\boxed{25\%}", True, True),
    # §3.4 ✔/✔: needs the compat shim for latex2sympy2_extended 1.11 on antlr 4.11.1.
    ("0.25", r"\boxed{25\%}", True, True),
    ("(3,4]", r"\boxed{(3,4)}", False, False),  # openness matters
    ("1,-2", r"\boxed{-2, 1}", True, True),  # sets
    ("3", "no final answer but numbers 1 2 3", False, False),  # first number after "answer"
    # §3.4: default ✘ in 0.8.x, Sober ✔ (lighteval's 0.5-era code keeps only the last
    # box). The 0.9.0 library merges nearby boxes into {5, 7} for both configurations.
    ("7", r"First \boxed{5}. Then \boxed{7}.", False, False),
    (r"\frac{14}{3}", "…which is 4.666 or 14/3.", False, False),  # "14/3." is 14/3.0
    # §3.4: Sober (lighteval code) ✘, but the library with float_rounding=5 gives ✔,
    # which is what this profile runs.
    (r"\pi", r"\boxed{3.14159}", False, True),
    # §3.2 / §3.3 behaviour
    ("5", "So $x = 5$.", True, True),  # an equation's right-hand side
    ("y=5", r"\boxed{x=5}", False, False),  # two assignments need the same variable
    (r"-2 \le x \le 7", r"\boxed{[-2,7]}", True, True),  # relation gold -> set
    ("[-2,7]", r"\boxed{-2 \le x \le 7}", False, False),  # not the other way round
    ("5", r"\boxed{5", False, False),  # truncated box, no other target: nothing found
    ("1234", "the answer is 1,234", True, True),  # thousands separator
    ("1.5", "the answer: 1,5", True, True),  # a comma between digits is a decimal point
    ("5", "answer: 0005", True, True),  # leading zeros dropped
    ("7", r"The answer is $\boxed{7}$ and also \boxed{5}", False, False),
    ("E", r"\boxed{e}", True, True),  # e matches E
    ("Evelyn", r"\boxed{\text{Evelyn}}", True, True),  # text as a symbol product
    (r"(2,\infty)", r"\boxed{(2,\infty)}", True, True),
    (r"\frac{1}{2}", r"\boxed{0.5}", True, True),
    (r"\text{(C)}", r"\boxed{C}", True, True),
    ("5", "The final answer is 5. I hope it is correct", True, True),  # priority-0 phrase
    ("5", r"\fbox{5}", False, False),  # no target: braces hide the number from Expr
    ("10", r"$\boxed{10}$ but earlier I said $7$", True, True),  # the box outranks $…$
    ("7", r"I think $5$, no wait, $7$.", True, True),  # rightmost $…$ first
]


def _direct(profile: str, completion: str, answer: str, solution: str | None = None) -> bool:
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    if profile == "math-verify":
        gold = parse("\\boxed{" + answer + "}", parsing_timeout=None)
        return verify(gold, parse(completion, parsing_timeout=None), timeout_seconds=None)
    gold_text = solution or "\\boxed{" + answer + "}"
    gold = parse(gold_text, [LatexExtractionConfig()], parsing_timeout=None) or [gold_text]
    sober_configs = [ExprExtractionConfig(), LatexExtractionConfig(boxed_match_priority=0)]
    pred = parse(completion, sober_configs, parsing_timeout=None)
    return verify(gold, pred, float_rounding=5, timeout_seconds=None)


@pytest.mark.parametrize("gold,completion,default,sober", CASES)
def test_math_verify_table(gold, completion, default, sober):
    grade = MATH_VERIFY.grade_local(GradeRequest(completion, gold))
    assert (grade.status == "correct") is default
    assert _direct("math-verify", completion, gold) is default


@pytest.mark.parametrize("gold,completion,default,sober", CASES)
def test_sober_table(gold, completion, default, sober):
    grade = SOBER.grade_local(GradeRequest(completion, gold))
    assert (grade.status == "correct") is sober
    assert _direct("sober", completion, gold) is sober


@pytest.mark.parametrize(
    "completion,found,shown",
    [
        (r"\boxed{5", False, None),
        ("nothing numeric here", False, None),
        (r"so \boxed{\frac{1}{2}}", True, r"\frac{1}{2}"),
        ("the answer is 1,234", True, "1234"),
    ],
)
def test_extraction_found_and_shown(completion, found, shown):
    extraction = MATH_VERIFY.extract(completion)
    assert (extraction.found, extraction.shown) == (found, shown)
    if not found:
        assert MATH_VERIFY.grade_local(GradeRequest(completion, "5")).status == "no_answer"


@pytest.mark.parametrize("gold,completion,default,sober", CASES)
def test_extraction_rebuilds_the_library_parse(gold, completion, default, sober):
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse

    direct = parse(completion, parsing_timeout=None)
    extracted = MATH_VERIFY.extract(completion).answer
    assert (rebuild_parse(extracted, "default") if extracted else []) == direct
    sober_configs = [ExprExtractionConfig(), LatexExtractionConfig(boxed_match_priority=0)]
    direct = parse(completion, sober_configs, parsing_timeout=None)
    extracted = SOBER.extract(completion).answer
    assert (rebuild_parse(extracted, "sober-pred") if extracted else []) == direct


SOLUTION = r"We get $x = 2 + 3 = 5$, so the answer is $\boxed{5}$."


@pytest.mark.parametrize(
    "solution,completion,expected",
    [
        (SOLUTION, r"Therefore, the final answer is: $\boxed{5}$. I hope it is correct", True),
        (SOLUTION, r"Therefore, the final answer is: $\boxed{6}$. I hope it is correct", False),
        (None, r"Therefore, the final answer is: $\boxed{5}$. I hope it is correct", True),
        ("no mathematics at all", r"\boxed{5}", False),  # raw gold string, nothing equals it
    ],
)
def test_sober_takes_gold_from_the_solution(solution, completion, expected):
    grade = SOBER.grade_local(GradeRequest(completion, "5", solution))
    assert (grade.status == "correct") is expected
    assert _direct("sober", completion, "5", solution) is expected


def test_huge_power_is_refused():
    assert (
        MATH_VERIFY.judge(MATH_VERIFY.extract(r"\boxed{10^{10^{10^{10}}}}").answer, MATH_VERIFY.prepare_gold("5"))
        is False
    )


def test_profiles_registered_with_notes():
    assert get_profile("math-verify") is MATH_VERIFY and get_profile("sober") is SOBER
    for profile in (MATH_VERIFY, SOBER):
        assert profile.harness and profile.description and profile.version == "2"
    assert "0.9" in SOBER.notes and "lighteval" in SOBER.notes


def _sample(shared_data, per_run: int = 6):
    """A few real completions per run, skipping the rare ones whose regex search alone
    takes minutes (hundreds of empty boxes)."""
    path = shared_data / "real-outputs" / "qwen25-math-7b_math500.jsonl.gz"
    solutions = {
        row["unique_id"]: row["solution"]
        for row in map(json.loads, (shared_data / "benchmarks" / "math500.jsonl").open())
    }
    taken: dict[str, int] = {}
    for row in map(json.loads, gzip.open(path, "rt")):
        if row["completion"].count("\\boxed") > 5 or len(row["completion"]) > 4000:
            continue
        if taken.get(row["run"], 0) < per_run:
            taken[row["run"]] = taken.get(row["run"], 0) + 1
            yield row, solutions[row["id"]]


@pytest.mark.shared
def test_real_completions_match_the_library(shared_data):
    checked = 0
    for row, solution in _sample(shared_data):
        completion, answer = row["completion"], row["answer"]
        for profile in (MATH_VERIFY, SOBER):
            ours = profile.grade_local(GradeRequest(completion, answer, solution)).status
            assert (ours == "correct") is _direct(profile.name, completion, answer, solution), (
                profile.name,
                row["run"],
                row["id"],
            )
        checked += 1
    assert checked >= 60
