"""The stand-in for Qwen2.5-Math's bundled latex2sympy2 (the last parser `math_equal`'s
`symbolic_equal` tries). latex2sympy2_extended stands in for it and accepts more: unicode
symbols such as `π`, and a bare `a; b` list as a set. Qwen's parser raises on every
non-ASCII character (its lexer has no such token) and returns a bare list as a Python list
in order. PyPI latex2sympy2 1.9.1 cannot replace the stand-in: it fails to import (a
relative import at top level) and its ANTLR 4.7.2 parser does not load on the pinned
antlr4 4.11.1 runtime (docs/grading-fidelity.md).

Expected verdicts are those the real Qwen harness recorded or gave when re-run
(../shared/data/external), never ours.
"""

from __future__ import annotations

import glob
import gzip
import json
import logging

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.blocks import equivalence as eq
from rlvr_audit.grading.profiles.qwen25_math import QWEN25_MATH

logging.getLogger("math_verify").setLevel(logging.ERROR)

# (prediction, reference, Qwen's verdict, where that verdict comes from)
NAMED_CASES = [
    ("12π", "12\\pi", False, "gemma-2-27b-it MATH-500 id 313: the harness recorded False"),
    (
        "{-12,-11,-10,-8,-7,-6}",
        "-12;-11;-10;-8;-7;-6",
        False,
        "mathverify-0189 / lighteval-0179 inputs: upstream Qwen2.5-Math re-run gives False",
    ),
    ("12\\pi", "12\\pi", True, "identical strings"),
]


@pytest.mark.parametrize(("pred", "ref", "expected", "why"), NAMED_CASES, ids=[c[0] for c in NAMED_CASES])
def test_named_parser_differences_follow_qwen(pred, ref, expected, why):
    assert eq.math_equal(pred, ref) is expected, why


def test_non_ascii_text_fails_as_in_qwens_lexer():
    with pytest.raises(Exception):
        eq._latex2sympy("12π")
    with pytest.raises(Exception):
        eq._latex2sympy("\\frac{1}{2}·3")


def test_a_bare_list_is_an_ordered_python_list():
    import sympy

    assert eq._latex2sympy("\\frac{1}{2}, 3") == [sympy.Rational(1, 2), 3]
    assert eq._latex2sympy("-1; 2") == [-1, 2]
    assert str(eq._latex2sympy("\\{1, 2\\}")) == "{1, 2}"  # braces: one set, not a list, as before
    # lists equal element by element, in order (a set would ignore the order)
    assert eq.symbolic_equal("\\frac{1}{2}; 3", "\\frac{1}{2};3")
    assert not eq.symbolic_equal("\\frac{1}{2}; 3", "3; \\frac{1}{2}")


def test_cached_lists_are_copies():
    first = eq._sym_parse("\\frac{1}{2}; 3")
    first.append("mutated")
    assert str(eq._sym_parse("\\frac{1}{2}; 3")) == "[1/2, 3]"


def test_the_stand_in_keeps_the_size_gate():
    with pytest.raises(Exception):
        eq._latex2sympy("9" * 100_000)


@pytest.mark.shared
def test_qwen25_math_agrees_with_the_upstream_rerun_on_every_case_input(shared_data):
    """results_cases.jsonl records, per case input, the verdict of upstream Qwen2.5-Math
    (parser.py + grader.py, sympy 1.12, its bundled latex2sympy2) re-run on it."""
    external = shared_data / "external"
    if not (external / "results_cases.jsonl").is_file():
        pytest.skip(f"{external} has no results_cases.jsonl")
    cases = {}
    for path in glob.glob(str(external / "cases_*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            cases.update((c["case_id"], c) for c in map(json.loads, fh))
    compared, differ = 0, []
    with open(external / "results_cases.jsonl", encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            upstream = (row.get("original_qwen25_math") or {}).get("up_score")
            if upstream is None:
                continue
            case = cases[row["case_id"]]
            grade = QWEN25_MATH.grade_local(GradeRequest(case["completion"], case["answer"]))
            compared += 1
            if (grade.status == "correct") != bool(upstream):
                differ.append(row["case_id"])
    assert compared == 633
    assert differ == []


@pytest.mark.shared
def test_gemma_313_is_graded_as_the_harness_recorded(shared_data):
    path = shared_data / "external" / "realout_gemma-2-27b-it_math500.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [r for r in map(json.loads, fh) if str(r["idx"]) == "313"]
    assert len(rows) == 1 and str(rows[0]["recorded_score"]) == "False"
    grade = QWEN25_MATH.grade_local(GradeRequest(rows[0]["completion"], rows[0]["answer"]))
    assert (grade.status, grade.extracted) == ("incorrect", "12π")
