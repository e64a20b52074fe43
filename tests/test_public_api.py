"""The public surface: the few names a Python user needs, resolved lazily."""

from __future__ import annotations

import subprocess
import sys

import rlvr_audit as ra


def test_grade_one_completion_in_a_worker():
    assert ra.grade("so the answer is \\boxed{\\frac{1}{2}}", "0.5", "math-verify").status == "correct"
    assert ra.grade("so the answer is \\boxed{3}", "4", "qwen25-math").status == "incorrect"
    assert ra.grade("no box here", "4", "qwen25-math").status == "no_answer"


def test_grade_many_keys_grades_by_profile():
    requests = [ra.GradeRequest("\\boxed{4}", "4"), ra.GradeRequest("\\boxed{5}", "4")]
    batch = ra.grade_many(requests, ["qwen25-math", "hendrycks"], workers=1)
    assert [g["qwen25-math"].status for g in batch.grades] == ["correct", "incorrect"]
    assert [g["hendrycks"].status for g in batch.grades] == ["correct", "incorrect"]


def test_profiles_lists_the_built_in_ones():
    names = [p.name for p in ra.profiles()]
    assert names[:3] == ["qwen25-math", "ttrl", "math-verify"]
    assert "minerva" in names and "dapo" in names


def test_unknown_name_is_an_attribute_error():
    try:
        ra.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_the_package_loads_no_grading_or_numpy():
    code = "import sys, rlvr_audit; print(sorted(m for m in sys.modules if m.startswith(('rlvr_audit.', 'numpy', 'sympy'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['rlvr_audit.core', 'rlvr_audit.core.version']"
