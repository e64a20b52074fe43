"""The one last-boxed scan (core.latex) and both of its call sites: grading's extractor and
the benchmark loader's gold-from-solution. Expected values are written by hand."""

from __future__ import annotations

import pytest

from rlvr_audit.benchmarks.rows import rows_to_problems
from rlvr_audit.core.latex import boxed_content, last_boxed_only_string
from rlvr_audit.grading.blocks import extract
from rlvr_audit.grading.blocks.extract import last_box

# text -> (last_boxed_only_string, boxed_content)
CASES = {
    "boxed-then-fbox": (r"so \boxed{3} ... \fbox{4}", r"\boxed{3}", "3"),
    "fbox-then-boxed": (r"\fbox{4} ... \boxed{3}", r"\boxed{3}", "3"),
    "fbox-only": (r"x \fbox{ 4 } y", r"\fbox{ 4 }", "4"),
    "nested": (r"\boxed{1}, \boxed{\frac{1}{2}}$", r"\boxed{\frac{1}{2}}", r"\frac{1}{2}"),
    "never-closed": (r"\boxed{1} \boxed{2", None, None),
    "none": ("no box", None, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_last_boxed_scan(case):
    text, span, content = CASES[case]
    assert last_boxed_only_string(text) == span
    assert boxed_content(text) == content


def test_grading_extractor_is_the_core_scan():
    assert extract.last_boxed_only_string is last_boxed_only_string
    assert extract.last_boxed_only_string(r"\boxed{3} ... \fbox{4}") == r"\boxed{3}"
    assert last_box(r"\boxed{3} ... \fbox{4}") == "3"  # B2(B1(text)), what hendrycks grades


def test_benchmark_gold_from_solution_agrees_with_grading():
    rows = [{"problem": "Q", "solution": r"\boxed{3} ... \fbox{4}"}]
    (problem,) = rows_to_problems("m", rows, {"question": "problem", "solution": "solution"}, where="test")
    assert problem.answer == "3" == last_box(rows[0]["solution"])
